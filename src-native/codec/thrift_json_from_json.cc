// JSON bytes to Thrift Binary or Compact bytes (thrift_json.h), following from-json.ts and
// json-reader.ts step by step: the order of checks is the twin's, because that order decides
// which error a bad input gets.
#include "codec/thrift_json.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#include "codec/thrift_json_internal.h"
#include "codec/utf8_validate.h"

namespace heddle::codec::thrift_json {
namespace {

using namespace detail;  // the shared pieces of this converter family

class JsonToWire : Converter {
 public:
  JsonToWire(const Table& table, const uint8_t* src, size_t length, uint32_t flags, Sink* out, Error* error)
      : Converter(table, src, length, out, error), reject_((flags & kRejectUnknown) != 0), binary_raw_((flags & kBinaryRawIn) != 0), flags_(flags) {
    scratch_.Trim();
  }

  Outcome Run() {
    out_->pos = 0;
    if (!Struct(t_.structs[0], 1)) return outcome_;
    if (Peek() != -1) return Malformed("the end of the input", pos_);
    if (!WithinSize()) return outcome_;
    return Outcome::kOk;
  }

  // The output against the size limit: checked at every struct's end as well as the message's,
  // since IDL defaults let a few input bytes (`[{},{},...]`) write many.
  bool WithinSize() {
    if (static_cast<int64_t>(out_->pos) <= t_.max_size) return true;
    std::string m = "encoded message of ";
    AppendInt(&m, static_cast<int64_t>(out_->pos));
    m += " bytes is over the ";
    AppendInt(&m, t_.max_size);
    m += "-byte limit";
    outcome_ = FailNoPlace(ErrorKind::kSizeLimit, std::move(m));
    return false;
  }

 private:
  bool reject_;
  bool binary_raw_;
  uint32_t flags_;
  Sink& scratch_ = Stacks().scratch;

  // Whether a field the body left out is written, by its requiredness and the options.
  bool Fills(const FieldDesc& f) const {
    if (f.required) return (flags_ & kWriteRequired) != 0;
    if (f.optional) return (flags_ & kWriteOptional) != 0;
    return f.has_default || (flags_ & kWriteDefault) != 0;
  }

  // ---- values ----

  // A length prefix and the n bytes after it: room for both, then the prefix.
  bool Length(size_t n) {
    if (!Room(5 + n)) return false;
    if (compact_) WriteVarint(out_, n);
    else WriteI32(out_, static_cast<uint32_t>(n));
    return true;
  }


  const FieldDesc* Lookup(const StructDesc& d, size_t start, size_t end, size_t hint, bool* failed) {
    const size_t n = end - start;
    if (hint < d.fields.size() && !escaped_) {
      const FieldDesc& guess = d.fields[hint];
      if (guess.json_name.size() == n && std::memcmp(guess.json_name.data(), b_ + start, n) == 0) return &guess;
    }
    if (escaped_) {
      scratch_.pos = 0;
      if (!Unescape(start, end, &scratch_)) {
        *failed = true;
        return nullptr;
      }
      // byName keeps the last field of a name.
      for (size_t i = d.fields.size(); i-- > 0;) {
        const FieldDesc& f = d.fields[i];
        if (f.json_name.size() == scratch_.pos && std::memcmp(f.json_name.data(), scratch_.buf, scratch_.pos) == 0) return &f;
      }
      return nullptr;
    }
    for (const FieldDesc& f : d.fields) {
      if (f.json_name.size() == n && std::memcmp(f.json_name.data(), b_ + start, n) == 0) return &f;
    }
    return nullptr;
  }

