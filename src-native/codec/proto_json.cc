// ProtoJSON to Protobuf wire bytes (proto_json.h), following src-ts/gateway/proto-json/from-json.ts
// step by step: the order of checks is the twin's, because that order decides which error a bad
// input gets. Every write makes its room through Sink::TryEnsure, so running out of memory is an
// error report, not an abort.
#include "codec/proto_json.h"

#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "codec/json_base64.h"
#include "codec/json_token_reader.h"

namespace heddle::codec::proto_json {
namespace {

using namespace json;  // the tokenizer, path and error report shared with the Thrift converter

// What a value writer did (Written in from-json.ts); kFailed: it failed and reported why.
enum class Written { kValue, kZero, kSkipped, kFailed };

const char* KindName(int32_t kind) {
  static const char* const kNames[] = {"int32", "sint32", "sfixed32", "uint32", "fixed32", "int64", "sint64", "sfixed64", "uint64",
                                       "fixed64", "bool", "float", "double", "string", "bytes", "enum", "message", "group"};
  return kind >= 0 && kind <= kGroup ? kNames[kind] : "unknown";
}

bool IsUnsigned(int32_t kind) { return kind == kUint32 || kind == kFixed32 || kind == kUint64 || kind == kFixed64; }

// Map keys seen so far in the maps being read, stacked like the path: byte ranges of unescaped
// string keys, or 64-bit integer keys. Kept per thread between calls, as the path is.
struct KeyStacks {
  std::vector<std::string_view> strings;
  std::vector<uint64_t> integers;
  std::vector<int32_t> oneofs;
};
KeyStacks& Keys() {
  static thread_local KeyStacks keys;
  return keys;
}

// Up to this many keys a map's duplicates are found by comparing in place; past it, or at the
// first escaped key, through a hash set of the unescaped keys (MapKeys in map-keys.ts).
constexpr size_t kLinearKeys = 32;

class ProtoJsonToWire : JsonTokenReader {
 public:
  ProtoJsonToWire(const Table& table, const uint8_t* src, size_t length, bool ignore_unknown, Sink* out, Error* error)
      : JsonTokenReader(src, length, table.max_depth, error), t_(table), ignore_(ignore_unknown), out_(out) {
    scratch_.Trim();
    keys_.strings.clear();
    keys_.integers.clear();
    keys_.oneofs.clear();
  }

  Outcome Run() {
    out_->pos = 0;
    const MessageDesc& root = t_.messages[0];
    // MessageBody reads a top-level Value's null too (topLevel in from-json.ts).
    if (!MessageBody(root, 1)) return outcome_;
    if (Peek() != -1) return MalformedAt("the end of the input", pos_), Outcome::kError;
    if (static_cast<int64_t>(out_->pos) > t_.max_size) {
      std::string m = "encoded message of ";
      AppendInt(&m, static_cast<int64_t>(out_->pos));
      m += " bytes is over the ";
      AppendInt(&m, t_.max_size);
      m += "-byte limit";
      return FailNoPlace(ErrorKind::kSizeLimit, std::move(m));
    }
    return Outcome::kOk;
  }

 private:
  const Table& t_;
  bool ignore_;
  Sink* out_;
  Sink& scratch_ = Stacks().scratch;
  KeyStacks& keys_ = Keys();

  // ---- output ----

  bool Room(size_t n) { return out_->TryEnsure(n) || OutOfMemory(pos_); }

  // Unchecked writers: the caller made room.
  void Varint(uint64_t v) {
    uint8_t* b = out_->buf;
    size_t p = out_->pos;
    while (v >= 0x80) {
      b[p++] = static_cast<uint8_t>(v | 0x80);
      v >>= 7;
    }
    b[p++] = static_cast<uint8_t>(v);
    out_->pos = p;
  }
  void Tag(int32_t number, int32_t wire) { Varint((static_cast<uint64_t>(static_cast<uint32_t>(number)) << 3) | static_cast<uint32_t>(wire)); }
  void Fixed(uint64_t v, int bytes) {
    for (int i = 0; i < bytes; i++) out_->buf[out_->pos++] = static_cast<uint8_t>(v >> (8 * i));
  }

  // A tag with room for a following value of up to `value_room` bytes.
  bool TagWithRoom(int32_t number, int32_t wire, size_t value_room) {
    if (!Room(5 + value_room)) return false;
    Tag(number, wire);
    return true;
  }

  // Reserves the one-byte form of a length prefix; returns where it is (beginLen).
  size_t BeginLen() {
    out_->buf[out_->pos++] = 0;
    return out_->pos - 1;
  }

