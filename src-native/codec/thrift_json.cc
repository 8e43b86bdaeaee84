// Thrift JSON transcoding: see thrift_json.h. Each function names its TypeScript twin; the order
// of checks follows the twin's, because that order decides which error a bad input gets.
#include "codec/thrift_json.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "codec/utf8_validate.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace heddle::codec::thrift_json {

const char* ErrorCodeName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kTruncated: return "ERR_TRUNCATED";
    case ErrorKind::kBadType: return "ERR_BAD_TYPE";
    case ErrorKind::kDepthLimit: return "ERR_DEPTH_LIMIT";
    case ErrorKind::kSizeLimit: return "ERR_SIZE_LIMIT";
    case ErrorKind::kRequiredField: return "ERR_REQUIRED_FIELD";
    default: return "ERR_BAD_VALUE";
  }
}

// ---- Sink ----

Sink::~Sink() { std::free(buf); }

void Sink::Grow(size_t n) {
  size_t size = cap == 0 ? 64 * 1024 : cap * 2;
  while (size < pos + n) size *= 2;
  void* next = std::realloc(buf, size);
  if (next == nullptr) std::abort();  // as V8 does when an allocation fails
  buf = static_cast<uint8_t*>(next);
  cap = size;
}

void Sink::Bytes(const void* src, size_t n) {
  Ensure(n);
  if (n != 0) std::memcpy(buf + pos, src, n);
  pos += n;
}

void Sink::Trim() {
  pos = 0;
  if (cap > 1024 * 1024) {
    std::free(buf);
    buf = nullptr;
    cap = 0;
  }
}

namespace {

// ---- Table ----

constexpr int32_t kTableMagic = 0x544a5331;  // "TJS1"
constexpr size_t kTypeInts = 5;
constexpr size_t kStructInts = 5;
constexpr size_t kFieldInts = 13;

bool Slice(const uint8_t* bytes, size_t byte_count, int32_t off, int32_t len, std::string* out) {
  if (off < 0 || len < 0 || static_cast<size_t>(off) + static_cast<size_t>(len) > byte_count) return false;
  out->assign(reinterpret_cast<const char*>(bytes) + off, static_cast<size_t>(len));
  return true;
}

}  // namespace

