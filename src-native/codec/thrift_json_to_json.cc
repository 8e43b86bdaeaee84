// Thrift Binary or Compact bytes to JSON bytes (thrift_json.h), following to-json.ts step by
// step: the order of checks is the twin's, because that order decides which error a bad input gets.
#include "codec/thrift_json.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#include "codec/json_text.h"
#include "codec/thrift_json_internal.h"

namespace heddle::codec::thrift_json {
namespace {

using namespace detail;  // the shared pieces of this converter family

// A zigzag-encoded 32-bit varint's value.
int32_t Unzigzag32(int32_t z) {
  const uint32_t u = static_cast<uint32_t>(z);
  return static_cast<int32_t>((u >> 1) ^ (0u - (u & 1)));
}

// The most bytes a scalar's JSON takes: a number (kNumberTextMax), a quoted i64 (22), a UUID
// (38), "false".
inline constexpr size_t kMaxScalarJson = 48;
static_assert(kNumberTextMax <= kMaxScalarJson);

class WireToJson : Converter {
 public:
  WireToJson(const Table& table, const uint8_t* src, size_t length, uint32_t flags, Sink* out, Error* error)
      : Converter(table, src, length, out, error), i64_string_((flags & kI64String) != 0), binary_raw_((flags & kBinaryRawOut) != 0) {}

  Outcome Run() {
    out_->pos = 0;
    if (!Struct(t_.structs[0], 1)) return Outcome::kError;
    if (pos_ != end_) {
      std::string m;
      AppendInt(&m, static_cast<int64_t>(end_ - pos_));
      m += " trailing bytes after the message";
      Fail(ErrorKind::kBadValue, std::move(m), pos_);
      return Outcome::kError;
    }
    return Outcome::kOk;
  }

 private:
  bool i64_string_;
  bool binary_raw_;
  // A Compact bool field's value, carried in its header: 1, 0, or -1 (read a byte).
  int header_bool_ = -1;

  bool Truncated(const char* what) { return Fail(ErrorKind::kTruncated, std::string("input ends inside ") + what, pos_); }
  bool Need(size_t n, const char* what) { return pos_ + n <= end_ || Truncated(what); }
  bool U8(const char* what, uint32_t* v) {
    if (pos_ >= end_) return Truncated(what);
    *v = b_[pos_++];
    return true;
  }
  bool I32be(int32_t* v) {
    if (!Need(4, "an i32")) return false;
    const uint8_t* b = b_ + pos_;
    *v = static_cast<int32_t>((static_cast<uint32_t>(b[0]) << 24) | (static_cast<uint32_t>(b[1]) << 16) | (static_cast<uint32_t>(b[2]) << 8) | b[3]);
    pos_ += 4;
    return true;
  }
  // A 32-bit varint as JS reads it: bits past 32 dropped, the result an int32.
  bool Varint(const char* what, int32_t* v) {
    uint32_t r = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      uint32_t c = 0;
      if (!U8(what, &c)) return false;
      r |= (c & 0x7f) << shift;
      if (c < 0x80) {
        *v = static_cast<int32_t>(r);
        return true;
      }
    }
    return Fail(ErrorKind::kBadValue, std::string("varint of ") + what + " is too long", pos_ - 5);
  }
  bool Varint64(uint64_t* v) {
    uint64_t r = 0;
    for (int i = 0; i < 10; i++) {
      uint32_t c = 0;
      if (!U8("an i64", &c)) return false;
      r |= static_cast<uint64_t>(c & 0x7f) << (7 * i);
      if (c < 0x80) {
        *v = r;
        return true;
      }
    }
    return Fail(ErrorKind::kBadValue, "varint of an i64 is too long", pos_ - 10);
  }
  bool Count(int32_t n, size_t at, const char* what) {
    if (n >= 0 && static_cast<size_t>(n) <= end_ - pos_) return true;
    std::string m = std::string(what) + " ";
    AppendInt(&m, n);
    if (n < 0) m += " is negative";
    else {
      m += " is more than the ";
      AppendInt(&m, static_cast<int64_t>(end_ - pos_));
      m += " bytes that remain can hold";
    }
    return Fail(ErrorKind::kSizeLimit, std::move(m), at);
  }
  // The scalar writers below write into the room Value made (kMaxScalarJson).
  void Ascii(const char* s, size_t n) { out_->Put(s, n); }
  void Int(int64_t v) {
    const auto r = std::to_chars(reinterpret_cast<char*>(out_->buf + out_->pos), reinterpret_cast<char*>(out_->buf + out_->pos) + 20, v);
    out_->pos = static_cast<size_t>(reinterpret_cast<uint8_t*>(r.ptr) - out_->buf);
  }

