// The Protobuf JSON descriptor table (proto_json.h) from its serialized form, written by
// src-ts/gateway/proto-json/native-table.ts (layout there). Every count, offset and index is
// checked, so a malformed table is refused instead of read out of bounds.
#include <cstdint>
#include <string>

#include "codec/proto_json.h"

namespace heddle::codec::proto_json {
namespace {

constexpr int32_t kTableMagic = 0x504a5331;  // "PJS1"
constexpr size_t kHeaderInts = 5;
constexpr size_t kEnumInts = 5;
constexpr size_t kEnumValueInts = 3;
constexpr size_t kMessageInts = 6;
constexpr size_t kFieldInts = 21;

enum FieldFlag : int32_t { kRepeated = 1, kPacked = 2, kImplicit = 4, kRequired = 8, kMap = 16 };

class TableReader {
 public:
  TableReader(const int32_t* ints, size_t int_count, const uint8_t* bytes, size_t byte_count)
      : ints_(ints), int_count_(int_count), bytes_(bytes), byte_count_(byte_count) {}

  bool Has(size_t n) const { return at_ <= int_count_ && int_count_ - at_ >= n; }
  // Whether `count` records of at least `ints_each` numbers can follow: checked before a vector
  // is sized by a count read from the table, so a bad count cannot ask for a huge allocation.
  bool Fits(int32_t count, size_t ints_each) const { return count >= 0 && static_cast<size_t>(count) <= (int_count_ - at_) / ints_each; }
  int32_t Next() { return ints_[at_++]; }

  bool Text(std::string* out) {
    const int32_t off = Next();
    const int32_t len = Next();
    if (off < 0 || len < 0 || static_cast<size_t>(off) + static_cast<size_t>(len) > byte_count_) return false;
    out->assign(reinterpret_cast<const char*>(bytes_) + off, static_cast<size_t>(len));
    return true;
  }

