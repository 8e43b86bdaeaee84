// Protobuf wire bytes to ProtoJSON (proto_json.h), following src-ts/gateway/proto-json/to-json.ts
// step by step: a scan per message records where each field's occurrences lie, then fields are
// written in field-number order. The order of checks is the twin's, because that order decides
// which error a bad input gets. Every write makes its room through Sink::TryEnsure, and the
// occurrence records grow through realloc, so running out of memory is an error report, not an
// abort.
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "codec/json_base64.h"
#include "codec/json_text.h"
#include "codec/proto_json.h"

namespace heddle::codec::proto_json {
namespace {

using json::AppendInt;

// Ints per recorded occurrence: field index, wire type, value start, value end, next occurrence.
constexpr size_t kOcc = 5;
constexpr int32_t kAbsent = -1;

// The occurrence records of the messages being written (innermost last), kept per thread between
// calls as the twin keeps its Int32Array. Offsets are int32 as there: inputs are bounded by the
// codec's maxSize, which the table holds as an int32.
struct OccurrenceStack {
  int32_t* data = nullptr;
  size_t cap = 0;
  ~OccurrenceStack() { std::free(data); }
  bool Reserve(size_t n) {
    if (n <= cap) return true;
    // Records link to each other by int32 offsets.
    if (n > static_cast<size_t>(INT32_MAX)) return false;
    const size_t next = n > cap * 2 ? n : cap * 2;
    void* grown = std::realloc(data, next * sizeof(int32_t));
    if (grown == nullptr) return false;
    data = static_cast<int32_t*>(grown);
    cap = next;
    return true;
  }
  // Gives back a large stack after a call, so one huge message does not pin memory.
  void Trim() {
    if (cap <= (1u << 20)) return;
    std::free(data);
    data = nullptr;
    cap = 0;
  }
};
OccurrenceStack& Occurrences() {
  static thread_local OccurrenceStack stack;
  return stack;
}

struct PathEntry {
  const std::string* name;  // null: an index
  int64_t index;
};
// The field path, kept per thread between calls as the occurrences are.
std::vector<PathEntry>& PathStack() {
  static thread_local std::vector<PathEntry> path;
  return path;
}

class WireToProtoJson {
 public:
  WireToProtoJson(const Table& table, const uint8_t* src, size_t length, uint32_t flags, Sink* out, Error* error)
      : t_(table),
        b_(src),
        length_(length),
        defaults_((flags & kEmitDefaults) != 0),
        proto_names_((flags & kProtoFieldName) != 0),
        enum_numbers_((flags & kEnumAsInteger) != 0),
        out_(out),
        error_(error) {}

  Outcome Run() {
    out_->pos = 0;
    path_.clear();
    // Offsets are kept as int32; the twin refuses what is over the limit.
    if (static_cast<int64_t>(length_) > t_.max_size) return Outcome::kDefer;
    const bool ok = Message(t_.messages[0], 0, length_, 1);
    occ_.Trim();
    if (deferred_) return Outcome::kDefer;
    return ok ? Outcome::kOk : Outcome::kError;
  }

 private:
  const Table& t_;
  const uint8_t* b_;
  size_t length_;
  bool defaults_;
  bool proto_names_;
  bool enum_numbers_;
  Sink* out_;
  Error* error_;
  OccurrenceStack& occ_ = Occurrences();
  size_t top_ = 0;
  std::vector<PathEntry>& path_ = PathStack();
  size_t pos_ = 0;
  bool deferred_ = false;

  // ---- errors ----

  bool Fail(ErrorKind kind, std::string message, size_t offset) {
    error_->kind = kind;
    error_->message = std::move(message);
    error_->offset = static_cast<int64_t>(offset);
    std::string path;
    for (const PathEntry& e : path_) {
      if (e.name != nullptr) {
        if (!path.empty()) path += '.';
        path += *e.name;
      } else {
        path += '[';
        AppendInt(&path, e.index);
        path += ']';
      }
    }
    error_->path = std::move(path);
    return false;
  }
  bool OutOfMemory(size_t offset) { return Fail(ErrorKind::kSizeLimit, "out of memory for the converted message", offset); }
  // This input is for the twin (what the header comment lists).
  bool Defer() {
    deferred_ = true;
    return false;
  }
  // The JSON is bounded by max_size as the input is (the twin's checkOutput, at the same places):
  // a few wire bytes can write many (a one-byte enum its name, an empty message every default).
  bool CheckOutput(size_t offset) {
    if (static_cast<int64_t>(out_->pos) <= t_.max_size) return true;
    std::string m = "JSON output over the ";
    AppendInt(&m, t_.max_size);
    m += "-byte limit";
    return Fail(ErrorKind::kSizeLimit, std::move(m), offset);
  }
  bool DepthFail(size_t offset) {
    std::string m = "nesting deeper than ";
    AppendInt(&m, t_.max_depth);
    return Fail(ErrorKind::kDepthLimit, std::move(m), offset);
  }