  // Writes the length of what follows the prefix at `at`, moving it when it needs more bytes.
  bool EndLen(size_t at) {
    const size_t size = out_->pos - at - 1;
    if (size < 0x80) {
      out_->buf[at] = static_cast<uint8_t>(size);
      return true;
    }
    size_t n = 1;
    for (size_t v = size; v >= 0x80; v >>= 7) n++;
    if (!Room(n - 1)) return false;
    std::memmove(out_->buf + at + n, out_->buf + at + 1, size);
    const size_t end = out_->pos + n - 1;
    out_->pos = at;
    Varint(size);
    out_->pos = end;
    return true;
  }

  // ---- errors ----

  // keyName in json-reader.ts: the member name at `at`, as JSON text.
  std::string KeyName(size_t at) const {
    std::string s;
    AppendJsonQuoted(&s, KeyText(at));
    return s;
  }

  // ---- messages ----

  // messageBody: a well-known type's JSON form or an object of fields.
  bool MessageBody(const MessageDesc& d, int depth) {
    if (depth > max_depth_) return DepthFail();
    if (d.wkt == kWrapper) {
      const FieldDesc& f = d.fields[0];
      const size_t before = out_->pos;
      if (!TagWithRoom(1, f.value.wire, 0)) return false;
      const Written w = Value(f.value, depth);
      if (w == Written::kFailed) return false;
      if (w != Written::kValue) out_->pos = before;
      return true;
    }
    switch (d.wkt) {
      case kNone:
        return Object(d, depth);
      // A Struct is its map<string, Value> field; a ListValue its repeated Value field.
      case kStruct:
        return Map(d.fields[0], depth + 1);
      case kListValue:
        return List(d.fields[0], depth + 1);
      case kValue:
        return ValueBody(d, depth);
      default:
        outcome_ = Outcome::kDefer;
        return false;
    }
  }

  // A google.protobuf.Value body from any JSON value: the oneof member its JSON type names
  // (value in from-json-wkt.ts).
  bool ValueBody(const MessageDesc& d, int depth) {
    const int c = Peek();
    switch (c) {
      case 'n':
        if (!Literal("null") || !TagWithRoom(1, kVarint, 1)) return false;
        out_->buf[out_->pos++] = 0;
        return true;
      case 't':
      case 'f':
        if (!Literal(c == 't' ? "true" : "false") || !TagWithRoom(4, kVarint, 1)) return false;
        out_->buf[out_->pos++] = c == 't' ? 1 : 0;
        return true;
      case '"': {
        const size_t close = ScanString();
        if (close == SIZE_MAX || !TagWithRoom(3, kLen, 0)) return false;
        return StringContent(start_, close, escaped_) >= 0;
      }
      case '{':
      case '[': {
        const int32_t number = c == '{' ? 5 : 6;
        const FieldDesc* field = nullptr;
        for (const FieldDesc& f : d.fields) field = f.number == number ? &f : field;
        if (field == nullptr || field->value.kind != kMessage) return Fail(ErrorKind::kBadType, "google.protobuf.Value without its struct or list member", pos_);
        if (!TagWithRoom(number, kLen, 1)) return false;
        const size_t at = BeginLen();
        return MessageBody(t_.messages[static_cast<size_t>(field->value.message_index)], depth + 1) && EndLen(at);
      }
      default: {
        if (!(c == '-' || IsDigit(c))) return MalformedAt("a value", pos_);
        const size_t start = pos_;
        const size_t end = ScanNumber(false);
        if (end == SIZE_MAX) return false;
        const double v = ParseDouble(b_, start, end);
        if (!std::isfinite(v)) return Fail(ErrorKind::kBadValue, "number out of range for a double", start);
        if (!TagWithRoom(2, kI64, 8)) return false;
        uint64_t bits;
        std::memcpy(&bits, &v, 8);
        Fixed(bits, 8);
        return true;
      }
    }
  }

