// JSON text output shared by the wire-to-JSON converters (thrift_json_to_json.cc,
// proto_json_to_json.cc), as src-ts/gateway/json-writer.ts writes it: strings escaped exactly as
// JSON.stringify escapes them, numbers laid out as JavaScript's Number::toString. Pure C++.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "codec/json_sink.h"
#include "codec/json_token_reader.h"
#include "codec/utf8_validate.h"

namespace heddle::codec::json {

// What WriteJsonString returns when it wrote the string; kNoMemory when the sink could not grow.
// Any other value is the offset of the first invalid UTF-8 sequence (nothing usable written).
inline constexpr int64_t kStringWritten = -1;
inline constexpr int64_t kStringNoMemory = -2;

// Writes src[start, end) as a quoted JSON string; UTF-8 checked first with the SIMD kernel (its
// first invalid sequence is where a byte walk would stop), from the first byte that is not plain
// ASCII: most strings in an RPC are short ASCII, and the kernel's call cost more than the scan.
inline int64_t WriteJsonString(Sink* out, const uint8_t* src, size_t start, size_t end) {
  const size_t first_special = FindSpecial(src, start, end, true);
  if (first_special < end) {
    const KernelResult valid = ValidateUtf8(src + first_special, end - first_special);
    if (valid.status != KernelStatus::kOk) return static_cast<int64_t>(first_special + valid.position);
  }
  if (!out->TryEnsure(end - start + 2)) return kStringNoMemory;
  out->buf[out->pos++] = '"';
  size_t run = start;
  for (;;) {
    const size_t i = FindSpecial(src, run, end, false);
    // Room for the run and the closing quote was made above or by the escape before it.
    if (!out->TryEnsure(i - run + 7)) return kStringNoMemory;
    std::memcpy(out->buf + out->pos, src + run, i - run);
    out->pos += i - run;
    if (i >= end) break;
    const uint8_t c = src[i];
    uint8_t* o = out->buf + out->pos;
    o[0] = '\\';
    switch (c) {
      case '"': o[1] = '"'; out->pos += 2; break;
      case '\\': o[1] = '\\'; out->pos += 2; break;
      case 0x08: o[1] = 'b'; out->pos += 2; break;
      case 0x09: o[1] = 't'; out->pos += 2; break;
      case 0x0a: o[1] = 'n'; out->pos += 2; break;
      case 0x0c: o[1] = 'f'; out->pos += 2; break;
      case 0x0d: o[1] = 'r'; out->pos += 2; break;
      default: {
        static const char kHex[] = "0123456789abcdef";
        o[1] = 'u';
        o[2] = '0';
        o[3] = '0';
        o[4] = static_cast<uint8_t>(kHex[c >> 4]);
        o[5] = static_cast<uint8_t>(kHex[c & 15]);
        out->pos += 6;
      }
    }
    run = i + 1;
  }
  out->buf[out->pos++] = '"';
  return kStringWritten;
}

// The longest text JsNumberText writes.
inline constexpr size_t kNumberTextMax = 40;

// JS Number.prototype.toString of a finite double into `text`; returns its length. Shortest
// round-trip digits, laid out by the exponent as ECMA-262 Number::toString does.
inline size_t JsNumberText(double v, char* text) {
  if (v == 0) {
    text[0] = '0';
    return 1;
  }
  char sci[40];
  const auto r = std::to_chars(sci, sci + sizeof sci, v, std::chars_format::scientific);
  // sci is [-]d[.ddd]e(+|-)xx
  const char* p = sci;
  const char* end = r.ptr;
  size_t t = 0;
  if (*p == '-') {
    text[t++] = '-';
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
    const auto e = std::to_chars(text + t, text + kNumberTextMax, n - 1 >= 0 ? n - 1 : 1 - n);
    t = static_cast<size_t>(e.ptr - text);
  }
  return t;
}

}  // namespace heddle::codec::json