  // ---- output ----

  bool Room(size_t n) { return out_->TryEnsure(n) || OutOfMemory(pos_); }
  bool Put(const char* s, size_t n) {
    if (!Room(n)) return false;
    std::memcpy(out_->buf + out_->pos, s, n);
    out_->pos += n;
    return true;
  }
  bool Put(const std::string& s) { return Put(s.data(), s.size()); }
  bool Char(char c) { return Put(&c, 1); }
  bool Signed(int64_t v, bool quoted) {
    char text[24];
    size_t n = 0;
    if (quoted) text[n++] = '"';
    n = static_cast<size_t>(std::to_chars(text + n, text + sizeof text, v).ptr - text);
    if (quoted) text[n++] = '"';
    return Put(text, n);
  }
  bool Unsigned(uint64_t v, bool quoted) {
    char text[24];
    size_t n = 0;
    if (quoted) text[n++] = '"';
    n = static_cast<size_t>(std::to_chars(text + n, text + sizeof text, v).ptr - text);
    if (quoted) text[n++] = '"';
    return Put(text, n);
  }
  bool String(size_t start, size_t end, const char* what) {
    const int64_t r = json::WriteJsonString(out_, b_, start, end);
    if (r == json::kStringWritten) return true;
    if (r == json::kStringNoMemory) return OutOfMemory(start);
    return Fail(ErrorKind::kBadValue, std::string("invalid UTF-8 in ") + what, static_cast<size_t>(r));
  }

  // ---- wire ----

  bool Truncated(const char* what, size_t offset) { return Fail(ErrorKind::kTruncated, std::string("input ends inside ") + what, offset); }

  // A tag or length: bits past 32 dropped, as the twin's varint32.
  bool Varint32(size_t end, uint32_t* v) {
    uint32_t r = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      if (pos_ >= end) return Truncated("a varint", pos_);
      const uint8_t c = b_[pos_++];
      r |= static_cast<uint32_t>(c & 0x7f) << shift;
      if (c < 0x80) {
        *v = r;
        return true;
      }
    }
    for (int i = 0; i < 5; i++) {
      if (pos_ >= end) return Truncated("a varint", pos_);
      if (b_[pos_++] < 0x80) {
        *v = r;
        return true;
      }
    }
    return Fail(ErrorKind::kBadValue, "varint longer than 10 bytes", pos_ - 10);
  }

  bool Varint64(size_t end, uint64_t* v) {
    uint64_t r = 0;
    size_t p = pos_;
    for (int i = 0; i < 10; i++) {
      if (p >= end) {
        pos_ = end;
        return Truncated("a varint", end);
      }
      const uint8_t c = b_[p++];
      r |= static_cast<uint64_t>(c & 0x7f) << (7 * i);
      if (c < 0x80) {
        pos_ = p;
        *v = r;
        return true;
      }
    }
    return Fail(ErrorKind::kBadValue, "varint longer than 10 bytes", pos_);
  }

  uint32_t Fixed32(size_t at) const {
    uint32_t v;
    std::memcpy(&v, b_ + at, 4);
    return v;
  }
  uint64_t Fixed64(size_t at) const {
    uint64_t v;
    std::memcpy(&v, b_ + at, 8);
    return v;
  }

  const FieldDesc* ByNumber(const MessageDesc& d, uint32_t number) const {
    if (!d.by_number.empty()) {
      if (number >= d.by_number.size()) return nullptr;
      const int32_t i = d.by_number[number];
      return i < 0 ? nullptr : &d.fields[static_cast<size_t>(i)];
    }
    // Map.set in the twin's table: the last field with a number wins.
    for (size_t i = d.fields.size(); i-- > 0;) if (static_cast<uint32_t>(d.fields[i].number) == number) return &d.fields[i];
    return nullptr;
  }

  // ---- messages ----

  bool Message(const MessageDesc& d, size_t start, size_t end, int depth) {
    if (depth > t_.max_depth) return DepthFail(start);
    if (d.wkt != Wkt::kNone) return WellKnown(d, start, end, depth);
    if (!Char('{')) return false;
    bool any = false;
    if (!Fields(d, start, end, depth, &any)) return false;
    return Char('}');
  }