  // The field whose JSON or .proto name is the member name [start, end) (lookup in from-json.ts).
  const FieldDesc* Lookup(const MessageDesc& d, size_t start, size_t end, size_t hint, bool* failed) {
    const size_t n = end - start;
    const auto same = [](const std::string& name, const void* bytes, size_t size) {
      return name.size() == size && std::memcmp(name.data(), bytes, size) == 0;
    };
    if (escaped_) {
      scratch_.pos = 0;
      if (!Unescape(start, end, &scratch_)) {
        *failed = true;
        return nullptr;
      }
      // byName: the last field that has the name.
      for (size_t i = d.fields.size(); i-- > 0;) {
        const FieldDesc& f = d.fields[i];
        if (same(f.name, scratch_.buf, scratch_.pos) || same(f.json_name, scratch_.buf, scratch_.pos)) return &f;
      }
      return nullptr;
    }
    if (hint < d.fields.size() && d.fields[hint].key.size() == n + 3 && std::memcmp(d.fields[hint].key.data() + 1, b_ + start, n) == 0) {
      return &d.fields[hint];
    }
    // byLength: the first field, json_name before name.
    for (const FieldDesc& f : d.fields) {
      if (same(f.json_name, b_ + start, n) || same(f.name, b_ + start, n)) return &f;
    }
    return nullptr;
  }

  bool Object(const MessageDesc& d, int depth) {
    if (Peek() != '{') return WrongType("an object");
    pos_++;
    const size_t seen = seen_.size();
    seen_.resize(seen + d.fields.size(), 0);
    std::vector<int32_t>& oneofs = keys_.oneofs;
    const size_t oneof_base = oneofs.size();
    oneofs.resize(oneof_base + static_cast<size_t>(d.oneof_count), -1);
    size_t next = 0;
    if (!Empty('}')) {
      int done;
      do {
        const FieldDesc* field = nullptr;
        size_t key_at = 0;
        const FieldDesc* expected = next < d.fields.size() ? &d.fields[next] : nullptr;
        if (!MemberField(expected, [&](size_t start, size_t close, bool* failed) { return Lookup(d, start, close, next, failed); }, &field, &key_at)) return false;
        if (field == nullptr) {
          if (!ignore_) return Fail(ErrorKind::kBadValue, "unknown field " + KeyName(key_at) + " of " + d.name, key_at);
          if (!SkipValue(depth)) return false;
        } else if (!Member(d, *field, key_at, seen, oneof_base, depth)) {
          return false;
        }
        next = field == nullptr ? next : static_cast<size_t>(field - d.fields.data()) + 1;
        done = EndOrComma('}');
        if (done < 0) return false;
      } while (done == 0);
    }
    if (d.has_required) {
      for (size_t i = 0; i < d.fields.size(); i++) {
        const FieldDesc& f = d.fields[i];
        if (f.required && seen_[seen + i] == 0) {
          return Fail(ErrorKind::kRequiredField, "required field '" + f.name + "' of " + d.name + " is missing", pos_ - 1);
        }
      }
    }
    seen_.resize(seen);
    oneofs.resize(oneof_base);
    return true;
  }

  // One member whose field is known: the checks of object() in from-json.ts, then its value.
  bool Member(const MessageDesc& d, const FieldDesc& field, size_t key_at, size_t seen, size_t oneof_base, int depth) {
    const size_t index = static_cast<size_t>(&field - d.fields.data());
    if (seen_[seen + index] == 1) return Fail(ErrorKind::kBadValue, "field '" + field.name + "' of " + d.name + " is set twice", key_at);
    seen_[seen + index] = 1;
    path_.push_back(PathSegment{PathSegment::kField, 0, &field.json_name});
    const bool is_null = Peek() == 'n';
    // A null scalar in a oneof leaves the oneof alone, as @bufbuild/protobuf reads it.
    if (field.oneof >= 0 && !(is_null && field.value.kind < kEnum)) {
      int32_t& slot = keys_.oneofs[oneof_base + static_cast<size_t>(field.oneof)];
      if (slot >= 0) {
        return Fail(ErrorKind::kBadValue, "oneof of '" + field.name + "' is already set by '" + d.fields[static_cast<size_t>(slot)].name + "'", key_at);
      }
      slot = static_cast<int32_t>(index);
    }
    bool ok;
    if (is_null) ok = NullValue(field);
    else if (field.is_map) ok = Map(field, depth + 1);
    else if (field.repeated) ok = List(field, depth + 1);
    else ok = Singular(field, depth);
    if (!ok) return false;
    path_.pop_back();
    return true;
  }

  bool IsValueMessage(const ValueDesc& v) const {
    return v.kind == kMessage && t_.messages[static_cast<size_t>(v.message_index)].wkt == kValue;
  }
  bool IsNullEnum(const ValueDesc& v) const { return v.kind == kEnum && t_.enums[static_cast<size_t>(v.enum_index)].null_value; }

  // A google.protobuf.Value holding null, with its length: 2, tag 1 varint, 0.
  void NullValueBody() {
    out_->buf[out_->pos++] = 2;
    Tag(1, kVarint);
    out_->buf[out_->pos++] = 0;
  }

