// The JSON tokenizer both JSON-to-wire converters (thrift_json_from_json.cc, proto_json.cc)
// read with, following src-ts/gateway/json-reader.ts step by step so that native and TypeScript
// give the same errors: tokens found in place, UTF-8 validated with the SIMD kernel, escapes,
// number grammar, nesting depth; the field path kept for error reports. Internal; pure C++.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "codec/json_sink.h"
#include "codec/utf8_validate.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace heddle::codec::json {

// Path segments from the top-level struct, PathStack in json-reader.ts.
struct PathSegment {
  enum Type : uint8_t { kField, kIndex, kMapKey } type;
  int64_t value;  // kIndex: the index; kMapKey: offset of the key's opening quote
  const std::string* name;  // kField
};

inline void AppendInt(std::string* s, int64_t v) {
  char text[24];
  const auto r = std::to_chars(text, text + sizeof text, v);
  s->append(text, r.ptr);
}

// The UTF-8 of code point cp (which JS writes for String.fromCharCode of a byte, or a \u escape).
inline void AppendCodePoint(std::string* s, uint32_t cp) {
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

// Into room the caller made for 4 more bytes.
inline void WriteCodePoint(Sink* out, uint32_t cp) {
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

inline int HexValue(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  c |= 0x20;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
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

// The reader's state and tokens; a converter derives from it and adds its table and output.
class JsonTokenReader {
 protected:
  JsonTokenReader(const uint8_t* src, size_t length, int32_t max_depth, Error* error)
      : b_(src), end_(length), max_depth_(max_depth), error_(error), path_(Stacks().path), seen_(Stacks().seen) {
    path_.clear();
    seen_.clear();
  }

  // The path and seen stacks, kept per thread between calls: allocating them per message was 3%
  // of a Nesting fromJSON (malloc and free in the profile). A thread runs one conversion at a time.
  struct StackSpace {
    std::vector<PathSegment> path;
    std::vector<uint8_t> seen;
    // Unescaped string content.
    Sink scratch;
  };
  static StackSpace& Stacks() {
    static thread_local StackSpace stacks;
    return stacks;
  }

  const uint8_t* b_;
  size_t end_;
  size_t pos_ = 0;
  int32_t max_depth_;
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
    std::string text(reinterpret_cast<const char*>(b_) + at + 1, e - at - 1);
    // A cut through a multi-byte character decodes, in the twin's Buffer.toString, to one U+FFFD.
    for (size_t back = 1; back <= 3 && back <= text.size(); back++) {
      const uint8_t c = static_cast<uint8_t>(text[text.size() - back]);
      if ((c & 0xc0) == 0x80) continue;
      const size_t need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
      if (need > back) text.replace(text.size() - back, back, "\xef\xbf\xbd");
      break;
    }
    return text;
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
    AppendInt(&m, max_depth_);
    return Fail(ErrorKind::kDepthLimit, std::move(m), pos_);
  }

  // A buffer could not grow: reported as a size limit at the value being read, never an abort.
  bool OutOfMemory(size_t offset) { return Fail(ErrorKind::kSizeLimit, "out of memory for the converted message", offset); }

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
    // Compact JSON has no whitespace between tokens: one comparison instead of the loop's four
    // (Peek was a tenth of a Compact Nesting fromJSON's instructions).
    if (pos_ < end_ && b_[pos_] > ' ') return b_[pos_];
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

  // Whether the input at pos_ is `key` (a member name with its quotes and colon, as a table
  // holds it), byte for byte: the member name a converter expects next is matched without a
  // string scan. Keys are short: two overlapping 8-byte loads compare most of them, where a call
  // to memcmp cost 8% of a Protobuf Nesting body.
  bool KeyAt(const std::string& key) const {
    const size_t n = key.size();
    if (end_ - pos_ < n) return false;
    const uint8_t* a = b_ + pos_;
    const char* k = key.data();
    if (n >= 8 && n <= 16) {
      uint64_t x, y, u, v;
      std::memcpy(&x, a, 8);
      std::memcpy(&y, k, 8);
      std::memcpy(&u, a + n - 8, 8);
      std::memcpy(&v, k + n - 8, 8);
      return ((x ^ y) | (u ^ v)) == 0;
    }
    return std::memcmp(a, k, n) == 0;
  }

  bool MemberName(size_t* close) {
    if (Peek() != '"') return MalformedAt("a member name", pos_);
    key_at_ = pos_;
    *close = ScanString();
    return *close != SIZE_MAX;
  }

  // A member's name and colon: `expected` (the field the order predicts, or null) when the input
  // spells its `key` in place, else what lookup(start, close, &failed) finds for the scanned name
  // (null: an unknown member). Members mostly come in field order, so most skip the scan.
  template <typename Field, typename LookupFn>
  bool MemberField(const Field* expected, LookupFn&& lookup, const Field** field, size_t* key_at) {
    if (expected != nullptr && Peek() == '"' && KeyAt(expected->key)) {
      *key_at = pos_;
      *field = expected;
      pos_ += expected->key.size();
      return true;
    }
    size_t close = 0;
    if (!MemberName(&close)) return false;
    *key_at = key_at_;
    bool failed = false;
    *field = lookup(start_, close, &failed);
    return !failed && Expect(':', "':'");
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
    // Decoded text is never longer than its escaped form: room made once here is room enough.
    if (!out->TryEnsure(end - start)) return OutOfMemory(start);
    const uint8_t* b = b_;
    size_t i = start;
    size_t run = start;
    while (i < end) {
      if (b[i] != '\\') {
        i++;
        continue;
      }
      out->Put(b + run, i - run);
      const int e = At(i + 1);
      size_t skip = 2;
      switch (e) {
        case '"': case '\\': case '/': out->Put(static_cast<uint8_t>(e)); break;
        case 'b': out->Put(8); break;
        case 'f': out->Put(12); break;
        case 'n': out->Put(10); break;
        case 'r': out->Put(13); break;
        case 't': out->Put(9); break;
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
    if (end > run) out->Put(b + run, end - run);
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
    const uint64_t limit = (uint64_t{1} << (bits - 1)) - (negative ? 0 : 1);
    size_t p = negative ? start + 1 : start;
    // Leading zeros (only an i64 string can have them) add nothing; past them, 20 digits are at
    // least 10^19, over every limit, and 19 cannot wrap a uint64: one comparison at the end
    // instead of an overflow check per digit (Integer was 12% of a Compact Nesting fromJSON's
    // perf samples).
    while (p + 1 < end && b_[p] == '0') p++;
    if (end - p > 19) return false;
    uint64_t m = 0;
    for (; p < end; p++) m = m * 10 + static_cast<uint64_t>(b_[p] - '0');
    if (m > limit) return false;
    value_ = negative ? uint64_t{0} - m : m;
    return true;
  }

  // ScanNumber(true) and IntegerValue in one pass, for the common case: an integer of at most
  // 19 digits within `bits` bits, with no fraction or exponent after it. Then pos_ moves past it,
  // value_ holds it and the result is true; otherwise nothing changes and the caller takes the
  // two-pass path, which reports the error. Scanning and converting separately was a fifth of a
  // Compact Nesting fromJSON.
  bool ScanSmallInteger(int bits) {
    const uint8_t* b = b_;
    size_t p = pos_;
    const bool negative = p < end_ && b[p] == '-';
    if (negative) p++;
    if (p >= end_) return false;
    const size_t first = p;
    uint64_t m = 0;
    if (b[p] == '0') {
      p++;
    } else {
      const size_t last = end_ - first > 19 ? first + 19 : end_;
      for (unsigned d; p < last && (d = static_cast<unsigned>(b[p]) - '0') < 10; p++) m = m * 10 + d;
      if (p == first) return false;
      if (p < end_ && IsDigit(b[p])) return false;  // a 20th digit: out of range
    }
    if (p < end_ && (b[p] == '.' || b[p] == 'e' || b[p] == 'E')) return false;
    const uint64_t limit = (uint64_t{1} << (bits - 1)) - (negative ? 0 : 1);
    if (m > limit) return false;
    value_ = negative ? uint64_t{0} - m : m;
    pos_ = p;
    return true;
  }

  // Clinger's fast path: text `-?d+(.d+)?` of at most 19 digits whose digits make an integer
  // m <= 2^53 and with at most 22 fraction digits is m / 10^k with both operands exact doubles,
  // so one correctly rounded division gives the correctly rounded value, as from_chars would.
  // from_chars took about 200 instructions a double of a Nesting body; this takes about 40.
  static bool FastDouble(const uint8_t* b, size_t start, size_t end, double* out) {
    static constexpr double kPow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    size_t p = start;
    const bool negative = p < end && b[p] == '-';
    if (negative) p++;
    const size_t int_start = p;
    uint64_t m = 0;
    int digits = 0;
    for (; p < end && IsDigit(b[p]); p++, digits++) m = m * 10 + static_cast<uint64_t>(b[p] - '0');
    if (p == int_start) return false;
    int fraction = 0;
    if (p < end && b[p] == '.') {
      const size_t fraction_start = ++p;
      for (; p < end && IsDigit(b[p]); p++, digits++) m = m * 10 + static_cast<uint64_t>(b[p] - '0');
      fraction = static_cast<int>(p - fraction_start);
      if (fraction == 0) return false;
    }
    // 19 digits cannot wrap m; more might have.
    if (p != end || digits > 19 || fraction > 22 || m > (uint64_t{1} << 53)) return false;
    const double v = static_cast<double>(m) / kPow10[fraction];
    *out = negative ? -v : v;
    return true;
  }

  static double ParseDouble(const uint8_t* b, size_t start, size_t end) {
    double v = 0;
    if (FastDouble(b, start, end, &v)) return v;
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
        if (depth >= max_depth_) {
          std::string m = "JSON nests deeper than ";
          AppendInt(&m, max_depth_);
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

}  // namespace heddle::codec::json