  bool Struct(const StructDesc& d, int depth) {
    if (depth > t_.max_depth) return DepthFail();
    if (!Expect('{', "'{'")) return false;
    const size_t seen = seen_.size();
    seen_.resize(seen + d.fields.size(), 0);
    int32_t last_id = 0;
    int32_t count = 0;
    size_t next = 0;
    if (!Empty('}')) {
      int done;
      do {
        const FieldDesc* field = nullptr;
        size_t key_at = 0;
        // Matched in place only where that finds what Lookup's guess would (key_fast).
        const FieldDesc* expected = next < d.fields.size() && d.fields[next].key_fast ? &d.fields[next] : nullptr;
        if (!MemberField(expected, [&](size_t start, size_t close, bool* failed) { return Lookup(d, start, close, next, failed); }, &field, &key_at)) return false;
        const int c = Peek();
        if (field == nullptr) {
          if (reject_) {
            std::string m = "unknown field ";
            AppendJsonQuoted(&m, KeyText(key_at));
            m += " of " + d.name;
            return Fail(ErrorKind::kBadValue, std::move(m), key_at);
          }
          if (!SkipValue(depth)) return false;
        } else if (c == 'n') {
          if (!Literal("null")) return false;
        } else {
          const size_t index = static_cast<size_t>(field - d.fields.data());
          if (seen_[seen + index] == 1) return Fail(ErrorKind::kBadValue, "duplicate field '" + field->json_name + "'", key_at);
          seen_[seen + index] = 1;
          count++;
          next = index + 1;
          path_.push_back(PathSegment{PathSegment::kField, 0, &field->name});
          const TypeDesc& type = t_.types[static_cast<size_t>(field->type)];
          if (!Room(kMaxScalarWire)) return false;
          if (compact_) {
            if (type.kind == kBool) {
              const int v = Bool();
              if (v < 0) return false;
              FieldHeaderCompact(out_, v == 1 ? kCompactTrue : kCompactFalse, field->id, last_id);
            } else {
              FieldHeaderCompact(out_, type.compact, field->id, last_id);
              if (!Value(type, depth)) return false;
            }
            last_id = field->id;
          } else {
            out_->Put(static_cast<uint8_t>(type.wire));
            WriteI16(out_, field->id);
            if (!Value(type, depth)) return false;
          }
          path_.pop_back();
        }
        done = EndOrComma('}');
        if (done < 0) return false;
      } while (done == 0);
    }
    if (d.needs_end_check || d.is_union || (flags_ & kFillMissing) != 0) {
      if (!EndCheck(d, depth, seen, last_id, pos_ - 1, count)) return false;
    }
    seen_.resize(seen);
    if (!Room(1)) return false;
    out_->Put(0);
    return WithinSize();
  }

  bool EndCheck(const StructDesc& d, int depth, size_t seen, int32_t last_id, size_t offset, int32_t count) {
    if (d.is_union && count != 1) {
      std::string m = "union " + d.name + " needs exactly one field set, found ";
      AppendInt(&m, count);
      return Fail(ErrorKind::kBadValue, std::move(m), offset);
    }
    for (size_t i = 0; i < d.fields.size(); i++) {
      const FieldDesc& f = d.fields[i];
      if (seen_[seen + i] == 1) continue;
      const bool fills = Fills(f);
      if (f.required && !fills) return Fail(ErrorKind::kRequiredField, "required field '" + f.json_name + "' of " + d.name + " is missing", offset);
      if (!fills || d.is_union) continue;
      if (f.default_fails) {
        // writeConst throws outside the reader: no offset, no path.
        outcome_ = FailNoPlace(ErrorKind::kBadValue, "an IDL default is not a UUID");
        return false;
      }
      const TypeDesc& type = t_.types[static_cast<size_t>(f.type)];
      // A struct or container written here is a level below this struct: past max_depth the
      // bytes would be refused by decode and toJSON, so they are not written.
      const bool nests = type.kind == kStruct || type.kind == kList || type.kind == kSet || type.kind == kMap;
      if (nests && depth + 1 > t_.max_depth) {
        std::string m = "nesting deeper than ";
        AppendInt(&m, t_.max_depth);
        return Fail(ErrorKind::kDepthLimit, std::move(m), offset);
      }
      // A header and a zero (a UUID's 16 bytes at most), or the default's bytes.
      if (!Room(2 * kMaxScalarWire + f.default_wire.size())) return false;
      if (compact_) {
        const int32_t bool_ctype = f.has_default ? f.default_bool_ctype : kCompactFalse;
        FieldHeaderCompact(out_, type.kind == kBool ? bool_ctype : type.compact, f.id, last_id);
        last_id = f.id;
      } else {
        out_->Put(static_cast<uint8_t>(type.wire));
        WriteI16(out_, f.id);
      }
      if (f.has_default) out_->Put(f.default_wire.data(), f.default_wire.size());
      else Zero(type);
    }
    return true;
  }