  // `null` as a field's value: the default, which for most fields means writing nothing.
  bool NullValue(const FieldDesc& field) {
    if (!Literal("null")) return false;
    if (field.repeated) return true;
    if (IsNullEnum(field.value) && !field.implicit) {
      if (!TagWithRoom(field.number, kVarint, 1)) return false;
      out_->buf[out_->pos++] = 0;
    } else if (IsValueMessage(field.value)) {
      if (!TagWithRoom(field.number, kLen, 3)) return false;
      NullValueBody();
    }
    return true;
  }

  bool Singular(const FieldDesc& field, int depth) {
    const size_t before = out_->pos;
    if (field.value.kind == kGroup) return Group(field, depth);
    if (!TagWithRoom(field.number, field.value.wire, 0)) return false;
    const Written w = Value(field.value, depth);
    if (w == Written::kFailed) return false;
    if (w == Written::kSkipped || (w == Written::kZero && field.implicit)) out_->pos = before;
    return true;
  }

  bool Group(const FieldDesc& field, int depth) {
    if (!TagWithRoom(field.number, kStartGroup, 0)) return false;
    if (!MessageBody(t_.messages[static_cast<size_t>(field.value.message_index)], depth + 1)) return false;
    if (!TagWithRoom(field.number, kEndGroup, 0)) return false;
    return true;
  }

  // ---- values ----

  // One value of its kind, without a tag (LEN kinds with their length).
  Written Value(const ValueDesc& v, int depth) {
    const int c = Peek();
    switch (v.kind) {
      case kBool:
        if (c == 't' || c == 'f') {
          if (!Literal(c == 't' ? "true" : "false") || !Room(1)) return Written::kFailed;
          out_->buf[out_->pos++] = c == 't' ? 1 : 0;
          return c == 't' ? Written::kValue : Written::kZero;
        }
        WrongType("a boolean");
        return Written::kFailed;
      case kFloat:
      case kDouble:
        return Float(v.kind, c);
      case kString: {
        if (c != '"') return WrongType("a string"), Written::kFailed;
        const size_t close = ScanString();
        if (close == SIZE_MAX) return Written::kFailed;
        const int64_t n = StringContent(start_, close, escaped_);
        return n < 0 ? Written::kFailed : n == 0 ? Written::kZero : Written::kValue;
      }
      case kBytes:
        return Bytes(c);
      case kEnum:
        return Enum(t_.enums[static_cast<size_t>(v.enum_index)], c);
      case kMessage:
      case kGroup: {
        if (!Room(1)) return Written::kFailed;
        const size_t at = BeginLen();
        if (!MessageBody(t_.messages[static_cast<size_t>(v.message_index)], depth + 1) || !EndLen(at)) return Written::kFailed;
        return Written::kValue;
      }
      default:
        return Integer(v.kind, c);
    }
  }

  // String content [start, end) with its length prefix; the UTF-8 length, or -1 after failing.
  int64_t StringContent(size_t start, size_t end, bool escaped) {
    const uint8_t* src = b_ + start;
    size_t n = end - start;
    if (escaped) {
      scratch_.pos = 0;
      if (!Unescape(start, end, &scratch_)) return -1;
      src = scratch_.buf;
      n = scratch_.pos;
    }
    if (!Room(10 + n)) return -1;
    Varint(n);
    if (n != 0) std::memcpy(out_->buf + out_->pos, src, n);
    out_->pos += n;
    return static_cast<int64_t>(n);
  }

  // readBase64String in base64.ts.
  Written Bytes(int c) {
    if (c != '"') return WrongType("a base64 string"), Written::kFailed;
    const size_t close = ScanString();
    if (close == SIZE_MAX) return Written::kFailed;
    const uint8_t* src = b_;
    size_t start = start_;
    size_t end = close;
    if (escaped_) {
      scratch_.pos = 0;
      if (!Unescape(start, end, &scratch_)) return Written::kFailed;
      src = scratch_.buf;
      start = 0;
      end = scratch_.pos;
    }
    const int64_t size = DecodedSize(src, start, end);
    if (size < 0) return Fail(ErrorKind::kBadValue, "invalid base64: bad length or padding", start_), Written::kFailed;
    if (!Room(10 + static_cast<size_t>(size))) return Written::kFailed;
    Varint(static_cast<uint64_t>(size));
    const int64_t bad = DecodeBase64(src, start, end, out_);
    if (bad >= 0) return Fail(ErrorKind::kBadValue, "invalid base64 character", escaped_ ? start_ : static_cast<size_t>(bad)), Written::kFailed;
    return size == 0 ? Written::kZero : Written::kValue;
  }

