// Thrift JSON transcoding (thrift_json.h): the table, the output buffer, the error codes. The
// converters are thrift_json_from_json.cc and thrift_json_to_json.cc.
#include "codec/thrift_json.h"

#include <climits>
#include <cstdlib>
#include <cstring>

#include "codec/utf8_validate.h"

namespace heddle::codec::thrift_json {

namespace {

// ---- Table ----

constexpr int32_t kTableMagic = 0x544a5332;  // "TJS2"
constexpr size_t kTypeInts = 5;
constexpr size_t kStructInts = 5;
constexpr size_t kFieldInts = 13;

bool Slice(const uint8_t* bytes, size_t byte_count, int32_t off, int32_t len, std::string* out) {
  if (off < 0 || len < 0 || static_cast<size_t>(off) + static_cast<size_t>(len) > byte_count) return false;
  out->assign(reinterpret_cast<const char*>(bytes) + off, static_cast<size_t>(len));
  return true;
}

// FieldDesc::key_fast.
bool KeyIsPlainName(const std::string& key, const std::string& name) {
  if (key.size() != name.size() + 3 || key.front() != '"' || key.compare(1, name.size(), name) != 0 || key.compare(name.size() + 1, 2, "\":") != 0) return false;
  for (const char ch : name) {
    const uint8_t c = static_cast<uint8_t>(ch);
    if (c < 0x20 || c == '"' || c == '\\') return false;
  }
  return ValidateUtf8(reinterpret_cast<const uint8_t*>(name.data()), name.size()).status == KernelStatus::kOk;
}

}  // namespace

bool ParseTable(const int32_t* ints, size_t int_count, const uint8_t* bytes, size_t byte_count, Table* out) {
  if (int_count < 6 || ints[0] != kTableMagic) return false;
  out->compact = ints[1] != 0;
  if (ints[2] < 1 || ints[2] > kMaxNativeDepth) return false;
  out->max_depth = ints[2];
  out->max_size = ints[3];
  const int32_t type_count = ints[4];
  const int32_t struct_count = ints[5];
  if (type_count < 0 || struct_count < 1) return false;
  size_t at = 6;
  if (int_count < at + static_cast<size_t>(type_count) * kTypeInts) return false;
  out->types.resize(static_cast<size_t>(type_count));
  for (TypeDesc& t : out->types) {
    t = TypeDesc{ints[at], ints[at + 1], ints[at + 2], ints[at + 3], ints[at + 4]};
    at += kTypeInts;
  }
  const auto valid_type = [&](int32_t i) { return i >= 0 && i < type_count; };
  for (const TypeDesc& t : out->types) {
    switch (t.kind) {
      case kList:
      case kSet:
        if (!valid_type(t.a)) return false;
        break;
      case kMap:
        if (!valid_type(t.a) || !valid_type(t.b)) return false;
        break;
      case kStruct:
        if (t.a < 0 || t.a >= struct_count) return false;
        break;
      case kBool: case kI8: case kDouble: case kI16: case kI32: case kI64: case kString: case kUuid: case kBinary:
        break;
      default:
        return false;
    }
  }
  // Each struct takes at least kStructInts numbers: a bad count cannot ask for a huge allocation.
  if (static_cast<size_t>(struct_count) > (int_count - at) / kStructInts) return false;
  out->structs.resize(static_cast<size_t>(struct_count));
  for (StructDesc& s : out->structs) {
    if (int_count < at + kStructInts) return false;
    if (!Slice(bytes, byte_count, ints[at], ints[at + 1], &s.name)) return false;
    s.is_union = ints[at + 2] != 0;
    s.needs_end_check = ints[at + 3] != 0;
    const int32_t field_count = ints[at + 4];
    at += kStructInts;
    if (field_count < 0 || int_count < at + static_cast<size_t>(field_count) * kFieldInts) return false;
    s.fields.resize(static_cast<size_t>(field_count));
    int32_t min_id = INT32_MAX;
    int32_t max_id = INT32_MIN;
    for (FieldDesc& f : s.fields) {
      const int32_t* v = ints + at;
      at += kFieldInts;
      f.id = v[0];
      f.type = v[1];
      if (!valid_type(f.type)) return false;
      // Requiredness: 0 default, 1 required, 2 optional.
      if (v[2] < 0 || v[2] > 2) return false;
      f.required = v[2] == 1;
      f.optional = v[2] == 2;
      if (!Slice(bytes, byte_count, v[3], v[4], &f.json_name) || !Slice(bytes, byte_count, v[5], v[6], &f.name) ||
          !Slice(bytes, byte_count, v[7], v[8], &f.key)) {
        return false;
      }
      f.key_fast = KeyIsPlainName(f.key, f.json_name);
      f.has_default = v[9] != 0;
      f.default_fails = v[9] == 2;
      if (!Slice(bytes, byte_count, v[10], v[11], &f.default_wire)) return false;
      f.default_bool_ctype = v[12];
      if (f.id < min_id) min_id = f.id;
      if (f.id > max_id) max_id = f.id;
    }
    s.min_id = min_id;
    if (field_count > 0 && static_cast<int64_t>(max_id) - min_id < 4096) {
      s.by_id.assign(static_cast<size_t>(max_id - min_id + 1), -1);
      // The first field with an id wins, as Map.set in buildDescriptor keeps the last: ids are
      // unique per struct once the IDL resolver has run, so either rule gives the same table.
      for (size_t i = s.fields.size(); i-- > 0;) s.by_id[static_cast<size_t>(s.fields[i].id - min_id)] = static_cast<int32_t>(i);
    }
  }
  return true;
}

}  // namespace heddle::codec::thrift_json
