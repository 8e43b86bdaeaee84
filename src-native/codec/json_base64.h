// Base64 for JSON strings that carry bytes (Thrift `binary`, Protobuf `bytes`), as
// src-ts/gateway/base64.ts: decoding takes the standard and URL-safe alphabets, padded or not;
// encoding writes standard padded base64. Pure C++.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "codec/json_sink.h"

namespace heddle::codec::json {

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

// The length of the base64 text of n bytes.
inline constexpr size_t Base64Size(size_t n) { return (n + 2) / 3 * 4; }

// Encodes src[start, end) into out, which has room for Base64Size(end - start) more bytes.
inline void EncodeBase64(const uint8_t* src, size_t start, size_t end, Sink* out) {
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

}  // namespace heddle::codec::json