  // Where the JSON number grammar (leading zeros allowed, as in ProtoJSON strings) ends in
  // [start, end); SIZE_MAX when it does not start there (numberTextEnd in from-json.ts).
  size_t NumberTextEnd(size_t start, size_t end) const {
    size_t p = start;
    if (p < end && b_[p] == '-') p++;
    const size_t digits_at = p;
    while (p < end && IsDigit(b_[p])) p++;
    if (p == digits_at) return SIZE_MAX;
    if (p < end && b_[p] == '.') {
      const size_t at = ++p;
      while (p < end && IsDigit(b_[p])) p++;
      if (p == at) return SIZE_MAX;
    }
    if (p < end && (b_[p] == 'e' || b_[p] == 'E')) {
      p++;
      if (p < end && (b_[p] == '+' || b_[p] == '-')) p++;
      const size_t at = p;
      while (p < end && IsDigit(b_[p])) p++;
      if (p == at) return SIZE_MAX;
    }
    return p;
  }

  bool TextIs(size_t start, size_t end, const char* word) const {
    const size_t n = std::strlen(word);
    return end - start == n && std::memcmp(b_ + start, word, n) == 0;
  }

  Written Float(int32_t kind, int c) {
    double v;
    if (c == '"') {
      const size_t close = ScanString();
      if (close == SIZE_MAX) return Written::kFailed;
      if (!escaped_ && TextIs(start_, close, "NaN")) v = NAN;
      else if (!escaped_ && TextIs(start_, close, "Infinity")) v = INFINITY;
      else if (!escaped_ && TextIs(start_, close, "-Infinity")) v = -INFINITY;
      else {
        if (escaped_ || close == start_ || NumberTextEnd(start_, close) != close) {
          return Fail(ErrorKind::kBadValue, "expected a number, \"NaN\", \"Infinity\" or \"-Infinity\"", start_ - 1), Written::kFailed;
        }
        v = ParseDouble(b_, start_, close);
        if (!std::isfinite(v)) return Fail(ErrorKind::kBadValue, "number out of range for a double", start_ - 1), Written::kFailed;
      }
    } else if (c == '-' || IsDigit(c)) {
      const size_t start = pos_;
      const size_t end = ScanNumber(false);
      if (end == SIZE_MAX) return Written::kFailed;
      v = ParseDouble(b_, start, end);
      if (!std::isfinite(v)) return Fail(ErrorKind::kBadValue, "number out of range for a double", start), Written::kFailed;
    } else {
      return WrongType("a number"), Written::kFailed;
    }
    if (!Room(8)) return Written::kFailed;
    if (kind == kFloat) {
      if (std::isfinite(v) && (v > FLT_MAX || v < -FLT_MAX)) {
        // `${v}` in JS: shortest round-trip digits, exponent form at this size.
        char text[32];
        const auto r = std::to_chars(text, text + sizeof text, v, std::chars_format::scientific);
        return Fail(ErrorKind::kBadValue, std::string(text, r.ptr) + " is out of range for a float", pos_ - 1), Written::kFailed;
      }
      const float f = static_cast<float>(v);
      uint32_t bits;
      std::memcpy(&bits, &f, 4);
      Fixed(bits, 4);
    } else {
      uint64_t bits;
      std::memcpy(&bits, &v, 8);
      Fixed(bits, 8);
    }
    return v == 0 && !std::signbit(v) ? Written::kZero : Written::kValue;
  }

  Written Enum(const EnumDesc& e, int c) {
    int64_t n;
    if (c == '"') {
      const size_t at = pos_;
      const size_t close = ScanString();
      if (close == SIZE_MAX) return Written::kFailed;
      std::string_view name(reinterpret_cast<const char*>(b_) + start_, close - start_);
      if (escaped_) {
        scratch_.pos = 0;
        if (!Unescape(start_, close, &scratch_)) return Written::kFailed;
        name = std::string_view(reinterpret_cast<const char*>(scratch_.buf), scratch_.pos);
      }
      size_t i = 0;
      while (i < e.value_names.size() && e.value_names[i] != name) i++;
      if (i == e.value_names.size()) {
        if (ignore_) return Written::kSkipped;
        std::string m;
        AppendJsonQuoted(&m, std::string(name));
        return Fail(ErrorKind::kBadValue, m + " is not a value of enum " + e.name, at), Written::kFailed;
      }
      n = e.value_numbers[i];
    } else if (c == '-' || IsDigit(c)) {
      const size_t at = pos_;
      if (!ReadInteger(kInt32, c)) return Written::kFailed;
      n = static_cast<int32_t>(value_);
      if (e.closed) {
        bool known = false;
        for (const int32_t k : e.value_numbers) known = known || k == n;
        if (!known) {
          std::string m;
          AppendInt(&m, n);
          return Fail(ErrorKind::kBadValue, m + " is not a value of closed enum " + e.name, at), Written::kFailed;
        }
      }
    } else if (c == 'n' && e.null_value) {
      if (!Literal("null")) return Written::kFailed;
      n = 0;
    } else {
      return WrongType("an enum name or number"), Written::kFailed;
    }
    if (!Room(10)) return Written::kFailed;
    Varint(static_cast<uint64_t>(n));
    return n == 0 ? Written::kZero : Written::kValue;
  }