  // The well-known types whose JSON is a value of their fields (writeWellKnown in
  // to-json-wkt.ts): wrappers, Struct, ListValue, Value. Any, Timestamp, Duration and FieldMask
  // are the twin's, as are tables whose shapes for these types are not the real ones.
  bool WellKnown(const MessageDesc& d, size_t start, size_t end, int depth) {
    if (d.fields.empty()) return Defer();
    const FieldDesc& first = d.fields[0];
    switch (d.wkt) {
      case kWrapper:
        if (first.value.kind == kMessage || first.value.kind == kGroup || first.value.kind == kEnum) return Defer();
        break;
      case kStruct: case kListValue:
        break;
      case kValue:
        if (d.oneof_count < 1) return Defer();
        // Member 2 is read as 8 bytes of one double: a table where it is not one (a list or map
        // holds any number of bytes) is not the real type, and the twin reads it as it is.
        for (const FieldDesc& f : d.fields) if (f.number == 2 && (f.value.kind != kDouble || f.repeated || f.is_map)) return Defer();
        break;
      default:
        return Defer();
    }
    size_t base = 0;
    if (!Scan(d, start, end, depth, &base)) return false;
    const size_t n = d.fields.size();
    bool ok = false;
    switch (d.wkt) {
      case kWrapper: {
        const int32_t at = occ_.data[base + n];
        bool zero = false;
        ok = at == kAbsent ? DefaultJson(first) : Scalar(first.value, static_cast<size_t>(occ_.data[at + 2]), static_cast<size_t>(occ_.data[at + 3]), &zero);
        break;
      }
      case kStruct:
        ok = occ_.data[base] == kAbsent ? Put("{}", 2) : Map(first, base, depth);
        break;
      case kListValue:
        ok = occ_.data[base] == kAbsent ? Put("[]", 2) : List(first, base, depth);
        break;
      default:
        ok = ValueJson(d, base, start, depth);
    }
    top_ = base;
    return ok;
  }

  // google.protobuf.Value: its one member set.
  bool ValueJson(const MessageDesc& d, size_t base, size_t start, int depth) {
    const size_t n = d.fields.size();
    const int32_t member = occ_.data[base + 2 * n];
    if (member == kAbsent) return Fail(ErrorKind::kBadValue, "google.protobuf.Value has no kind set", start);
    const FieldDesc& f = d.fields[static_cast<size_t>(member)];
    const int32_t last = occ_.data[base + n + static_cast<size_t>(member)];
    if (f.number == 2) {
      const size_t at = static_cast<size_t>(occ_.data[last + 2]);
      double v;
      std::memcpy(&v, b_ + at, 8);
      if (!std::isfinite(v)) return Fail(ErrorKind::kBadValue, "google.protobuf.Value cannot hold NaN or Infinity in JSON", at);
    }
    path_.push_back({&f.json_name, 0});
    bool keep = true;
    if (!Singular(f, last, base + static_cast<size_t>(member), depth, &keep)) return false;
    path_.pop_back();
    return true;
  }

  bool Fields(const MessageDesc& d, size_t start, size_t end, int depth, bool* any) {
    size_t base = 0;
    if (!Scan(d, start, end, depth, &base)) return false;
    const size_t n = d.fields.size();
    for (size_t index = 0; index < n; index++) {
      const FieldDesc& f = d.fields[index];
      const int32_t head = occ_.data[base + index];
      if (f.oneof >= 0 && occ_.data[base + 2 * n + static_cast<size_t>(f.oneof)] != static_cast<int32_t>(index)) continue;
      if (head == kAbsent) {
        if (f.required) return Fail(ErrorKind::kRequiredField, "required field '" + f.name + "' of " + d.name + " is missing", start);
        if (!defaults_ || !(f.implicit || f.repeated)) continue;
      }
      if (!CheckOutput(head == kAbsent ? start : static_cast<size_t>(occ_.data[static_cast<size_t>(head) + 2]))) return false;
      const size_t mark = out_->pos;
      if (*any && !Char(',')) return false;
      // .proto names are identifiers: nothing in them needs escaping.
      if (proto_names_ ? !(Char('"') && Put(f.name) && Put("\":", 2)) : !Put(f.key)) return false;
      path_.push_back({&f.json_name, 0});
      bool keep = true;
      bool ok;
      if (head == kAbsent) ok = DefaultJson(f);
      else if (f.is_map) ok = Map(f, base + index, depth);
      else if (f.repeated) ok = List(f, base + index, depth);
      else ok = Singular(f, occ_.data[base + n + index], base + index, depth, &keep);
      if (!ok) return false;
      path_.pop_back();
      if (keep) *any = true;
      else out_->pos = mark;
    }
    top_ = base;
    return true;
  }