  const FieldDesc* ById(const StructDesc& d, int32_t id) const {
    if (!d.by_id.empty()) {
      const int64_t i = static_cast<int64_t>(id) - d.min_id;
      if (i < 0 || i >= static_cast<int64_t>(d.by_id.size())) return nullptr;
      const int32_t index = d.by_id[static_cast<size_t>(i)];
      return index < 0 ? nullptr : &d.fields[static_cast<size_t>(index)];
    }
    // Map.set in buildDescriptor: the last field with an id wins.
    for (size_t i = d.fields.size(); i-- > 0;) if (d.fields[i].id == id) return &d.fields[i];
    return nullptr;
  }

  bool Struct(const StructDesc& d, int depth) {
    if (depth > t_.max_depth) return DepthFail();
    const size_t seen = seen_.size();
    if (d.needs_end_check) seen_.resize(seen + d.fields.size(), 0);
    if (!Room(1)) return false;
    out_->Put('{');
    bool first = true;
    int32_t last_id = 0;
    for (;;) {
      const size_t at = pos_;
      uint32_t head = 0;
      if (!U8("a field header", &head)) return false;
      if (head == 0) break;
      int32_t type;
      int32_t id;
      if (compact_) {
        const uint32_t ctype = head & 0x0f;
        const uint32_t delta = head >> 4;
        if (delta != 0) id = last_id + static_cast<int32_t>(delta);
        else {
          int32_t z = 0;
          if (!Varint("a field id", &z)) return false;
          id = static_cast<int16_t>(Unzigzag32(z));
        }
        last_id = id;
        type = kFromCompact[ctype];
        if (type < 0) {
          std::string m = "invalid compact type id ";
          AppendInt(&m, ctype);
          return Fail(ErrorKind::kBadType, std::move(m), at);
        }
        if (type == kBool) header_bool_ = ctype == kCompactTrue ? 1 : 0;
      } else {
        type = static_cast<int32_t>(head);
        if (!Need(2, "a field header")) return false;
        id = static_cast<int16_t>(static_cast<uint16_t>((b_[pos_] << 8) | b_[pos_ + 1]));
        pos_ += 2;
      }
      const FieldDesc* f = ById(d, id);
      if (f == nullptr || t_.types[static_cast<size_t>(f->type)].wire != type) {
        if (!Skip(type, depth, at)) return false;
        continue;
      }
      if (static_cast<int64_t>(out_->pos) > t_.max_size) {
        // A field of a few wire bytes (a Compact bool) writes its whole JSON name: bounded here.
        std::string m = "JSON output over the ";
        AppendInt(&m, t_.max_size);
        m += "-byte limit";
        return Fail(ErrorKind::kSizeLimit, std::move(m), at);
      }
      if (d.needs_end_check) seen_[seen + static_cast<size_t>(f - d.fields.data())] = 1;
      if (!Room(1 + f->key.size())) return false;
      if (!first) out_->Put(',');
      first = false;
      out_->Put(f->key.data(), f->key.size());
      path_.push_back(PathSegment{PathSegment::kField, 0, &f->name});
      if (!Value(t_.types[static_cast<size_t>(f->type)], depth)) return false;
      path_.pop_back();
    }
    if (d.needs_end_check) {
      for (size_t i = 0; i < d.fields.size(); i++) {
        const FieldDesc& f = d.fields[i];
        if (f.required && seen_[seen + i] != 1) {
          return Fail(ErrorKind::kRequiredField, "required field '" + f.name + "' of " + d.name + " is missing", pos_ - 1);
        }
      }
      seen_.resize(seen);
    }
    if (!Room(1)) return false;
    out_->Put('}');
    return true;
  }

  // JS Number.prototype.toString of a finite double.
  void Double(double v) {
    char text[kNumberTextMax];
    out_->Put(text, JsNumberText(v, text));
  }