  Written Integer(int32_t kind, int c) {
    if (!ReadInteger(kind, c) || !Room(10)) return Written::kFailed;
    const uint64_t v = value_;
    const int32_t lo = static_cast<int32_t>(v);
    switch (kind) {
      case kInt32: Varint(static_cast<uint64_t>(static_cast<int64_t>(lo))); break;
      case kSint32: Varint((static_cast<uint32_t>(lo) << 1) ^ static_cast<uint32_t>(lo >> 31)); break;
      case kUint32: Varint(static_cast<uint32_t>(lo)); break;
      case kSfixed32:
      case kFixed32: Fixed(static_cast<uint32_t>(lo), 4); break;
      case kInt64:
      case kUint64: Varint(v); break;
      case kSint64: Varint((v << 1) ^ static_cast<uint64_t>(static_cast<int64_t>(v) >> 63)); break;
      default: Fixed(v, 8);
    }
    return v == 0 ? Written::kZero : Written::kValue;
  }

  // An integer of `kind` (a JSON number, or a string holding one) exactly into value_, as
  // integerHalves and smallInteger in from-json.ts read it. Fractions and exponents are deferred.
  bool ReadInteger(int32_t kind, int c) {
    if (PlainInteger(kind, c)) return true;
    size_t start;
    size_t end;
    const bool quoted = c == '"';
    if (quoted) {
      const size_t close = ScanString();
      if (close == SIZE_MAX) return false;
      start = start_;
      end = close;
      if (escaped_ || start == end || NumberTextEnd(start, end) != end) {
        return Fail(ErrorKind::kBadValue, std::string("expected ") + KindName(kind) + " in a string, found " + KeyName(start - 1), start - 1);
      }
    } else if (c == '-' || IsDigit(c)) {
      start = pos_;
      end = ScanNumber(false);
      if (end == SIZE_MAX) return false;
    } else {
      return WrongType((std::string(KindName(kind)) + " (a number or a string)").c_str());
    }
    const size_t at = quoted ? start - 1 : start;
    const bool negative = b_[start] == '-';
    const size_t first = negative ? start + 1 : start;
    // The magnitude, exactly, with overflow past 64 bits noted; a fraction or an exponent is the twin's.
    uint64_t m = 0;
    bool overflow = false;
    for (size_t p = first; p < end; p++) {
      const uint64_t d = static_cast<uint64_t>(b_[p]) - '0';
      if (d > 9) {
        outcome_ = Outcome::kDefer;
        return false;
      }
      if (m > (UINT64_MAX - d) / 10) overflow = true;
      else m = m * 10 + d;
    }
    const bool wide = kind >= kInt64;
    const bool is_unsigned = IsUnsigned(kind);
    const size_t digits = end - first;
    bool ok;
    if (!wide && !is_unsigned) {
      // 32 bits: the twin reads at most 15 digits (leading zeros count) for them.
      ok = digits <= 15 && (negative ? m <= 2147483648u : m < 2147483648u);
    } else {
      // Read as a signed 64-bit value first, as the twin does.
      ok = !overflow && (negative ? m <= (uint64_t{1} << 63) : m < (uint64_t{1} << 63));
      if (ok && is_unsigned) ok = wide ? (!negative || m == 0) : (!negative || m == 0) && m < (uint64_t{1} << 32);
      else if (!ok && is_unsigned && wide && !negative) ok = !overflow;
    }
    if (!ok) {
      std::string m_text(reinterpret_cast<const char*>(b_) + start, end - start);
      return Fail(ErrorKind::kBadValue, m_text + " is out of range for " + KindName(kind), at);
    }
    value_ = negative ? uint64_t{0} - m : m;
    return true;
  }