  // Records the occurrences of d's fields in [start, end) above top_ (layout as scan in the twin).
  bool Scan(const MessageDesc& d, size_t start, size_t end, int depth, size_t* base_out) {
    const size_t n = d.fields.size();
    const size_t base = top_;
    size_t top = base + 2 * n + static_cast<size_t>(d.oneof_count);
    if (!occ_.Reserve(top)) return OutOfMemory(start);
    for (size_t i = base; i < top; i++) occ_.data[i] = kAbsent;
    size_t p = start;
    while (p < end) {
      const size_t tag_at = p;
      pos_ = p;
      uint32_t tag = 0;
      if (!Varint32(end, &tag)) return false;
      p = pos_;
      const uint32_t number = tag >> 3;
      const uint32_t wire = tag & 7;
      if (number == 0) return Fail(ErrorKind::kBadType, "field number 0", tag_at);
      size_t value_start = p;
      size_t value_end = 0;
      uint64_t value = 0;
      switch (wire) {
        case kVarint:
          pos_ = p;
          if (!Varint64(end, &value)) return false;
          value_end = pos_;
          break;
        case kI64:
          value_end = p + 8;
          break;
        case kI32:
          value_end = p + 4;
          break;
        case kLen: {
          pos_ = p;
          uint32_t len = 0;
          if (!Varint32(end, &len)) return false;
          value_start = pos_;
          if (len > end - value_start) {
            std::string m = "length ";
            AppendInt(&m, len);
            m += " runs past the end of the message";
            return Fail(ErrorKind::kTruncated, std::move(m), p);
          }
          value_end = value_start + len;
          break;
        }
        case kStartGroup:
          if (!SkipGroup(p, end, number, depth + 1, &value_end)) return false;
          break;
        default: {
          if (wire == kEndGroup) return Fail(ErrorKind::kBadType, "unexpected end-group tag", tag_at);
          std::string m = "invalid wire type ";
          AppendInt(&m, wire);
          return Fail(ErrorKind::kBadType, std::move(m), tag_at);
        }
      }
      if (value_end > end) return Fail(ErrorKind::kTruncated, "input ends inside a field value", p);
      p = wire == kStartGroup ? pos_ : value_end;
      const FieldDesc* f = ByNumber(d, number);
      if (f == nullptr) continue;
      const int32_t fw = f->value.wire;
      if (static_cast<int32_t>(wire) != fw && !(wire == kLen && f->repeated && fw != kLen && f->value.kind != kGroup)) {
        std::string m = "field '" + f->name + "' of " + d.name + " has wire type ";
        AppendInt(&m, wire);
        m += ", expected ";
        AppendInt(&m, fw);
        return Fail(ErrorKind::kBadType, std::move(m), tag_at);
      }
      // A singular closed enum's unknown numbers are unknown fields, not values, as
      // @bufbuild/protobuf reads them (it keeps them in lists and maps).
      if (f->value.kind == kEnum && !f->repeated) {
        const EnumDesc& e = t_.enums[static_cast<size_t>(f->value.enum_index)];
        if (e.closed && EnumName(e, static_cast<int32_t>(value)) == nullptr) continue;
      }
      if (!occ_.Reserve(top + kOcc)) return OutOfMemory(tag_at);
      int32_t* occ = occ_.data;
      const int32_t index = static_cast<int32_t>(f - d.fields.data());
      occ[top] = index;
      occ[top + 1] = static_cast<int32_t>(wire);
      occ[top + 2] = static_cast<int32_t>(value_start);
      occ[top + 3] = static_cast<int32_t>(value_end);
      occ[top + 4] = kAbsent;
      const int32_t last = occ[base + n + static_cast<size_t>(index)];
      if (last == kAbsent) occ[base + static_cast<size_t>(index)] = static_cast<int32_t>(top);
      else occ[static_cast<size_t>(last) + 4] = static_cast<int32_t>(top);
      occ[base + n + static_cast<size_t>(index)] = static_cast<int32_t>(top);
      if (f->oneof >= 0) occ[base + 2 * n + static_cast<size_t>(f->oneof)] = index;
      top += kOcc;
    }
    top_ = top;
    *base_out = base;
    return true;
  }

  // Skips a group's fields from p; *end_tag: where its end tag starts; pos_ is left after it.
  bool SkipGroup(size_t p, size_t end, uint32_t number, int depth, size_t* end_tag) {
    if (depth > t_.max_depth) return DepthFail(p);
    while (p < end) {
      const size_t tag_at = p;
      pos_ = p;
      uint32_t t = 0;
      if (!Varint32(end, &t)) return false;
      const uint32_t wire = t & 7;
      switch (wire) {
        case kVarint: {
          uint64_t ignored = 0;
          if (!Varint64(end, &ignored)) return false;
          break;
        }
        case kI64: pos_ += 8; break;
        case kI32: pos_ += 4; break;
        case kLen: {
          uint32_t len = 0;
          if (!Varint32(end, &len)) return false;
          pos_ += len;
          break;
        }
        case kStartGroup: {
          size_t ignored = 0;
          if (!SkipGroup(pos_, end, t >> 3, depth + 1, &ignored)) return false;
          break;
        }
        case kEndGroup:
          if (t >> 3 != number) return Fail(ErrorKind::kBadType, "end-group tag does not match its start", tag_at);
          *end_tag = tag_at;
          return true;
        default: {
          std::string m = "invalid wire type ";
          AppendInt(&m, wire);
          return Fail(ErrorKind::kBadType, std::move(m), tag_at);
        }
      }
      if (pos_ > end) return Fail(ErrorKind::kTruncated, "input ends inside a group", tag_at);
      p = pos_;
    }
    return Fail(ErrorKind::kTruncated, "input ends inside a group", p);
  }