  // The zero of `type` (dynamicgo's WriteEmpty): 0, "", empty containers, a struct with no
  // fields (its own required fields are not filled, so recursive types end). A Compact bool's
  // zero is in its field header. The caller made the room.
  void Zero(const TypeDesc& type) {
    switch (type.kind) {
      case kBool:
        if (!compact_) out_->Put(0);
        return;
      case kDouble:
        for (int i = 0; i < 8; i++) out_->Put(0);
        return;
      case kUuid:
        for (int i = 0; i < 16; i++) out_->Put(0);
        return;
      case kI16:
      case kI32:
        if (compact_) out_->Put(0);
        else if (type.kind == kI16) WriteI16(out_, 0);
        else WriteI32(out_, 0);
        return;
      case kI64:
        if (compact_) out_->Put(0);
        else {
          WriteI32(out_, 0);
          WriteI32(out_, 0);
        }
        return;
      case kList:
      case kSet: {
        const TypeDesc& elem = t_.types[static_cast<size_t>(type.a)];
        if (compact_) out_->Put(static_cast<uint8_t>(elem.compact));
        else {
          out_->Put(static_cast<uint8_t>(elem.wire));
          WriteI32(out_, 0);
        }
        return;
      }
      case kMap:
        if (!compact_) {
          out_->Put(static_cast<uint8_t>(t_.types[static_cast<size_t>(type.a)].wire));
          out_->Put(static_cast<uint8_t>(t_.types[static_cast<size_t>(type.b)].wire));
          WriteI32(out_, 0);
          return;
        }
        out_->Put(0);
        return;
      case kString:
      case kBinary:
        if (compact_) out_->Put(0);
        else WriteI32(out_, 0);
        return;
      default:  // kI8, and kStruct: its stop byte
        out_->Put(0);
        return;
    }
  }

  // A JSON string whose unescaped UTF-8 bytes are the value, length first.
  bool StringValue(int c) {
    if (c != '"') return WrongType("a string");
    const size_t close = ScanString();
    if (close == SIZE_MAX) return false;
    if (!escaped_) {
      if (!Length(close - start_)) return false;
      out_->Put(b_ + start_, close - start_);
    } else {
      scratch_.pos = 0;
      if (!Unescape(start_, close, &scratch_) || !Length(scratch_.pos)) return false;
      out_->Put(scratch_.buf, scratch_.pos);
    }
    return true;
  }

  bool Value(const TypeDesc& type, int depth) {
    const int c = Peek();
    switch (type.kind) {
      case kBool: {
        const int v = Bool();
        if (v < 0 || !Room(1)) return false;
        out_->Put(compact_ ? (v == 1 ? 1 : 2) : (v == 1 ? 1 : 0));
        return true;
      }
      case kI8:
      case kI16:
      case kI32:
      case kI64:
        return Integer(type.kind, c);
      case kDouble: {
        if (!(c == '-' || IsDigit(c))) return WrongType("a number");
        const size_t start = pos_;
        const size_t end = ScanNumber(false);
        if (end == SIZE_MAX || !Room(8)) return false;
        WriteDouble(out_, ParseDouble(b_, start, end), compact_);
        return true;
      }
      case kString:
        return StringValue(c);
      case kBinary: {
        if (binary_raw_) return StringValue(c);
        if (c != '"') return WrongType("a base64 string");
        const size_t close = ScanString();
        if (close == SIZE_MAX) return false;
        const uint8_t* src = b_;
        size_t start = start_;
        size_t end = close;
        if (escaped_) {
          scratch_.pos = 0;
          if (!Unescape(start, end, &scratch_)) return false;
          src = scratch_.buf;
          start = 0;
          end = scratch_.pos;
        }
        const int64_t size = DecodedSize(src, start, end);
        if (size < 0) return Fail(ErrorKind::kBadValue, "invalid base64: bad length or padding", start_);
        if (!Length(static_cast<size_t>(size))) return false;
        const int64_t bad = DecodeBase64(src, start, end, out_);
        if (bad >= 0) return Fail(ErrorKind::kBadValue, "invalid base64 character", escaped_ ? start_ : static_cast<size_t>(bad));
        return true;
      }
      case kUuid: {
        if (c != '"') return WrongType("a UUID string");
        const size_t close = ScanString();
        if (close == SIZE_MAX || !Room(16)) return false;
        if (!WriteUuid(out_, b_, start_, close)) return Fail(ErrorKind::kBadValue, "expected a UUID string", start_ - 1);
        return true;
      }
      case kStruct:
        if (c != '{') return WrongType("an object");
        return Struct(t_.structs[static_cast<size_t>(type.a)], depth + 1);
      case kList:
      case kSet:
        if (c != '[') return WrongType("an array");
        return List(type, depth + 1);
      case kMap:
        if (c != '{') return WrongType("an object");
        return Map(type, depth + 1);
      default:
        return Fail(ErrorKind::kBadType, "unknown type in the descriptor table", pos_);
    }
  }