  // The common case in one pass (smallInteger in from-json.ts): up to 18 plain digits, optionally
  // negative, unquoted or alone in a string, in range for `kind`, into value_. False, having
  // consumed nothing, for anything else, which ReadInteger then reads step by step.
  bool PlainInteger(int32_t kind, int c) {
    const bool quoted = c == '"';
    size_t p = quoted ? pos_ + 1 : pos_;
    const bool negative = p < end_ && b_[p] == '-';
    if (negative) p++;
    const size_t first = p;
    uint64_t m = 0;
    if (p < end_ && b_[p] == '0') {
      p++;
    } else {
      while (p < end_ && p - first < 19 && IsDigit(b_[p])) m = m * 10 + (b_[p++] - '0');
    }
    const size_t digits = p - first;
    if (digits == 0 || digits > 18 || p >= end_) return false;
    const uint8_t next = b_[p];
    if (quoted ? next != '"' : (IsDigit(next) || next == '.' || next == 'e' || next == 'E')) return false;
    if (kind < kInt64 || kind == kUint32 || kind == kFixed32) {
      const uint64_t limit = IsUnsigned(kind) ? (negative ? 0 : 4294967295u) : (negative ? 2147483648u : 2147483647u);
      if (m > limit) return false;
    } else if (negative && IsUnsigned(kind) && m != 0) {
      return false;
    }
    value_ = negative ? uint64_t{0} - m : m;
    pos_ = quoted ? p + 1 : p;
    return true;
  }

  // ---- lists and maps ----

  bool List(const FieldDesc& field, int depth) {
    if (Peek() != '[') return WrongType("an array");
    if (depth > max_depth_) return DepthFail();
    pos_++;
    if (Empty(']')) return true;
    const ValueDesc& v = field.value;
    const bool packed = field.packed;
    const size_t list_start = out_->pos;
    size_t len_at = 0;
    if (packed) {
      if (!TagWithRoom(field.number, kLen, 1)) return false;
      len_at = BeginLen();
    }
    const bool value_null = IsValueMessage(v) || IsNullEnum(v);
    path_.push_back(PathSegment{PathSegment::kIndex, 0, nullptr});
    const size_t top = path_.size() - 1;
    int64_t n = 0;
    int done;
    do {
      path_[top].value = n++;
      if (Peek() == 'n' && !value_null) return Fail(ErrorKind::kBadValue, "a list element must not be null", pos_);
      const size_t before = out_->pos;
      if (v.kind == kGroup) {
        if (!Group(field, depth)) return false;
      } else {
        if (!packed && !TagWithRoom(field.number, v.wire, 0)) return false;
        const Written w = Element(v, depth);
        if (w == Written::kFailed) return false;
        if (w == Written::kSkipped) out_->pos = before;
      }
      done = EndOrComma(']');
      if (done < 0) return false;
    } while (done == 0);
    path_.pop_back();
    if (packed) {
      if (out_->pos == len_at + 1) out_->pos = list_start;
      else if (!EndLen(len_at)) return false;
    }
    return true;
  }

  // A list element or map value: `null` is a Value's null.
  Written Element(const ValueDesc& v, int depth) {
    if (Peek() == 'n' && v.kind == kMessage) {
      if (!Literal("null") || !Room(3)) return Written::kFailed;
      NullValueBody();
      return Written::kValue;
    }
    return Value(v, depth);
  }