bool ParseTable(const int32_t* ints, size_t int_count, const uint8_t* bytes, size_t byte_count, Table* out) {
  if (int_count < 6 || ints[0] != kTableMagic) return false;
  out->compact = ints[1] != 0;
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
      f.required = v[2] != 0;
      if (!Slice(bytes, byte_count, v[3], v[4], &f.json_name) || !Slice(bytes, byte_count, v[5], v[6], &f.name) ||
          !Slice(bytes, byte_count, v[7], v[8], &f.key)) {
        return false;
      }
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

namespace {

// ---- Shared helpers ----

// Compact type id -> Binary type id (-1: not a type), FROM_COMPACT in to-json.ts.
constexpr int8_t kFromCompact[16] = {-1, 2, 2, 3, 6, 8, 10, 4, 11, 15, 14, 13, 12, 16, -1, -1};

// Path segments from the top-level struct, PathStack in json-reader.ts.
struct PathSegment {
  enum Type : uint8_t { kField, kIndex, kMapKey } type;
  int64_t value;  // kIndex: the index; kMapKey: offset of the key's opening quote
  const std::string* name;  // kField
};

void AppendInt(std::string* s, int64_t v) {
  char text[24];
  const auto r = std::to_chars(text, text + sizeof text, v);
  s->append(text, r.ptr);
}

// The UTF-8 of code point cp (which JS writes for String.fromCharCode of a byte, or a \u escape).
void AppendCodePoint(std::string* s, uint32_t cp) {
  if (cp < 0x80) s->push_back(static_cast<char>(cp));
  else if (cp < 0x800) {
    s->push_back(static_cast<char>(0xc0 | (cp >> 6)));
    s->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    s->push_back(static_cast<char>(0xe0 | (cp >> 12)));
    s->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    s->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    s->push_back(static_cast<char>(0xf0 | (cp >> 18)));
    s->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    s->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    s->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

void WriteCodePoint(Sink* out, uint32_t cp) {
  out->Ensure(4);
  uint8_t* b = out->buf;
  if (cp < 0x80) b[out->pos++] = static_cast<uint8_t>(cp);
  else if (cp < 0x800) {
    b[out->pos++] = static_cast<uint8_t>(0xc0 | (cp >> 6));
    b[out->pos++] = static_cast<uint8_t>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    b[out->pos++] = static_cast<uint8_t>(0xe0 | (cp >> 12));
    b[out->pos++] = static_cast<uint8_t>(0x80 | ((cp >> 6) & 0x3f));
    b[out->pos++] = static_cast<uint8_t>(0x80 | (cp & 0x3f));
  } else {
    b[out->pos++] = static_cast<uint8_t>(0xf0 | (cp >> 18));
    b[out->pos++] = static_cast<uint8_t>(0x80 | ((cp >> 12) & 0x3f));
    b[out->pos++] = static_cast<uint8_t>(0x80 | ((cp >> 6) & 0x3f));
    b[out->pos++] = static_cast<uint8_t>(0x80 | (cp & 0x3f));
  }
}

void WriteI16(Sink* out, int32_t v) {
  out->Ensure(2);
  out->buf[out->pos++] = static_cast<uint8_t>(v >> 8);
  out->buf[out->pos++] = static_cast<uint8_t>(v);
}

void WriteI32(Sink* out, uint32_t v) {
  out->Ensure(4);
  uint8_t* b = out->buf + out->pos;
  b[0] = static_cast<uint8_t>(v >> 24);
  b[1] = static_cast<uint8_t>(v >> 16);
  b[2] = static_cast<uint8_t>(v >> 8);
  b[3] = static_cast<uint8_t>(v);
  out->pos += 4;
}

void WriteVarint(Sink* out, uint64_t v) {
  out->Ensure(10);
  uint8_t* b = out->buf;
  while (v >= 0x80) {
    b[out->pos++] = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  b[out->pos++] = static_cast<uint8_t>(v);
}

size_t VarintSize(uint32_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

// fieldHeaderCompact in wire-write.ts.
void FieldHeaderCompact(Sink* out, int32_t ctype, int32_t id, int32_t last_id) {
  const int32_t delta = id - last_id;
  if (delta > 0 && delta <= 15) out->Byte(static_cast<uint8_t>((delta << 4) | ctype));
  else {
    out->Byte(static_cast<uint8_t>(ctype));
    WriteVarint(out, static_cast<uint32_t>((id << 1) ^ (id >> 31)));
  }
}

void WriteDouble(Sink* out, double v, bool compact) {
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  out->Ensure(8);
  uint8_t* b = out->buf + out->pos;
  for (int i = 0; i < 8; i++) b[i] = static_cast<uint8_t>(compact ? bits >> (8 * i) : bits >> (56 - 8 * i));
  out->pos += 8;
}

int HexValue(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  c |= 0x20;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// writeUuid in wire-write.ts: the canonical 8-4-4-4-12 hex text, or false.
bool WriteUuid(Sink* out, const uint8_t* src, size_t start, size_t end) {
  if (end - start != 36) return false;
  uint8_t bytes[16];
  size_t n = 0;
  for (size_t i = 0; i < 36;) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (src[start + i] != '-') return false;
      i++;
      continue;
    }
    const int hi = HexValue(src[start + i]);
    const int lo = HexValue(src[start + i + 1]);
    if (hi < 0 || lo < 0) return false;
    bytes[n++] = static_cast<uint8_t>((hi << 4) | lo);
    i += 2;
  }
  out->Bytes(bytes, 16);
  return true;
}

// ---- Base64 (base64.ts) ----

struct Base64Tables {
  uint8_t decode[256];
  Base64Tables() {
    std::memset(decode, 255, sizeof decode);
    const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; i++) decode[static_cast<uint8_t>(alphabet[i])] = static_cast<uint8_t>(i);
    decode['-'] = 62;
    decode['_'] = 63;
  }
};
const Base64Tables kBase64;
constexpr char kBase64Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int64_t DecodedSize(const uint8_t* src, size_t start, size_t end) {
  size_t pad = 0;
  while (pad < 3 && end - pad > start && src[end - pad - 1] == '=') pad++;
  if (pad > 2 || (pad > 0 && (end - start) % 4 != 0)) return -1;
  const size_t n = end - start - pad;
  if (n % 4 == 1) return -1;
  return static_cast<int64_t>((n >> 2) * 3 + (n % 4 == 0 ? 0 : n % 4 - 1));
}

// Decodes into out (room made); -1 on success, else the offset of the first bad byte.
int64_t DecodeBase64(const uint8_t* src, size_t start, size_t end, Sink* out) {
  while (end > start && src[end - 1] == '=') end--;
  const uint8_t* d = kBase64.decode;
  uint8_t* b = out->buf;
  size_t pos = out->pos;
  size_t i = start;
  const auto bad_at = [&](size_t from, size_t to) -> int64_t {
    for (size_t k = from; k < to; k++) if (d[src[k]] == 255) return static_cast<int64_t>(k);
    return static_cast<int64_t>(from);
  };
  for (; i + 4 <= end; i += 4) {
    const uint32_t a = d[src[i]], c = d[src[i + 1]], e = d[src[i + 2]], f = d[src[i + 3]];
    if ((a | c | e | f) == 255) return bad_at(i, i + 4);
    b[pos++] = static_cast<uint8_t>((a << 2) | (c >> 4));
    b[pos++] = static_cast<uint8_t>((c << 4) | (e >> 2));
    b[pos++] = static_cast<uint8_t>((e << 6) | f);
  }
  const size_t left = end - i;
  if (left >= 2) {
    const uint32_t a = d[src[i]], c = d[src[i + 1]];
    const uint32_t e = left == 3 ? d[src[i + 2]] : 0;
    if ((a | c | e) == 255) return bad_at(i, end);
    b[pos++] = static_cast<uint8_t>((a << 2) | (c >> 4));
    if (left == 3) b[pos++] = static_cast<uint8_t>((c << 4) | (e >> 2));
  }
  out->pos = pos;
  return -1;
}

void EncodeBase64(const uint8_t* src, size_t start, size_t end, Sink* out) {
  out->Ensure((end - start + 2) / 3 * 4);
  uint8_t* b = out->buf;
  size_t pos = out->pos;
  size_t i = start;
  for (; i + 3 <= end; i += 3) {
    const uint32_t v = (static_cast<uint32_t>(src[i]) << 16) | (static_cast<uint32_t>(src[i + 1]) << 8) | src[i + 2];
    b[pos++] = kBase64Alphabet[v >> 18];
    b[pos++] = kBase64Alphabet[(v >> 12) & 63];
    b[pos++] = kBase64Alphabet[(v >> 6) & 63];
    b[pos++] = kBase64Alphabet[v & 63];
  }
  if (end - i == 1) {
    const uint32_t v = src[i];
    b[pos++] = kBase64Alphabet[v >> 2];
    b[pos++] = kBase64Alphabet[(v & 3) << 4];
    b[pos++] = '=';
    b[pos++] = '=';
  } else if (end - i == 2) {
    const uint32_t v = (static_cast<uint32_t>(src[i]) << 8) | src[i + 1];
    b[pos++] = kBase64Alphabet[v >> 10];
    b[pos++] = kBase64Alphabet[(v >> 4) & 63];
    b[pos++] = kBase64Alphabet[(v & 15) << 2];
    b[pos++] = '=';
  }
  out->pos = pos;
}

// ---- Byte scans ----

// The first offset in [p, end) whose byte is '"', '\\', a control character or (when
// stop_high) >= 0x80; end if none. SSE2 is part of x86-64, so this needs no dispatch.
inline size_t FindSpecial(const uint8_t* b, size_t p, size_t end, bool stop_high) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  for (; p + 16 <= end; p += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + p));
    // Signed compare: bytes >= 0x80 are negative, so "below 0x20" catches them too; without
    // stop_high they are masked out again.
    __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash));
    __m128i low = _mm_cmplt_epi8(v, space);
    if (!stop_high) low = _mm_andnot_si128(_mm_cmplt_epi8(v, _mm_setzero_si128()), low);
    const int mask = _mm_movemask_epi8(_mm_or_si128(hit, low));
    if (mask != 0) return p + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
  }