  bool Integer(int32_t kind, int c) {
    size_t start;
    size_t end;
    if (c == '"' && kind == kI64) {
      // Kitex accepts i64 as a string of digits: JS clients cannot send them as exact numbers.
      const size_t close = ScanString();
      if (close == SIZE_MAX) return false;
      start = start_;
      end = close;
      size_t p = start;
      if (At(p) == '-') p++;
      if (p == end || escaped_) return Fail(ErrorKind::kBadValue, "expected an integer string", start - 1);
      for (; p < end; p++) {
        if (!IsDigit(b_[p])) return Fail(ErrorKind::kBadValue, "expected an integer string", start - 1);
      }
    } else if (c == '-' || IsDigit(c)) {
      if (ScanSmallInteger(kind == kI8 ? 8 : kind == kI16 ? 16 : kind == kI32 ? 32 : 64)) return WriteInteger(kind, value_);
      start = pos_;
      end = ScanNumber(true);
      if (end == SIZE_MAX) return false;
    } else {
      return WrongType(kind == kI64 ? "an integer or a string of digits" : "an integer");
    }
    const int bits = kind == kI8 ? 8 : kind == kI16 ? 16 : kind == kI32 ? 32 : 64;
    if (!IntegerValue(start, end, bits)) {
      std::string m(reinterpret_cast<const char*>(b_) + start, end - start);
      m += " is out of range for i";
      AppendInt(&m, bits);
      return Fail(ErrorKind::kBadValue, std::move(m), c == '"' ? start - 1 : start);
    }
    return WriteInteger(kind, value_);
  }

  bool WriteInteger(int32_t kind, uint64_t v) {
    if (!Room(10)) return false;
    if (kind == kI8) out_->Put(static_cast<uint8_t>(v));
    else if (kind == kI64) {
      if (compact_) WriteVarint(out_, (v << 1) ^ static_cast<uint64_t>(static_cast<int64_t>(v) >> 63));
      else {
        WriteI32(out_, static_cast<uint32_t>(v >> 32));
        WriteI32(out_, static_cast<uint32_t>(v));
      }
    } else if (compact_) {
      const int32_t lo = static_cast<int32_t>(v);
      WriteVarint(out_, static_cast<uint32_t>((static_cast<uint32_t>(lo) << 1) ^ static_cast<uint32_t>(lo >> 31)));
    } else if (kind == kI16) WriteI16(out_, static_cast<int32_t>(v));
    else WriteI32(out_, static_cast<uint32_t>(v));
    return true;
  }

  // Moves bytes [from, pos) right by delta (ByteSink.shift).
  bool Shift(size_t from, size_t delta) {
    if (!Room(delta)) return false;
    std::memmove(out_->buf + from + delta, out_->buf + from, out_->pos - from);
    out_->pos += delta;
    return true;
  }

  bool List(const TypeDesc& type, int depth) {
    if (depth > t_.max_depth) return DepthFail();
    pos_++;
    const TypeDesc& elem = t_.types[static_cast<size_t>(type.a)];
    const size_t header = out_->pos;
    if (!Room(5)) return false;
    if (compact_) out_->Put(0);
    else {
      out_->Put(static_cast<uint8_t>(elem.wire));
      WriteI32(out_, 0);
    }
    uint32_t n = 0;
    if (!Empty(']')) {
      path_.push_back(PathSegment{PathSegment::kIndex, 0, nullptr});
      const size_t top = path_.size() - 1;
      int done;
      do {
        path_[top].value = n;
        if (Peek() == 'n') return WrongType("a list element");
        if (!Value(elem, depth)) return false;
        n++;
        done = EndOrComma(']');
        if (done < 0) return false;
      } while (done == 0);
      path_.pop_back();
    }
    if (!compact_) {
      uint8_t* b = out_->buf + header + 1;
      b[0] = static_cast<uint8_t>(n >> 24);
      b[1] = static_cast<uint8_t>(n >> 16);
      b[2] = static_cast<uint8_t>(n >> 8);
      b[3] = static_cast<uint8_t>(n);
    } else if (n < 15) {
      out_->buf[header] = static_cast<uint8_t>((n << 4) | static_cast<uint32_t>(elem.compact));
    } else {
      if (!Shift(header + 1, VarintSize(n))) return false;
      const size_t end = out_->pos;
      out_->pos = header;
      out_->Put(static_cast<uint8_t>(0xf0 | elem.compact));
      WriteVarint(out_, n);
      out_->pos = end;
    }
    return true;
  }