  // ---- values ----

  bool Singular(const FieldDesc& f, int32_t last, size_t first_slot, int depth, bool* keep) {
    const int32_t* occ = occ_.data;
    if (f.value.kind == kMessage || f.value.kind == kGroup) {
      const size_t head = static_cast<size_t>(occ[first_slot]);
      // Several occurrences merge into one message: the twin joins their bytes.
      if (occ[head + 4] != kAbsent) return Defer();
      return Message(t_.messages[static_cast<size_t>(f.value.message_index)], static_cast<size_t>(occ[head + 2]), static_cast<size_t>(occ[head + 3]), depth + 1);
    }
    const size_t at = static_cast<size_t>(last);
    bool zero = false;
    if (!Scalar(f.value, static_cast<size_t>(occ[at + 2]), static_cast<size_t>(occ[at + 3]), &zero)) return false;
    *keep = !(zero && f.implicit && !defaults_);
    return true;
  }

  // Writes one scalar or enum value held at [start, end); *zero: whether it is the zero value.
  bool Scalar(const ValueDesc& v, size_t start, size_t end, bool* zero) {
    switch (v.kind) {
      case kString:
        *zero = start == end;
        return String(start, end, "a string field");
      case kBytes:
        *zero = start == end;
        if (!Room((end - start + 2) / 3 * 4 + 2)) return false;
        out_->buf[out_->pos++] = '"';
        json::EncodeBase64(b_, start, end, out_);
        out_->buf[out_->pos++] = '"';
        return true;
      case kFloat: {
        float f;
        std::memcpy(&f, b_ + start, 4);
        return FloatJson(static_cast<double>(f), zero);
      }
      case kDouble: {
        double d;
        std::memcpy(&d, b_ + start, 8);
        return FloatJson(d, zero);
      }
      case kFixed32:
        *zero = Fixed32(start) == 0;
        return Unsigned(Fixed32(start), false);
      case kSfixed32:
        *zero = Fixed32(start) == 0;
        return Signed(static_cast<int32_t>(Fixed32(start)), false);
      case kFixed64:
        *zero = Fixed64(start) == 0;
        return Unsigned(Fixed64(start), true);
      case kSfixed64:
        *zero = Fixed64(start) == 0;
        return Signed(static_cast<int64_t>(Fixed64(start)), true);
      default: {
        pos_ = start;
        uint64_t value = 0;
        if (!Varint64(end, &value)) return false;
        return VarintJson(v, value, zero);
      }
    }
  }

  static const std::string* EnumName(const EnumDesc& e, int32_t number) {
    // The first name of a number, as the twin's names map keeps it.
    for (size_t i = 0; i < e.value_numbers.size(); i++) if (e.value_numbers[i] == number) return &e.value_names[i];
    return nullptr;
  }

  bool VarintJson(const ValueDesc& v, uint64_t value, bool* zero) {
    const uint32_t lo = static_cast<uint32_t>(value);
    switch (v.kind) {
      case kInt32:
        *zero = lo == 0;
        return Signed(static_cast<int32_t>(lo), false);
      case kUint32:
        *zero = lo == 0;
        return Unsigned(lo, false);
      case kSint32:
        *zero = lo == 0;
        return Signed(static_cast<int32_t>((lo >> 1) ^ (0u - (lo & 1))), false);
      case kInt64:
        *zero = value == 0;
        return Signed(static_cast<int64_t>(value), true);
      case kUint64:
        *zero = value == 0;
        return Unsigned(value, true);
      case kSint64:
        *zero = value == 0;
        return Signed(static_cast<int64_t>((value >> 1) ^ (0ull - (value & 1))), true);
      case kBool:
        *zero = value == 0;
        return value != 0 ? Put("true", 4) : Put("false", 5);
      default: {
        const EnumDesc& e = t_.enums[static_cast<size_t>(v.enum_index)];
        const int32_t n = static_cast<int32_t>(lo);
        *zero = n == 0;
        if (e.null_value) return Put("null", 4);
        const std::string* name = enum_numbers_ ? nullptr : EnumName(e, n);
        if (name == nullptr) return Signed(n, false);
        if (!Room(name->size() + 2)) return false;
        out_->buf[out_->pos++] = '"';
        std::memcpy(out_->buf + out_->pos, name->data(), name->size());
        out_->pos += name->size();
        out_->buf[out_->pos++] = '"';
        return true;
      }
    }
  }