#endif
  for (; p < end; p++) {
    const uint8_t c = b[p];
    if (c == '"' || c == '\\' || c < 0x20 || (stop_high && c >= 0x80)) return p;
  }
  return end;
}

// ---- JSON to wire (from-json.ts, json-reader.ts) ----

enum : int32_t { kCompactTrue = 1, kCompactFalse = 2 };

// What both directions share: the input, the output, the field path and the error report.
class Converter {
 protected:
  Converter(const Table& table, const uint8_t* src, size_t length, Sink* out, Error* error)
      : t_(table), b_(src), end_(length), compact_(table.compact), out_(out), error_(error), path_(Stacks().path), seen_(Stacks().seen) {
    path_.clear();
    seen_.clear();
  }

  // The path and seen stacks, kept per thread between calls: allocating them per message was 3%
  // of a Nesting fromJSON (malloc and free in the profile). A thread runs one conversion at a time.
  struct StackSpace {
    std::vector<PathSegment> path;
    std::vector<uint8_t> seen;
    // Unescaped string content (JsonToWire).
    Sink scratch;
  };
  static StackSpace& Stacks() {
    static thread_local StackSpace stacks;
    return stacks;
  }

  const Table& t_;
  const uint8_t* b_;
  size_t end_;
  size_t pos_ = 0;
  bool compact_;
  Sink* out_;
  Error* error_;
  Outcome outcome_ = Outcome::kError;
  std::vector<PathSegment>& path_;
  // Which fields of each enclosing struct came, stacked.
  std::vector<uint8_t>& seen_;

  int At(size_t p) const { return p < end_ ? b_[p] : -1; }

  // The member name whose opening quote is at `at`, up to 40 bytes (keyText in json-reader.ts).
  std::string KeyText(size_t at) const {
    size_t e = at + 1;
    while (e < end_ && b_[e] != '"' && e < at + 41) e += b_[e] == '\\' ? 2 : 1;
    if (e > end_) e = end_;
    return std::string(reinterpret_cast<const char*>(b_) + at + 1, e - at - 1);
  }

  // `items[3].title` (formatPath in json-reader.ts); map keys are read back from the JSON.
  std::string FormatPath() const {
    std::string s;
    for (const PathSegment& seg : path_) {
      if (seg.type == PathSegment::kField) {
        if (!s.empty()) s.push_back('.');
        s += *seg.name;
      } else if (seg.type == PathSegment::kIndex) {
        s.push_back('[');
        AppendInt(&s, seg.value);
        s.push_back(']');
      } else {
        s.push_back('[');
        s += KeyText(static_cast<size_t>(seg.value));
        s.push_back(']');
      }
    }
    return s;
  }

  bool Fail(ErrorKind kind, std::string message, size_t offset) {
    error_->kind = kind;
    error_->message = std::move(message);
    error_->offset = static_cast<int64_t>(offset);
    error_->path = FormatPath();
    outcome_ = Outcome::kError;
    return false;
  }

  // An error thrown outside the reader in the twin: no offset, no path.
  Outcome FailNoPlace(ErrorKind kind, std::string message) {
    error_->kind = kind;
    error_->message = std::move(message);
    error_->offset = -1;
    error_->path.clear();
    return Outcome::kError;
  }

  bool DepthFail() {
    std::string m = "nesting deeper than ";
    AppendInt(&m, t_.max_depth);
    return Fail(ErrorKind::kDepthLimit, std::move(m), pos_);
  }
};