  bool Value(const TypeDesc& type, int depth) {
    if (!Room(kMaxScalarJson)) return false;
    switch (type.kind) {
      case kBool: {
        int v = header_bool_;
        header_bool_ = -1;
        if (v < 0) {
          const size_t at = pos_;
          uint32_t c = 0;
          if (!U8("a bool", &c)) return false;
          if (compact_ ? c > 2 : c > 1) {
            std::string m = "invalid bool byte ";
            AppendInt(&m, c);
            return Fail(ErrorKind::kBadValue, std::move(m), at);
          }
          v = c == 1 ? 1 : 0;
        }
        if (v == 1) Ascii("true", 4);
        else Ascii("false", 5);
        return true;
      }
      case kI8: {
        uint32_t c = 0;
        if (!U8("an i8", &c)) return false;
        Int(static_cast<int8_t>(c));
        return true;
      }
      case kI16:
        if (compact_) {
          int32_t z = 0;
          if (!Varint("an i16", &z)) return false;
          Int(static_cast<int16_t>(Unzigzag32(z)));
        } else {
          if (!Need(2, "an i16")) return false;
          Int(static_cast<int16_t>(static_cast<uint16_t>((b_[pos_] << 8) | b_[pos_ + 1])));
          pos_ += 2;
        }
        return true;
      case kI32:
        if (compact_) {
          int32_t z = 0;
          if (!Varint("an i32", &z)) return false;
          Int(Unzigzag32(z));
        } else {
          int32_t v = 0;
          if (!I32be(&v)) return false;
          Int(v);
        }
        return true;
      case kI64: {
        uint64_t u = 0;
        if (compact_) {
          if (!Varint64(&u)) return false;
          u = (u >> 1) ^ (0 - (u & 1));
        } else {
          int32_t hi = 0;
          int32_t lo = 0;
          if (!I32be(&hi) || !I32be(&lo)) return false;
          u = (static_cast<uint64_t>(static_cast<uint32_t>(hi)) << 32) | static_cast<uint32_t>(lo);
        }
        if (i64_string_) out_->Put('"');
        Int(static_cast<int64_t>(u));
        if (i64_string_) out_->Put('"');
        return true;
      }
      case kDouble: {
        if (!Need(8, "a double")) return false;
        const size_t at = pos_;
        uint64_t bits = 0;
        for (int i = 0; i < 8; i++) {
          const uint64_t byte = b_[at + static_cast<size_t>(i)];
          bits |= compact_ ? byte << (8 * i) : byte << (56 - 8 * i);
        }
        double v;
        std::memcpy(&v, &bits, 8);
        pos_ += 8;
        if (!std::isfinite(v)) {
          return Fail(ErrorKind::kBadValue, std::string(std::isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity") + " has no JSON form", at);
        }
        Double(v);
        return true;
      }
      case kString:
      case kBinary: {
        const size_t at = pos_;
        int32_t n = 0;
        if (compact_ ? !Varint("a string length", &n) : !I32be(&n)) return false;
        if (!Count(n, at, "string length")) return false;
        const size_t start = pos_;
        pos_ += static_cast<size_t>(n);
        if (type.kind == kString || binary_raw_) return String(start, pos_);
        if (!Room(Base64Size(pos_ - start) + 2)) return false;
        out_->Put('"');
        EncodeBase64(b_, start, pos_, out_);
        out_->Put('"');
        return true;
      }
      case kUuid: {
        if (!Need(16, "a uuid")) return false;
        static const char kHex[] = "0123456789abcdef";
        char s[38];
        size_t t = 0;
        s[t++] = '"';
        for (size_t i = 0; i < 16; i++) {
          if (i == 4 || i == 6 || i == 8 || i == 10) s[t++] = '-';
          s[t++] = kHex[b_[pos_ + i] >> 4];
          s[t++] = kHex[b_[pos_ + i] & 15];
        }
        s[t++] = '"';
        pos_ += 16;
        out_->Put(s, t);
        return true;
      }
      case kStruct:
        return Struct(t_.structs[static_cast<size_t>(type.a)], depth + 1);
      case kList:
      case kSet:
        return List(type, depth + 1);
      case kMap:
        return Map(type, depth + 1);
      default:
        return Fail(ErrorKind::kBadType, "unknown type in the descriptor table", pos_);
    }
  }

  // src[start, end) as a JSON string, escaped as JSON.stringify does.
  bool String(size_t start, size_t end) {
    const int64_t r = WriteJsonString(out_, b_, start, end);
    if (r == kStringWritten) return true;
    if (r == kStringNoMemory) return Fail(ErrorKind::kSizeLimit, "out of memory for the converted message", start);
    return Fail(ErrorKind::kBadValue, "invalid UTF-8 in a string", static_cast<size_t>(r));
  }

  bool ElementType(uint32_t ctype_or_wire, const TypeDesc& expected, size_t at) {
    const int32_t wire = compact_ ? kFromCompact[ctype_or_wire & 15] : static_cast<int32_t>(ctype_or_wire);
    if (wire == expected.wire) return true;
    std::string m = "element type ";
    AppendInt(&m, ctype_or_wire);
    m += " does not match the IDL";
    return Fail(ErrorKind::kBadType, std::move(m), at);
  }

  bool List(const TypeDesc& type, int depth) {
    if (depth > t_.max_depth) return DepthFail();
    const size_t at = pos_;
    int32_t n = 0;
    uint32_t etype = 0;
    if (compact_) {
      uint32_t head = 0;
      if (!U8("a list header", &head)) return false;
      n = static_cast<int32_t>(head >> 4);
      etype = head & 15;
      if (n == 15 && !Varint("a list size", &n)) return false;
    } else {
      if (!U8("a list header", &etype) || !I32be(&n)) return false;
    }
    if (!Count(n, at, "list size")) return false;
    const TypeDesc& elem = t_.types[static_cast<size_t>(type.a)];
    if (n > 0 && !ElementType(etype, elem, at)) return false;
    if (!Room(1)) return false;
    out_->Put('[');
    path_.push_back(PathSegment{PathSegment::kIndex, 0, nullptr});
    const size_t top = path_.size() - 1;
    for (int32_t i = 0; i < n; i++) {
      path_[top].value = i;
      if (i > 0) {
        if (!Room(1)) return false;
        out_->Put(',');
      }
      if (!Value(elem, depth)) return false;
    }
    path_.pop_back();
    if (!Room(1)) return false;
    out_->Put(']');
    return true;
  }

  bool Map(const TypeDesc& type, int depth) {
    if (depth > t_.max_depth) return DepthFail();
    const size_t at = pos_;
    int32_t n = 0;
    uint32_t ktype = 0;
    uint32_t vtype = 0;
    if (compact_) {
      if (!Varint("a map size", &n)) return false;
      if (n != 0) {
        uint32_t kv = 0;
        if (!U8("a map header", &kv)) return false;
        ktype = kv >> 4;
        vtype = kv & 15;
      }
    } else {
      if (!U8("a map header", &ktype) || !U8("a map header", &vtype) || !I32be(&n)) return false;
    }
    if (!Count(n, at, "map size")) return false;
    const TypeDesc& key = t_.types[static_cast<size_t>(type.a)];
    const TypeDesc& value = t_.types[static_cast<size_t>(type.b)];
    if (n > 0) {
      if (!ElementType(ktype, key, at) || !ElementType(vtype, value, at)) return false;
    }
    if ((key.kind == kStruct || key.kind == kList || key.kind == kSet || key.kind == kMap) && n > 0) {
      return Fail(ErrorKind::kBadType, "map keys that are structs or containers have no JSON form", at);
    }
    if (!Room(1)) return false;
    out_->Put('{');
    const bool quoted = key.kind == kString || key.kind == kBinary || key.kind == kUuid;
    for (int32_t i = 0; i < n; i++) {
      path_.push_back(PathSegment{PathSegment::kIndex, i, nullptr});
      if (!Room(2)) return false;
      if (i > 0) out_->Put(',');
      if (!quoted) out_->Put('"');
      const bool saved = i64_string_;
      i64_string_ = false;
      if (!Value(key, depth)) return false;
      i64_string_ = saved;
      if (!Room(2)) return false;
      if (!quoted) out_->Put('"');
      out_->Put(':');
      if (!Value(value, depth)) return false;
      path_.pop_back();
    }
    if (!Room(1)) return false;
    out_->Put('}');
    return true;
  }

  bool Skip(int32_t type, int depth, size_t at) {
    if (depth > t_.max_depth) return DepthFail();
    int32_t ignored = 0;
    switch (type) {
      case kBool: {
        if (header_bool_ >= 0) {
          header_bool_ = -1;
          return true;
        }
        uint32_t c = 0;
        return U8("a bool", &c);
      }
      case kI8: {
        uint32_t c = 0;
        return U8("an i8", &c);
      }
      case kI16:
        if (compact_) return Varint("an i16", &ignored);
        if (!Need(2, "an i16")) return false;
        pos_ += 2;
        return true;
      case kI32:
        return compact_ ? Varint("an i32", &ignored) : I32be(&ignored);
      case kI64: {
        if (compact_) {
          uint64_t v = 0;
          return Varint64(&v);
        }
        if (!Need(8, "an i64")) return false;
        pos_ += 8;
        return true;
      }
      case kDouble:
        if (!Need(8, "a double")) return false;
        pos_ += 8;
        return true;
      case kUuid:
        if (!Need(16, "a uuid")) return false;
        pos_ += 16;
        return true;
      case kString: {
        const size_t p = pos_;
        int32_t n = 0;
        if (compact_ ? !Varint("a string length", &n) : !I32be(&n)) return false;
        if (!Count(n, p, "string length")) return false;
        pos_ += static_cast<size_t>(n);
        return true;
      }
      case kStruct:
        for (;;) {
          const size_t fat = pos_;
          uint32_t head = 0;
          if (!U8("a field header", &head)) return false;
          if (head == 0) return true;
          int32_t t;
          if (compact_) {
            if ((head >> 4) == 0 && !Varint("a field id", &ignored)) return false;
            t = kFromCompact[head & 15];
            if (t < 0) {
              std::string m = "invalid compact type id ";
              AppendInt(&m, head & 15);
              return Fail(ErrorKind::kBadType, std::move(m), fat);
            }
            if (t == kBool) header_bool_ = 1;
          } else {
            t = static_cast<int32_t>(head);
            if (!Need(2, "a field header")) return false;
            pos_ += 2;
          }
          if (!Skip(t, depth + 1, fat)) return false;
        }
      case kList:
      case kSet: {
        const size_t p = pos_;
        int32_t n = 0;
        int32_t et = 0;
        if (compact_) {
          uint32_t head = 0;
          if (!U8("a list header", &head)) return false;
          n = static_cast<int32_t>(head >> 4);
          if (n == 15 && !Varint("a list size", &n)) return false;
          et = kFromCompact[head & 15];
        } else {
          uint32_t e = 0;
          if (!U8("a list header", &e) || !I32be(&n)) return false;
          et = static_cast<int32_t>(e);
        }
        if (!Count(n, p, "list size")) return false;
        for (int32_t i = 0; i < n; i++) if (!Skip(et, depth + 1, p)) return false;
        return true;
      }
      case kMap: {
        const size_t p = pos_;
        int32_t n = 0;
        int32_t kt = 0;
        int32_t vt = 0;
        if (compact_) {
          if (!Varint("a map size", &n)) return false;
          if (n > 0) {
            uint32_t kv = 0;
            if (!U8("a map header", &kv)) return false;
            kt = kFromCompact[kv >> 4];
            vt = kFromCompact[kv & 15];
          }
        } else {
          uint32_t k = 0;
          uint32_t v = 0;
          if (!U8("a map header", &k) || !U8("a map header", &v) || !I32be(&n)) return false;
          kt = static_cast<int32_t>(k);
          vt = static_cast<int32_t>(v);
        }
        if (!Count(n, p, "map size")) return false;
        for (int32_t i = 0; i < n; i++) {
          if (!Skip(kt, depth + 1, p) || !Skip(vt, depth + 1, p)) return false;
        }
        return true;
      }
      default: {
        std::string m = "invalid type id ";
        AppendInt(&m, type);
        return Fail(ErrorKind::kBadType, std::move(m), at);
      }
    }
  }
};

}  // namespace

Outcome ToJson(const Table& table, const uint8_t* src, size_t length, uint32_t flags, Sink* out, Error* error) {
  WireToJson converter(table, src, length, flags, out, error);
  return converter.Run();
}

}  // namespace heddle::codec::thrift_json