  // A float or double as JSON.stringify writes it, NaN and the infinities as strings.
  bool FloatJson(double v, bool* zero) {
    *zero = v == 0 && !std::signbit(v);
    if (std::isnan(v)) return Put("\"NaN\"", 5);
    if (std::isinf(v)) return v > 0 ? Put("\"Infinity\"", 10) : Put("\"-Infinity\"", 11);
    char text[json::kNumberTextMax];
    return Put(text, json::JsNumberText(v, text));
  }

  // The zero value's JSON, for fields written only because defaults are asked for.
  bool DefaultJson(const FieldDesc& f) {
    if (f.is_map) return Put("{}", 2);
    if (f.repeated) return Put("[]", 2);
    return DefaultValueJson(f.value);
  }

  bool DefaultValueJson(const ValueDesc& v) {
    const int32_t k = v.kind;
    if (k == kString || k == kBytes) return Put("\"\"", 2);
    if (k >= kInt64 && k <= kFixed64) return Put("\"0\"", 3);
    if (k == kBool) return Put("false", 5);
    bool zero = false;
    if (k == kEnum) return VarintJson(v, 0, &zero);
    return Put("0", 1);
  }

  bool List(const FieldDesc& f, size_t slot, int depth) {
    if (!Char('[')) return false;
    int64_t count = 0;
    const bool message = f.value.kind == kMessage || f.value.kind == kGroup;
    for (int32_t at = occ_.data[slot]; at != kAbsent; at = occ_.data[static_cast<size_t>(at) + 4]) {
      const int32_t* occ = occ_.data + at;
      const int32_t wire = occ[1];
      const size_t start = static_cast<size_t>(occ[2]);
      const size_t end = static_cast<size_t>(occ[3]);
      if (message) {
        if (!CheckOutput(start)) return false;
        if (count++ > 0 && !Char(',')) return false;
        path_.push_back({nullptr, count - 1});
        if (!Message(t_.messages[static_cast<size_t>(f.value.message_index)], start, end, depth + 1)) return false;
        path_.pop_back();
      } else if (wire == kLen && f.value.wire != kLen) {
        if (!Packed(f, start, end, &count)) return false;
      } else {
        if (!CheckOutput(start)) return false;
        if (count++ > 0 && !Char(',')) return false;
        bool zero = false;
        if (!Scalar(f.value, start, end, &zero)) return false;
      }
    }
    return Char(']');
  }

  bool Packed(const FieldDesc& f, size_t start, size_t end, int64_t* count) {
    const int32_t w = f.value.wire;
    const size_t size = w == kI32 ? 4 : w == kI64 ? 8 : 0;
    if (size > 0 && (end - start) % size != 0) {
      std::string m = "packed " + f.name + " is not a whole number of ";
      AppendInt(&m, static_cast<int64_t>(size));
      m += "-byte values";
      return Fail(ErrorKind::kTruncated, std::move(m), start);
    }
    size_t p = start;
    bool zero = false;
    while (p < end) {
      if (!CheckOutput(p)) return false;
      if (size > 0) {
        if ((*count)++ > 0 && !Char(',')) return false;
        if (!Scalar(f.value, p, p + size, &zero)) return false;
        p += size;
        continue;
      }
      pos_ = p;
      uint64_t value = 0;
      if (!Varint64(end, &value)) return false;
      p = pos_;
      if ((*count)++ > 0 && !Char(',')) return false;
      if (!VarintJson(f.value, value, &zero)) return false;
    }
    return true;
  }

  // ---- maps ----

  // Where one entry's key and value are (end kAbsent: absent; the last of each wins).
  struct Entry {
    size_t key_start = 0;
    int64_t key_end = kAbsent;
    int32_t value_wire = kAbsent;
    size_t value_start = 0;
    size_t value_end = 0;
  };