class JsonToWire : Converter {
 public:
  JsonToWire(const Table& table, const uint8_t* src, size_t length, bool reject, Sink* out, Error* error)
      : Converter(table, src, length, out, error), reject_(reject) {
    scratch_.Trim();
  }

  Outcome Run() {
    out_->pos = 0;
    if (!Struct(t_.structs[0], 1)) return outcome_;
    if (Peek() != -1) return Malformed("the end of the input", pos_);
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
  bool reject_;
  Sink& scratch_ = Stacks().scratch;
  // Set by ScanString.
  bool escaped_ = false;
  size_t start_ = 0;
  size_t key_at_ = 0;
  // Set by Integer.
  uint64_t value_ = 0;

  // ---- errors ----

  Outcome Malformed(const char* what, size_t offset) {
    MalformedAt(what, offset);
    return Outcome::kError;
  }
  bool MalformedAt(const std::string& what, size_t offset) {
    if (offset >= end_) return Fail(ErrorKind::kTruncated, "JSON ends where " + what + " was expected", offset);
    std::string m = "malformed JSON: expected " + what + ", found '";
    AppendCodePoint(&m, b_[offset]);
    m += "'";
    return Fail(ErrorKind::kBadValue, std::move(m), offset);
  }
  bool Defer() {
    outcome_ = Outcome::kDefer;
    return false;
  }

  // ---- tokens ----

  int Peek() {
    size_t p = pos_;
    while (p < end_) {
      const uint8_t c = b_[p];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') break;
      p++;
    }
    pos_ = p;
    return p < end_ ? b_[p] : -1;
  }

  bool Expect(uint8_t c, const char* what) {
    if (Peek() != c) return MalformedAt(what, pos_);
    pos_++;
    return true;
  }

  bool Literal(const char* word) {
    for (size_t i = 0; word[i] != 0; i++) {
      if (At(pos_ + i) != static_cast<uint8_t>(word[i])) return MalformedAt(std::string("'") + word + "'", pos_ + i);
    }
    pos_ += std::strlen(word);
    return true;
  }

  bool Empty(uint8_t close) {
    if (Peek() != close) return false;
    pos_++;
    return true;
  }

  // 1 at `close` (consumed), 0 at ',' (consumed), -1 failed.
  int EndOrComma(uint8_t close) {
    const int next = Peek();
    pos_++;
    if (next == close) return 1;
    if (next != ',') {
      std::string what = "',' or '";
      what.push_back(static_cast<char>(close));
      what += "'";
      MalformedAt(what, pos_ - 1);
      return -1;
    }
    return 0;
  }

  // At an opening quote: the offset of the closing one, or SIZE_MAX after failing.
  size_t ScanString() {
    const uint8_t* b = b_;
    size_t p = pos_ + 1;
    bool escaped = false;
    for (;;) {
      p = FindSpecial(b, p, end_, true);
      if (p >= end_) {
        Fail(ErrorKind::kTruncated, "JSON ends inside a string", p);
        return SIZE_MAX;
      }
      const uint8_t c = b[p];
      if (c == '"') break;
      if (c == '\\') {
        escaped = true;
        p += 2;
        continue;
      }
      if (c < 0x20) {
        Fail(ErrorKind::kBadValue, "malformed JSON: control character in a string", p);
        return SIZE_MAX;
      }
      // A run of non-ASCII text: validate it whole with the SIMD kernel, up to the next byte
      // that is not plain text; the first invalid sequence is where the byte walk would stop.
      const size_t stop = FindSpecial(b, p, end_, false);
      const KernelResult r = ValidateUtf8(b + p, stop - p);
      if (r.status != KernelStatus::kOk) {
        Fail(ErrorKind::kBadValue, "invalid UTF-8 in a JSON string", p + r.position);
        return SIZE_MAX;
      }
      p = stop;
    }
    escaped_ = escaped;
    start_ = pos_ + 1;
    pos_ = p + 1;
    return p;
  }

  bool MemberName(size_t* close) {
    if (Peek() != '"') return MalformedAt("a member name", pos_);
    key_at_ = pos_;
    *close = ScanString();
    return *close != SIZE_MAX;
  }

  bool Hex4(size_t at, uint32_t* v) {
    uint32_t r = 0;
    for (size_t k = 0; k < 4; k++) {
      const int h = at + k < end_ ? HexValue(b_[at + k]) : -1;
      if (h < 0) return Fail(ErrorKind::kBadValue, "malformed JSON: bad \\u escape", at - 2);
      r = (r << 4) | static_cast<uint32_t>(h);
    }
    *v = r;
    return true;
  }

  bool Unescape(size_t start, size_t end, Sink* out) {
    const uint8_t* b = b_;
    size_t i = start;
    size_t run = start;
    while (i < end) {
      if (b[i] != '\\') {
        i++;
        continue;
      }
      out->Bytes(b + run, i - run);
      const int e = At(i + 1);
      size_t skip = 2;
      switch (e) {
        case '"': case '\\': case '/': out->Byte(static_cast<uint8_t>(e)); break;
        case 'b': out->Byte(8); break;
        case 'f': out->Byte(12); break;
        case 'n': out->Byte(10); break;
        case 'r': out->Byte(13); break;
        case 't': out->Byte(9); break;
        case 'u': {
          uint32_t cp = 0;
          if (!Hex4(i + 2, &cp)) return false;
          skip = 6;
          if (cp >= 0xd800 && cp <= 0xdbff) {
            const size_t low_at = i + 6;
            if (At(low_at) != '\\' || At(low_at + 1) != 'u') return Fail(ErrorKind::kBadValue, "lone high surrogate in a JSON string", i);
            uint32_t low = 0;
            if (!Hex4(low_at + 2, &low)) return false;
            if (low < 0xdc00 || low > 0xdfff) return Fail(ErrorKind::kBadValue, "lone high surrogate in a JSON string", i);
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
            skip = 12;
          } else if (cp >= 0xdc00 && cp <= 0xdfff) {
            return Fail(ErrorKind::kBadValue, "lone low surrogate in a JSON string", i);
          }
          WriteCodePoint(out, cp);
          break;
        }
        default:
          return Fail(ErrorKind::kBadValue, "malformed JSON: bad escape in a string", i);
      }
      i += skip;
      run = i;
    }
    if (end > run) out->Bytes(b + run, end - run);
    return true;
  }

  static bool IsDigit(int c) { return c >= '0' && c <= '9'; }

  // Scans a number at pos_; its end, or SIZE_MAX after failing.
  size_t ScanNumber(bool integer_only) {
    const size_t start = pos_;
    size_t p = start;
    if (At(p) == '-') p++;
    if (At(p) == '0') p++;
    else if (At(p) >= '1' && At(p) <= '9') while (p < end_ && IsDigit(b_[p])) p++;
    else return MalformedAt("a digit", p), SIZE_MAX;
    const size_t int_end = p;
    if (At(p) == '.') {
      p++;
      if (!IsDigit(At(p))) return MalformedAt("a digit", p), SIZE_MAX;
      while (p < end_ && IsDigit(b_[p])) p++;
    }
    if (At(p) == 'e' || At(p) == 'E') {
      p++;
      if (At(p) == '+' || At(p) == '-') p++;
      if (!IsDigit(At(p))) return MalformedAt("a digit", p), SIZE_MAX;
      while (p < end_ && IsDigit(b_[p])) p++;
    }
    if (integer_only && p != int_end) {
      Fail(ErrorKind::kBadValue, "expected an integer, found a fraction or exponent", start);
      return SIZE_MAX;
    }
    pos_ = p;
    return p;
  }

  // The integer [start, end) (optional '-', digits) into value_ as two's complement; false when
  // it is outside the range of a `bits`-bit signed integer.
  bool IntegerValue(size_t start, size_t end, int bits) {
    const bool negative = b_[start] == '-';
    uint64_t m = 0;
    const uint64_t limit = (uint64_t{1} << (bits - 1)) - (negative ? 0 : 1);
    for (size_t p = negative ? start + 1 : start; p < end; p++) {
      const uint64_t d = b_[p] - '0';
      if (m > (limit - d) / 10) return false;
      m = m * 10 + d;
    }
    value_ = negative ? uint64_t{0} - m : m;
    return true;
  }

  static double ParseDouble(const uint8_t* b, size_t start, size_t end) {
    double v = 0;
    const char* first = reinterpret_cast<const char*>(b) + start;
    const char* last = reinterpret_cast<const char*>(b) + end;
    const auto r = std::from_chars(first, last, v);
    if (r.ec == std::errc::result_out_of_range) {
      // Overflow or underflow: strtod gives the same correctly rounded infinity or zero as JS.
      std::string text(first, last);
      v = std::strtod(text.c_str(), nullptr);
    }
    return v;
  }

  // ---- values ----

  bool WrongType(const char* expected) {
    const int c = Peek();
    const char* found = c == '"' ? "a string" : c == '{' ? "an object" : c == '[' ? "an array" : c == 't' || c == 'f' ? "a boolean" : c == 'n' ? "null" : c == -1 ? "the end of the input" : c == '-' || IsDigit(c) ? "a number" : nullptr;
    if (found == nullptr) return MalformedAt("a value", pos_);
    return Fail(c == -1 ? ErrorKind::kTruncated : ErrorKind::kBadValue, std::string("expected ") + expected + ", found " + found, pos_);
  }

  // 1 true, 0 false, -1 failed.
  int Bool() {
    const int c = Peek();
    if (c == 't') return Literal("true") ? 1 : -1;
    if (c == 'f') return Literal("false") ? 0 : -1;
    WrongType("a boolean");
    return -1;
  }

  void Length(size_t n) {
    if (compact_) WriteVarint(out_, n);
    else WriteI32(out_, static_cast<uint32_t>(n));
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
        size_t close = 0;
        if (!MemberName(&close)) return false;
        const size_t key_at = key_at_;
        bool failed = false;
        const FieldDesc* field = Lookup(d, start_, close, next, &failed);
        if (failed) return false;
        if (!Expect(':', "':'")) return false;
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
            out_->Ensure(3);
            out_->buf[out_->pos++] = static_cast<uint8_t>(type.wire);
            WriteI16(out_, field->id);
            if (!Value(type, depth)) return false;
          }
          path_.pop_back();
        }
        done = EndOrComma('}');
        if (done < 0) return false;
      } while (done == 0);
    }
    if (d.needs_end_check || d.is_union) {
      if (!EndCheck(d, seen, last_id, pos_ - 1, count)) return false;
    }
    seen_.resize(seen);
    out_->Byte(0);
    return true;
  }

  bool EndCheck(const StructDesc& d, size_t seen, int32_t last_id, size_t offset, int32_t count) {
    if (d.is_union && count != 1) {
      std::string m = "union " + d.name + " needs exactly one field set, found ";
      AppendInt(&m, count);
      return Fail(ErrorKind::kBadValue, std::move(m), offset);
    }
    for (size_t i = 0; i < d.fields.size(); i++) {
      const FieldDesc& f = d.fields[i];
      if (seen_[seen + i] == 1) continue;
      if (f.required) return Fail(ErrorKind::kRequiredField, "required field '" + f.json_name + "' of " + d.name + " is missing", offset);
      if (!f.has_default || d.is_union) continue;
      if (f.default_fails) {
        // writeConst throws outside the reader: no offset, no path.
        outcome_ = FailNoPlace(ErrorKind::kBadValue, "an IDL default is not a UUID");
        return false;
      }
      const TypeDesc& type = t_.types[static_cast<size_t>(f.type)];
      if (compact_) {
        FieldHeaderCompact(out_, type.kind == kBool ? f.default_bool_ctype : type.compact, f.id, last_id);
        last_id = f.id;
      } else {
        out_->Ensure(3);
        out_->buf[out_->pos++] = static_cast<uint8_t>(type.wire);
        WriteI16(out_, f.id);
      }
      out_->Bytes(f.default_wire.data(), f.default_wire.size());
    }
    return true;
  }

  static void AppendJsonQuoted(std::string* s, const std::string& text) {
    static const char kHex[] = "0123456789abcdef";
    s->push_back('"');
    for (const char ch : text) {
      const uint8_t c = static_cast<uint8_t>(ch);
      switch (c) {
        case '"': *s += "\\\""; break;
        case '\\': *s += "\\\\"; break;
        case '\b': *s += "\\b"; break;
        case '\f': *s += "\\f"; break;
        case '\n': *s += "\\n"; break;
        case '\r': *s += "\\r"; break;
        case '\t': *s += "\\t"; break;
        default:
          if (c < 0x20) {
            *s += "\\u00";
            s->push_back(kHex[c >> 4]);
            s->push_back(kHex[c & 15]);
          } else {
            s->push_back(static_cast<char>(c));
          }
      }
    }
    s->push_back('"');
  }

  bool Value(const TypeDesc& type, int depth) {
    const int c = Peek();
    switch (type.kind) {
      case kBool: {
        const int v = Bool();
        if (v < 0) return false;
        out_->Byte(compact_ ? (v == 1 ? 1 : 2) : (v == 1 ? 1 : 0));
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
        if (end == SIZE_MAX) return false;
        WriteDouble(out_, ParseDouble(b_, start, end), compact_);
        return true;
      }
      case kString: {
        if (c != '"') return WrongType("a string");
        const size_t close = ScanString();
        if (close == SIZE_MAX) return false;
        if (!escaped_) {
          Length(close - start_);
          out_->Bytes(b_ + start_, close - start_);
        } else {
          scratch_.pos = 0;
          if (!Unescape(start_, close, &scratch_)) return false;
          Length(scratch_.pos);
          out_->Bytes(scratch_.buf, scratch_.pos);
        }
        return true;
      }
      case kBinary: {
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
        Length(static_cast<size_t>(size));
        out_->Ensure(static_cast<size_t>(size));
        const int64_t bad = DecodeBase64(src, start, end, out_);
        if (bad >= 0) return Fail(ErrorKind::kBadValue, "invalid base64 character", escaped_ ? start_ : static_cast<size_t>(bad));
        return true;
      }
      case kUuid: {
        if (c != '"') return WrongType("a UUID string");
        const size_t close = ScanString();
        if (close == SIZE_MAX) return false;
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
    const uint64_t v = value_;
    if (kind == kI8) out_->Byte(static_cast<uint8_t>(v));
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
  void Shift(size_t from, size_t delta) {
    out_->Ensure(delta);
    std::memmove(out_->buf + from + delta, out_->buf + from, out_->pos - from);
    out_->pos += delta;
  }

  bool List(const TypeDesc& type, int depth) {
    if (depth > t_.max_depth) return DepthFail();
    pos_++;
    const TypeDesc& elem = t_.types[static_cast<size_t>(type.a)];
    const size_t header = out_->pos;
    if (compact_) out_->Byte(0);
    else {
      out_->Byte(static_cast<uint8_t>(elem.wire));
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
      Shift(header + 1, VarintSize(n));
      const size_t end = out_->pos;
      out_->pos = header;
      out_->Byte(static_cast<uint8_t>(0xf0 | elem.compact));
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
    if (compact_) {
      out_->Byte(0);
      out_->Byte(static_cast<uint8_t>((key.compact << 4) | value.compact));
    } else {
      out_->Byte(static_cast<uint8_t>(key.wire));
      out_->Byte(static_cast<uint8_t>(value.wire));
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
      Shift(header + 1, VarintSize(n) - 1);
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
        WriteDouble(out_, ParseDouble(b_, start, end), compact_);
        return true;
      }
      case kBool: {
        const size_t n = end - start;
        if (n == 4 && std::memcmp(b_ + start, "true", 4) == 0) out_->Byte(1);
        else if (n == 5 && std::memcmp(b_ + start, "false", 5) == 0) out_->Byte(compact_ ? 2 : 0);
        else return Fail(ErrorKind::kBadValue, "map key is not a valid bool", key_at);
        return true;
      }
      default:
        return Fail(ErrorKind::kBadType, std::string("map keys of type ") + KindName(key.kind) + " cannot come from JSON", key_at);
    }
  }

  // The end of the JSON number grammar match at start (within [start, end)), without failing.
  size_t ScanNumberQuiet(size_t start, size_t end) const {
    size_t p = start;
    const auto at = [&](size_t q) { return q < end ? static_cast<int>(b_[q]) : -1; };
    if (at(p) == '-') p++;
    if (at(p) == '0') p++;
    else if (at(p) >= '1' && at(p) <= '9') while (IsDigit(at(p))) p++;
    else return SIZE_MAX;
    if (at(p) == '.') {
      p++;
      if (!IsDigit(at(p))) return SIZE_MAX;
      while (IsDigit(at(p))) p++;
    }
    if (at(p) == 'e' || at(p) == 'E') {
      p++;
      if (at(p) == '+' || at(p) == '-') p++;
      if (!IsDigit(at(p))) return SIZE_MAX;
      while (IsDigit(at(p))) p++;
    }
    return p;
  }

  bool CheckEscapes() {
    const size_t close = pos_ - 1;
    for (size_t p = start_; p < close; p++) {
      if (b_[p] != '\\') continue;
      const int e = At(p + 1);
      if (e == 'u') {
        uint32_t ignored = 0;
        if (!Hex4(p + 2, &ignored)) return false;
        p += 5;
      } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
        p++;
      } else {
        return Fail(ErrorKind::kBadValue, "malformed JSON: bad escape in a string", p);
      }
    }
    return true;
  }

  bool SkipValue(int depth) {
    const int c = Peek();
    switch (c) {
      case '"':
        if (ScanString() == SIZE_MAX) return false;
        return !escaped_ || CheckEscapes();
      case '{':
      case '[': {
        if (depth >= t_.max_depth) {
          std::string m = "JSON nests deeper than ";
          AppendInt(&m, t_.max_depth);
          return Fail(ErrorKind::kDepthLimit, std::move(m), pos_);
        }
        const uint8_t close = c == '{' ? '}' : ']';
        pos_++;
        if (Empty(close)) return true;
        int done;
        do {
          if (c == '{') {
            size_t ignored = 0;
            if (!MemberName(&ignored)) return false;
            if (!Expect(':', "':'")) return false;
          }
          if (!SkipValue(depth + 1)) return false;
          done = EndOrComma(close);
          if (done < 0) return false;
        } while (done == 0);
        return true;
      }
      case 't': return Literal("true");
      case 'f': return Literal("false");
      case 'n': return Literal("null");
      default:
        if (c == '-' || IsDigit(c)) return ScanNumber(false) != SIZE_MAX;
        return MalformedAt("a value", pos_);
    }
  }
};

// ---- Wire to JSON (to-json.ts) ----

class WireToJson : Converter {
 public:
  WireToJson(const Table& table, const uint8_t* src, size_t length, bool i64_string, Sink* out, Error* error)
      : Converter(table, src, length, out, error), i64_string_(i64_string) {}

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
  void Ascii(const char* s, size_t n) { out_->Bytes(s, n); }
  void Int(int64_t v) {
    char text[24];
    const auto r = std::to_chars(text, text + sizeof text, v);
    out_->Bytes(text, static_cast<size_t>(r.ptr - text));
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
    out_->Byte('{');
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
          const uint32_t u = static_cast<uint32_t>(z);
          id = static_cast<int16_t>(static_cast<uint16_t>((u >> 1) ^ (0u - (u & 1))));
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
      if (d.needs_end_check) seen_[seen + static_cast<size_t>(f - d.fields.data())] = 1;
      if (!first) out_->Byte(',');
      first = false;
      out_->Bytes(f->key.data(), f->key.size());
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
    out_->Byte('}');
    return true;
  }

  // JS Number.prototype.toString of a finite double: shortest round-trip digits, laid out by
  // the exponent as ECMA-262 Number::toString does.
  void Double(double v) {
    if (v == 0) {
      out_->Byte('0');
      return;
    }
    char sci[40];
    const auto r = std::to_chars(sci, sci + sizeof sci, v, std::chars_format::scientific);
    // sci is [-]d[.ddd]e(+|-)xx
    const char* p = sci;
    const char* end = r.ptr;
    if (*p == '-') {
      out_->Byte('-');
      p++;
    }
    char digits[24];
    size_t k = 0;
    while (p < end && *p != 'e') {
      if (*p != '.') digits[k++] = *p;
      p++;
    }
    // p is at 'e'; to_chars wrote no terminator, and from_chars takes no '+'.
    int exponent = 0;  // value = d1.d2d3... * 10^exponent
    const bool negative_exponent = p[1] == '-';
    std::from_chars(p + 2, end, exponent);
    if (negative_exponent) exponent = -exponent;
    const int n = exponent + 1;
    const int kk = static_cast<int>(k);
    char text[64];
    size_t t = 0;
    if (kk <= n && n <= 21) {
      for (int i = 0; i < kk; i++) text[t++] = digits[i];
      for (int i = 0; i < n - kk; i++) text[t++] = '0';
    } else if (0 < n && n <= 21) {
      for (int i = 0; i < n; i++) text[t++] = digits[i];
      text[t++] = '.';
      for (int i = n; i < kk; i++) text[t++] = digits[i];
    } else if (-6 < n && n <= 0) {
      text[t++] = '0';
      text[t++] = '.';
      for (int i = 0; i < -n; i++) text[t++] = '0';
      for (int i = 0; i < kk; i++) text[t++] = digits[i];
    } else {
      text[t++] = digits[0];
      if (kk > 1) {
        text[t++] = '.';
        for (int i = 1; i < kk; i++) text[t++] = digits[i];
      }
      text[t++] = 'e';
      text[t++] = n - 1 >= 0 ? '+' : '-';
      const auto e = std::to_chars(text + t, text + sizeof text, n - 1 >= 0 ? n - 1 : 1 - n);
      t = static_cast<size_t>(e.ptr - text);
    }
    out_->Bytes(text, t);
  }

  bool Value(const TypeDesc& type, int depth) {
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
          const uint32_t u = static_cast<uint32_t>(z);
          Int(static_cast<int16_t>(static_cast<uint16_t>((u >> 1) ^ (0u - (u & 1)))));
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
          const uint32_t u = static_cast<uint32_t>(z);
          Int(static_cast<int32_t>((u >> 1) ^ (0u - (u & 1))));
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
        if (i64_string_) out_->Byte('"');
        Int(static_cast<int64_t>(u));
        if (i64_string_) out_->Byte('"');
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
        if (type.kind == kString) return String(start, pos_);
        out_->Byte('"');
        EncodeBase64(b_, start, pos_, out_);
        out_->Byte('"');
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
        out_->Bytes(s, t);
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

  // src[start, end) as a JSON string, escaped as JSON.stringify does; UTF-8 checked first with
  // the SIMD kernel (its first invalid sequence is where a byte walk would stop).
  bool String(size_t start, size_t end) {
    const KernelResult valid = ValidateUtf8(b_ + start, end - start);
    if (valid.status != KernelStatus::kOk) return Fail(ErrorKind::kBadValue, "invalid UTF-8 in a string", start + valid.position);
    out_->Ensure(end - start + 2);
    out_->buf[out_->pos++] = '"';
    size_t run = start;
    for (;;) {
      const size_t i = FindSpecial(b_, run, end, false);
      out_->Bytes(b_ + run, i - run);
      if (i >= end) break;
      const uint8_t c = b_[i];
      out_->Ensure(6);
      uint8_t* o = out_->buf + out_->pos;
      o[0] = '\\';
      switch (c) {
        case '"': o[1] = '"'; out_->pos += 2; break;
        case '\\': o[1] = '\\'; out_->pos += 2; break;
        case 0x08: o[1] = 'b'; out_->pos += 2; break;
        case 0x09: o[1] = 't'; out_->pos += 2; break;
        case 0x0a: o[1] = 'n'; out_->pos += 2; break;
        case 0x0c: o[1] = 'f'; out_->pos += 2; break;
        case 0x0d: o[1] = 'r'; out_->pos += 2; break;
        default: {
          static const char kHex[] = "0123456789abcdef";
          o[1] = 'u';
          o[2] = '0';
          o[3] = '0';
          o[4] = static_cast<uint8_t>(kHex[c >> 4]);
          o[5] = static_cast<uint8_t>(kHex[c & 15]);
          out_->pos += 6;
        }
      }
      run = i + 1;
    }
    out_->Byte('"');
    return true;
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
    out_->Byte('[');
    path_.push_back(PathSegment{PathSegment::kIndex, 0, nullptr});
    const size_t top = path_.size() - 1;
    for (int32_t i = 0; i < n; i++) {
      path_[top].value = i;
      if (i > 0) out_->Byte(',');
      if (!Value(elem, depth)) return false;
    }
    path_.pop_back();
    out_->Byte(']');
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
    out_->Byte('{');
    const bool quoted = key.kind == kString || key.kind == kBinary || key.kind == kUuid;
    for (int32_t i = 0; i < n; i++) {
      if (i > 0) out_->Byte(',');
      path_.push_back(PathSegment{PathSegment::kIndex, i, nullptr});
      if (!quoted) out_->Byte('"');
      const bool saved = i64_string_;
      i64_string_ = false;
      if (!Value(key, depth)) return false;
      i64_string_ = saved;
      if (!quoted) out_->Byte('"');
      out_->Byte(':');
      if (!Value(value, depth)) return false;
      path_.pop_back();
    }
    out_->Byte('}');
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

Outcome FromJson(const Table& table, const uint8_t* src, size_t length, bool reject_unknown, Sink* out, Error* error) {
  JsonToWire converter(table, src, length, reject_unknown, out, error);
  return converter.Run();
}

Outcome ToJson(const Table& table, const uint8_t* src, size_t length, bool i64_string, Sink* out, Error* error) {
  WireToJson converter(table, src, length, i64_string, out, error);
  return converter.Run();
}

}  // namespace heddle::codec::thrift_json