  bool Map(const FieldDesc& field, int depth) {
    if (Peek() != '{') return WrongType("an object");
    if (depth > max_depth_) return DepthFail();
    pos_++;
    if (Empty('}')) return true;
    const ValueDesc& key = field.map_key;
    const ValueDesc& value = field.map_value;
    const bool value_null = IsValueMessage(value) || IsNullEnum(value);
    KeyStacks& keys = keys_;
    const size_t string_base = keys.strings.size();
    const size_t integer_base = keys.integers.size();
    // Past kLinearKeys keys, or at an escaped one, the unescaped keys go into a set.
    std::unordered_set<std::string> key_set;
    bool hashed = false;
    // Integer and bool keys likewise, so a map of many keys is not checked in quadratic time.
    std::unordered_set<uint64_t> integer_set;
    bool integers_hashed = false;
    // Index 0 until the first key is read, as the twin's path shows it.
    path_.push_back(PathSegment{PathSegment::kIndex, 0, nullptr});
    const size_t top = path_.size() - 1;
    int done;
    do {
      size_t close = 0;
      if (!MemberName(&close)) return false;
      const size_t key_at = key_at_;
      const size_t start = start_;
      const bool escaped = escaped_;
      path_[top] = PathSegment{PathSegment::kMapKey, static_cast<int64_t>(key_at), nullptr};
      const size_t entry_start = out_->pos;
      if (!TagWithRoom(field.number, kLen, 1)) return false;
      const size_t len_at = BeginLen();
      if (!MapKey(key, start, close, escaped, key_at)) return false;
      bool fresh;
      if (key.kind == kString) {
        if (!hashed && (escaped || keys.strings.size() - string_base >= kLinearKeys)) {
          hashed = true;
          for (size_t i = string_base; i < keys.strings.size(); i++) key_set.emplace(keys.strings[i]);
        }
        if (hashed) {
          std::string text;
          if (escaped) {
            scratch_.pos = 0;
            if (!Unescape(start, close, &scratch_)) return false;
            text.assign(reinterpret_cast<const char*>(scratch_.buf), scratch_.pos);
          } else {
            text.assign(reinterpret_cast<const char*>(b_) + start, close - start);
          }
          fresh = key_set.insert(std::move(text)).second;
        } else {
          const std::string_view text(reinterpret_cast<const char*>(b_) + start, close - start);
          fresh = true;
          for (size_t i = string_base; i < keys.strings.size() && fresh; i++) fresh = keys.strings[i] != text;
          if (fresh) keys.strings.push_back(text);
        }
      } else {
        if (!integers_hashed && keys.integers.size() - integer_base >= kLinearKeys) {
          integers_hashed = true;
          integer_set.insert(keys.integers.begin() + static_cast<std::ptrdiff_t>(integer_base), keys.integers.end());
        }
        if (integers_hashed) {
          fresh = integer_set.insert(value_).second;
        } else {
          fresh = true;
          for (size_t i = integer_base; i < keys.integers.size() && fresh; i++) fresh = keys.integers[i] != value_;
          if (fresh) keys.integers.push_back(value_);
        }
      }
      if (!fresh) return Fail(ErrorKind::kBadValue, "duplicate map key " + KeyName(key_at), key_at);
      if (!Expect(':', "':'")) return false;
      if (Peek() == 'n' && !value_null) return Fail(ErrorKind::kBadValue, "a map value must not be null", pos_);
      if (value.kind == kGroup) return Fail(ErrorKind::kBadType, "groups cannot be map values", pos_);
      if (!TagWithRoom(2, value.wire, 0)) return false;
      const Written w = Element(value, depth);
      if (w == Written::kFailed) return false;
      if (w == Written::kSkipped) out_->pos = entry_start;
      else if (!EndLen(len_at)) return false;
      done = EndOrComma('}');
      if (done < 0) return false;
    } while (done == 0);
    path_.pop_back();
    keys.strings.resize(string_base);
    keys.integers.resize(integer_base);
    return true;
  }

  // Writes a map key (field 1) from the member name [start, end); an integer or bool key is
  // left in value_ for the duplicate check.
  bool MapKey(const ValueDesc& key, size_t start, size_t end, bool escaped, size_t key_at) {
    if (key.kind == kString) {
      if (!TagWithRoom(1, kLen, 0)) return false;
      return StringContent(start, end, escaped) >= 0;
    }
    if (escaped) return Fail(ErrorKind::kBadValue, "bad map key " + KeyName(key_at) + " for " + KindName(key.kind), key_at);
    if (key.kind == kBool) {
      const bool is_true = TextIs(start, end, "true");
      if (!is_true && !TextIs(start, end, "false")) {
        return Fail(ErrorKind::kBadValue, "bad map key " + KeyName(key_at) + ": expected \"true\" or \"false\"", key_at);
      }
      if (!TagWithRoom(1, kVarint, 1)) return false;
      out_->buf[out_->pos++] = is_true ? 1 : 0;
      value_ = is_true ? 1 : 0;
      return true;
    }
    // Integer keys: the key's quoted text is read as the integer field's string form.
    const size_t saved = pos_;
    pos_ = key_at;
    if (!TagWithRoom(1, key.wire, 0) || Integer(key.kind, '"') == Written::kFailed) return false;
    pos_ = saved;
    return true;
  }
};

}  // namespace

Outcome FromJson(const Table& table, const uint8_t* src, size_t length, bool ignore_unknown, Sink* out, Error* error) {
  ProtoJsonToWire converter(table, src, length, ignore_unknown, out, error);
  return converter.Run();
}

}  // namespace heddle::codec::proto_json
