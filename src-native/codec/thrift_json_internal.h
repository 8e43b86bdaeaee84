// What the Thrift JSON converters (thrift_json_from_json.cc, thrift_json_to_json.cc) share: wire
// writers, base64, the SIMD byte scan, and the Converter base with the input, the output, the
// field path and the error report. Internal to codec/thrift_json*; pure C++.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "codec/thrift_json.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace heddle::codec::thrift_json::detail {

// Compact type id -> Binary type id (-1: not a type), FROM_COMPACT in to-json.ts.
inline constexpr int8_t kFromCompact[16] = {-1, 2, 2, 3, 6, 8, 10, 4, 11, 15, 14, 13, 12, 16, -1, -1};

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

inline void WriteCodePoint(Sink* out, uint32_t cp) {
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

inline void WriteI16(Sink* out, int32_t v) {
  out->Ensure(2);
  out->buf[out->pos++] = static_cast<uint8_t>(v >> 8);
  out->buf[out->pos++] = static_cast<uint8_t>(v);
}

inline void WriteI32(Sink* out, uint32_t v) {
  out->Ensure(4);
  uint8_t* b = out->buf + out->pos;
  b[0] = static_cast<uint8_t>(v >> 24);
  b[1] = static_cast<uint8_t>(v >> 16);
  b[2] = static_cast<uint8_t>(v >> 8);
  b[3] = static_cast<uint8_t>(v);
  out->pos += 4;
}

inline void WriteVarint(Sink* out, uint64_t v) {
  out->Ensure(10);
  uint8_t* b = out->buf;
  while (v >= 0x80) {
    b[out->pos++] = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  b[out->pos++] = static_cast<uint8_t>(v);
}

inline size_t VarintSize(uint32_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

// fieldHeaderCompact in wire-write.ts.
inline void FieldHeaderCompact(Sink* out, int32_t ctype, int32_t id, int32_t last_id) {
  const int32_t delta = id - last_id;
  if (delta > 0 && delta <= 15) out->Byte(static_cast<uint8_t>((delta << 4) | ctype));
  else {
    out->Byte(static_cast<uint8_t>(ctype));
    WriteVarint(out, static_cast<uint32_t>((id << 1) ^ (id >> 31)));
  }
}

inline void WriteDouble(Sink* out, double v, bool compact) {
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  out->Ensure(8);
  uint8_t* b = out->buf + out->pos;
  for (int i = 0; i < 8; i++) b[i] = static_cast<uint8_t>(compact ? bits >> (8 * i) : bits >> (56 - 8 * i));
  out->pos += 8;
}

inline int HexValue(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  c |= 0x20;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// writeUuid in wire-write.ts: the canonical 8-4-4-4-12 hex text, or false.
inline bool WriteUuid(Sink* out, const uint8_t* src, size_t start, size_t end) {
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
inline const Base64Tables kBase64;
inline constexpr char kBase64Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

inline int64_t DecodedSize(const uint8_t* src, size_t start, size_t end) {
  size_t pad = 0;
  while (pad < 3 && end - pad > start && src[end - pad - 1] == '=') pad++;
  if (pad > 2 || (pad > 0 && (end - start) % 4 != 0)) return -1;
  const size_t n = end - start - pad;
  if (n % 4 == 1) return -1;
  return static_cast<int64_t>((n >> 2) * 3 + (n % 4 == 0 ? 0 : n % 4 - 1));
}

// Decodes into out (room made); -1 on success, else the offset of the first bad byte.
inline int64_t DecodeBase64(const uint8_t* src, size_t start, size_t end, Sink* out) {
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

inline void EncodeBase64(const uint8_t* src, size_t start, size_t end, Sink* out) {
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

// Compact bool field header types.
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

}  // namespace heddle::codec::thrift_json::detail