 private:
  const int32_t* ints_;
  size_t int_count_;
  const uint8_t* bytes_;
  size_t byte_count_;
  size_t at_ = 0;
};

void ReadValue(TableReader& r, ValueDesc* v) {
  v->kind = r.Next();
  v->wire = r.Next();
  v->enum_index = r.Next();
  v->message_index = r.Next();
}

// The wire type each kind is written with (wireOf in descriptor.ts).
int32_t WireOf(int32_t kind) {
  switch (kind) {
    case kSfixed32: case kFixed32: case kFloat: return kI32;
    case kSfixed64: case kFixed64: case kDouble: return kI64;
    case kString: case kBytes: case kMessage: return kLen;
    case kGroup: return kStartGroup;
    default: return kVarint;
  }
}

bool ValidValue(const ValueDesc& v, const Table& t) {
  if (v.kind < kInt32 || v.kind > kGroup || v.wire != WireOf(v.kind)) return false;
  if (v.kind == kEnum) return v.enum_index >= 0 && static_cast<size_t>(v.enum_index) < t.enums.size();
  if (v.kind == kMessage || v.kind == kGroup) return v.message_index >= 0 && static_cast<size_t>(v.message_index) < t.messages.size();
  return true;
}

}  // namespace

bool ParseTable(const int32_t* ints, size_t int_count, const uint8_t* bytes, size_t byte_count, Table* out) {
  TableReader r(ints, int_count, bytes, byte_count);
  if (!r.Has(kHeaderInts) || r.Next() != kTableMagic) return false;
  out->max_depth = r.Next();
  if (out->max_depth < 1 || out->max_depth > kMaxNativeDepth) return false;
  out->max_size = r.Next();
  const int32_t message_count = r.Next();
  const int32_t enum_count = r.Next();
  if (message_count < 1 || !r.Fits(enum_count, kEnumInts)) return false;
  out->enums.resize(static_cast<size_t>(enum_count));
  for (EnumDesc& e : out->enums) {
    if (!r.Has(kEnumInts) || !r.Text(&e.name)) return false;
    e.closed = r.Next() != 0;
    e.null_value = r.Next() != 0;
    const int32_t value_count = r.Next();
    if (value_count < 0 || !r.Has(static_cast<size_t>(value_count) * kEnumValueInts)) return false;
    e.value_names.resize(static_cast<size_t>(value_count));
    e.value_numbers.resize(static_cast<size_t>(value_count));
    for (size_t i = 0; i < e.value_names.size(); i++) {
      if (!r.Text(&e.value_names[i])) return false;
      e.value_numbers[i] = r.Next();
    }
  }
  if (!r.Fits(message_count, kMessageInts)) return false;
  out->messages.resize(static_cast<size_t>(message_count));
  for (MessageDesc& m : out->messages) {
    if (!r.Has(kMessageInts) || !r.Text(&m.name)) return false;
    m.wkt = r.Next();
    m.has_required = r.Next() != 0;
    m.oneof_count = r.Next();
    const int32_t field_count = r.Next();
    // Every oneof has a field, so oneof_count (which sizes a vector per object read) is bounded
    // by the fields the table really holds.
    if (m.wkt < kNone || m.wkt > kTwinOnly || m.oneof_count < 0 || field_count < 0 || m.oneof_count > field_count) return false;
    if (!r.Has(static_cast<size_t>(field_count) * kFieldInts)) return false;
    m.fields.resize(static_cast<size_t>(field_count));
    for (FieldDesc& f : m.fields) {
      f.number = r.Next();
      const int32_t flags = r.Next();
      f.repeated = (flags & kRepeated) != 0;
      f.packed = (flags & kPacked) != 0;
      f.implicit = (flags & kImplicit) != 0;
      f.required = (flags & kRequired) != 0;
      f.is_map = (flags & kMap) != 0;
      f.oneof = r.Next();
      if (!r.Text(&f.name) || !r.Text(&f.json_name) || !r.Text(&f.key)) return false;
      ReadValue(r, &f.value);
      ReadValue(r, &f.map_key);
      ReadValue(r, &f.map_value);
      if (f.number < 1 || f.number > 536870911 || f.oneof < -1 || f.oneof >= m.oneof_count) return false;
      // A key names the field in the input: `"name":`, at least three bytes.
      if (f.key.size() < 3) return false;
    }
  }
  for (MessageDesc& m : out->messages) {
    int32_t highest = 0;
    for (const FieldDesc& f : m.fields) highest = f.number > highest ? f.number : highest;
    if (static_cast<size_t>(highest) > 4 * m.fields.size() + 64) continue;
    // Map.set in the twin's table: the last field with a number wins.
    m.by_number.assign(static_cast<size_t>(highest) + 1, -1);
    for (size_t i = 0; i < m.fields.size(); i++) m.by_number[static_cast<size_t>(m.fields[i].number)] = static_cast<int32_t>(i);
  }
  // Indices are checked once every enum and message exists.
  for (const MessageDesc& m : out->messages) {
    if (m.wkt == kWrapper && (m.fields.empty() || m.fields[0].is_map || m.fields[0].repeated)) return false;
    // Struct and ListValue are read as their first field: a map, a repeated field.
    if (m.wkt == kStruct && (m.fields.empty() || !m.fields[0].is_map)) return false;
    if (m.wkt == kListValue && (m.fields.empty() || m.fields[0].is_map || !m.fields[0].repeated)) return false;
    for (const FieldDesc& f : m.fields) {
      if (f.is_map) {
        if (!f.repeated || !ValidValue(f.map_key, *out) || !ValidValue(f.map_value, *out)) return false;
        const int32_t k = f.map_key.kind;
        if (k == kFloat || k == kDouble || k == kBytes || k == kEnum || k == kMessage || k == kGroup) return false;
      } else if (!ValidValue(f.value, *out)) {
        return false;
      }
    }
  }
  return true;
}

}  // namespace heddle::codec::proto_json