  bool Map(const TypeDesc& type, int depth) {
    if (depth > t_.max_depth) return DepthFail();
    pos_++;
    const TypeDesc& key = t_.types[static_cast<size_t>(type.a)];
    const TypeDesc& value = t_.types[static_cast<size_t>(type.b)];
    const size_t header = out_->pos;
    if (!Room(6)) return false;
    if (compact_) {
      out_->Put(0);
      out_->Put(static_cast<uint8_t>((key.compact << 4) | value.compact));
    } else {
      out_->Put(static_cast<uint8_t>(key.wire));
      out_->Put(static_cast<uint8_t>(value.wire));
      WriteI32(out_, 0);
    }
    uint32_t n = 0;
    if (!Empty('}')) {
      int done;
      do {
        size_t close = 0;
        if (!MemberName(&close)) return false;
        const size_t key_at = key_at_;
        path_.push_back(PathSegment{PathSegment::kMapKey, static_cast<int64_t>(key_at), nullptr});
        if (!MapKey(key, start_, close, key_at)) return false;
        if (!Expect(':', "':'")) return false;
        if (Peek() == 'n') return WrongType("a map value");
        if (!Value(value, depth)) return false;
        path_.pop_back();
        n++;
        done = EndOrComma('}');
        if (done < 0) return false;
      } while (done == 0);
    }
    if (!compact_) {
      uint8_t* b = out_->buf + header + 2;
      b[0] = static_cast<uint8_t>(n >> 24);
      b[1] = static_cast<uint8_t>(n >> 16);
      b[2] = static_cast<uint8_t>(n >> 8);
      b[3] = static_cast<uint8_t>(n);
    } else if (n == 0) {
      out_->pos = header + 1;
    } else if (n < 128) {
      out_->buf[header] = static_cast<uint8_t>(n);
    } else {
      if (!Shift(header + 1, VarintSize(n) - 1)) return false;
      const size_t end = out_->pos;
      out_->pos = header;
      WriteVarint(out_, n);
      out_->pos = end;
    }
    return true;
  }

  static const char* KindName(int32_t kind) {
    switch (kind) {
      case kI8: return "i8";
      case kI16: return "i16";
      case kI32: return "i32";
      case kI64: return "i64";
      case kDouble: return "double";
      case kBool: return "bool";
      case kStruct: return "struct";
      case kList: return "list";
      case kSet: return "set";
      case kMap: return "map";
      default: return "string";
    }
  }

  bool MapKey(const TypeDesc& key, size_t start, size_t end, size_t key_at) {
    if (key.kind == kString || key.kind == kBinary || key.kind == kUuid) {
      // Re-read the member name as a string value.
      const size_t save = pos_;
      pos_ = key_at;
      if (!Value(key, 0)) return false;
      pos_ = save;
      return true;
    }
    const auto not_valid = [&] { return Fail(ErrorKind::kBadValue, std::string("map key is not a valid ") + KindName(key.kind), key_at); };
    if (escaped_) return not_valid();
    switch (key.kind) {
      case kI8:
      case kI16:
      case kI32:
      case kI64: {
        size_t p = start;
        if (At(p) == '-') p++;
        bool ok = p < end && (b_[p] != '0' || p + 1 == end);
        for (size_t q = p; ok && q < end; q++) ok = IsDigit(b_[q]);
        if (!ok) return not_valid();
        const size_t save = pos_;
        pos_ = start;
        if (!Integer(key.kind, b_[start])) return false;
        pos_ = save;
        return true;
      }
      case kDouble: {
        // JS Number() of the text; exact here only for text in JSON number form (what JSON
        // encoders write for double keys). Other text (whitespace, hex, Infinity) goes to the twin.
        const size_t save = pos_;
        pos_ = start;
        size_t p = start;
        if (At(p) == '-') p++;
        const bool json_number = p < end && IsDigit(b_[p]);
        const size_t number_end = json_number ? ScanNumberQuiet(start, end) : SIZE_MAX;
        pos_ = save;
        if (number_end != end) return Defer();
        if (!Room(8)) return false;
        WriteDouble(out_, ParseDouble(b_, start, end), compact_);
        return true;
      }
      case kBool: {
        const size_t n = end - start;
        if (!Room(1)) return false;
        if (n == 4 && std::memcmp(b_ + start, "true", 4) == 0) out_->Put(1);
        else if (n == 5 && std::memcmp(b_ + start, "false", 5) == 0) out_->Put(compact_ ? 2 : 0);
        else return Fail(ErrorKind::kBadValue, "map key is not a valid bool", key_at);
        return true;
      }
      default:
        return Fail(ErrorKind::kBadType, std::string("map keys of type ") + KindName(key.kind) + " cannot come from JSON", key_at);
    }
  }

};

}  // namespace

Outcome FromJson(const Table& table, const uint8_t* src, size_t length, uint32_t flags, Sink* out, Error* error) {
  JsonToWire converter(table, src, length, flags, out, error);
  return converter.Run();
}

}  // namespace heddle::codec::thrift_json