  // Writes map field f as a JSON object when its entries can be written as they come: no key
  // repeats and no array-index key that a JavaScript object would move (the twin's inObjectOrder);
  // other maps are the twin's, which orders keys as @bufbuild/protobuf's object does. The entries
  // are recorded above the occurrences, where messages in the values then scan above them.
  bool Map(const FieldDesc& f, size_t slot, int depth) {
    const size_t first = top_;
    size_t count = 0;
    for (int32_t at = occ_.data[slot]; at != kAbsent; at = occ_.data[static_cast<size_t>(at) + 4]) {
      Entry e;
      if (!MapEntry(f, static_cast<size_t>(occ_.data[at + 2]), static_cast<size_t>(occ_.data[at + 3]), &e)) return false;
      if (count < kMaxInOrderEntries) {
        if (!occ_.Reserve(first + (count + 1) * kEntryInts)) return OutOfMemory(pos_);
        StoreEntry(first + count * kEntryInts, e);
      }
      count++;
    }
    if (count > kMaxInOrderEntries || !InObjectOrder(f.map_key, first, count)) return Defer();
    top_ = first + count * kEntryInts;
    const bool message = f.map_value.kind == kMessage;
    const size_t map_start = static_cast<size_t>(occ_.data[static_cast<size_t>(occ_.data[slot]) + 2]);
    if (!Char('{')) return false;
    for (size_t i = 0; i < count; i++) {
      const Entry e = LoadEntry(first + i * kEntryInts);
      if (!CheckOutput(map_start)) return false;
      if (i > 0 && !Char(',')) return false;
      if (!MapKeyJson(f.map_key, e) || !Char(':')) return false;
      if (e.value_wire == kAbsent) {
        if (message) {
          if (!Message(t_.messages[static_cast<size_t>(f.map_value.message_index)], 0, 0, depth + 1)) return false;
        } else if (!DefaultValueJson(f.map_value)) {
          return false;
        }
      } else if (message) {
        if (!Message(t_.messages[static_cast<size_t>(f.map_value.message_index)], e.value_start, e.value_end, depth + 1)) return false;
      } else {
        bool zero = false;
        if (!Scalar(f.map_value, e.value_start, e.value_end, &zero)) return false;
      }
    }
    top_ = first;
    return Char('}');
  }

  // Past this many entries the twin's inObjectOrder gives up (pairwise key comparison).
  static constexpr size_t kMaxInOrderEntries = 32;
  static constexpr size_t kEntryInts = 5;

  void StoreEntry(size_t at, const Entry& e) {
    int32_t* o = occ_.data + at;
    o[0] = static_cast<int32_t>(e.key_start);
    o[1] = static_cast<int32_t>(e.key_end);
    o[2] = e.value_wire;
    o[3] = static_cast<int32_t>(e.value_start);
    o[4] = static_cast<int32_t>(e.value_end);
  }
  Entry LoadEntry(size_t at) const {
    const int32_t* o = occ_.data + at;
    Entry e;
    e.key_start = static_cast<size_t>(o[0]);
    e.key_end = o[1];
    e.value_wire = o[2];
    e.value_start = static_cast<size_t>(o[3]);
    e.value_end = static_cast<size_t>(o[4]);
    return e;
  }

  bool MapEntry(const FieldDesc& f, size_t start, size_t end, Entry* e) {
    size_t p = start;
    while (p < end) {
      const size_t tag_at = p;
      pos_ = p;
      uint32_t t = 0;
      if (!Varint32(end, &t)) return false;
      const uint32_t number = t >> 3;
      const uint32_t w = t & 7;
      const size_t at = pos_;
      size_t value_start = at;
      size_t value_end = 0;
      if (w == kVarint) {
        uint64_t ignored = 0;
        if (!Varint64(end, &ignored)) return false;
        value_end = pos_;
      } else if (w == kI64) {
        value_end = at + 8;
      } else if (w == kI32) {
        value_end = at + 4;
      } else if (w == kLen) {
        uint32_t len = 0;
        if (!Varint32(end, &len)) return false;
        value_start = pos_;
        value_end = value_start + len;
      } else if (w == kStartGroup) {
        if (!SkipGroup(at, end, number, 1, &value_end)) return false;
        value_start = at;
      } else {
        std::string m = "invalid wire type ";
        AppendInt(&m, w);
        m += " in a map entry";
        return Fail(ErrorKind::kBadType, std::move(m), tag_at);
      }
      if (value_end > end) return Fail(ErrorKind::kTruncated, "input ends inside a map entry", at);
      p = w == kStartGroup ? pos_ : value_end;
      if (number == 1) {
        if (static_cast<int32_t>(w) != f.map_key.wire) return WireMismatch("map key", w, f.map_key.wire, tag_at);
        e->key_start = value_start;
        e->key_end = static_cast<int64_t>(value_end);
      } else if (number == 2) {
        if (static_cast<int32_t>(w) != f.map_value.wire) return WireMismatch("map value", w, f.map_value.wire, tag_at);
        e->value_wire = static_cast<int32_t>(w);
        e->value_start = value_start;
        e->value_end = value_end;
      }
    }
    return true;
  }

  bool WireMismatch(const char* what, uint32_t wire, int32_t expected, size_t at) {
    std::string m = std::string(what) + " has wire type ";
    AppendInt(&m, wire);
    m += ", expected ";
    AppendInt(&m, expected);
    return Fail(ErrorKind::kBadType, std::move(m), at);
  }

  // The key's integer (32-bit kinds: the low half only; bool: 0 or 1).
  uint64_t KeyInteger(const ValueDesc& key, const Entry& e) {
    uint64_t v = 0;
    if (key.wire == kVarint) {
      pos_ = e.key_start;
      static_cast<void>(Varint64(static_cast<size_t>(e.key_end), &v));  // MapEntry read it already
    } else if (key.wire == kI64) {
      v = Fixed64(e.key_start);
    } else {
      v = Fixed32(e.key_start);
    }
    if (key.kind < kInt64) v &= 0xffffffffu;
    if (key.kind == kBool) v = v != 0 ? 1 : 0;
    return v;
  }

  // The key's value when it is a JavaScript array index (0 to 2^32-2), else -1.
  int64_t KeyIndex(const ValueDesc& key, const Entry& e) {
    if (e.key_end == kAbsent) return key.kind == kString || key.kind == kBool ? -1 : 0;
    if (key.kind == kString) {
      const size_t start = e.key_start;
      const size_t n = static_cast<size_t>(e.key_end) - start;
      if (n == 0 || n > 10 || (b_[start] == '0' && n > 1)) return -1;
      int64_t v = 0;
      for (size_t i = 0; i < n; i++) {
        const int d = b_[start + i] - '0';
        if (d < 0 || d > 9) return -1;
        v = v * 10 + d;
      }
      return v < 4294967295 ? v : -1;
    }
    if (key.kind == kBool) return -1;
    const uint64_t v = KeyInteger(key, e);
    const uint32_t lo = static_cast<uint32_t>(v);
    switch (key.kind) {
      case kInt32: case kSfixed32: return static_cast<int32_t>(lo) >= 0 ? lo : -1;
      case kSint32: return (lo & 1) == 0 ? lo >> 1 : -1;
      case kUint32: case kFixed32: return lo < 4294967295u ? lo : -1;
      case kSint64: return (v & 1) == 0 && (v >> 1) < 4294967295u ? static_cast<int64_t>(v >> 1) : -1;
      default: return v < 4294967295u ? static_cast<int64_t>(v) : -1;
    }
  }

  bool SameKey(const ValueDesc& key, const Entry& a, const Entry& b) {
    if (a.key_end == kAbsent || b.key_end == kAbsent) {
      if (a.key_end == kAbsent && b.key_end == kAbsent) return true;
      // An absent key is the zero key.
      const Entry& present = a.key_end == kAbsent ? b : a;
      if (key.kind == kString) return static_cast<size_t>(present.key_end) == present.key_start;
      return KeyInteger(key, present) == 0;
    }
    if (key.kind == kString) {
      const size_t na = static_cast<size_t>(a.key_end) - a.key_start;
      return na == static_cast<size_t>(b.key_end) - b.key_start && std::memcmp(b_ + a.key_start, b_ + b.key_start, na) == 0;
    }
    return KeyInteger(key, a) == KeyInteger(key, b);
  }

  bool InObjectOrder(const ValueDesc& key, size_t first, size_t n) {
    int64_t last_index = -1;
    bool saw_other = false;
    for (size_t i = 0; i < n; i++) {
      const Entry e = LoadEntry(first + i * kEntryInts);
      const int64_t index = KeyIndex(key, e);
      if (index >= 0) {
        if (saw_other || index <= last_index) return false;
        last_index = index;
        continue;
      }
      saw_other = true;
      // Index keys are distinct by ascending order; the others are compared with each other.
      for (size_t j = 0; j < i; j++) if (SameKey(key, e, LoadEntry(first + j * kEntryInts))) return false;
    }
    return true;
  }

  bool MapKeyJson(const ValueDesc& key, const Entry& e) {
    if (e.key_end == kAbsent) {
      if (key.kind == kString) return Put("\"\"", 2);
      return key.kind == kBool ? Put("\"false\"", 7) : Put("\"0\"", 3);
    }
    const size_t end = static_cast<size_t>(e.key_end);
    if (key.kind == kString) return String(e.key_start, end, "a map key");
    // 64-bit integers are written quoted already.
    const bool quoted = key.kind >= kInt64 && key.kind <= kFixed64;
    bool zero = false;
    if (!quoted && !Char('"')) return false;
    if (!Scalar(key, e.key_start, end, &zero)) return false;
    return quoted || Char('"');
  }
};

}  // namespace

Outcome ToJson(const Table& table, const uint8_t* src, size_t length, uint32_t flags, Sink* out, Error* error) {
  return WireToProtoJson(table, src, length, flags, out, error).Run();
}

}  // namespace heddle::codec::proto_json
