// What the Thrift JSON converters (thrift_json_from_json.cc, thrift_json_to_json.cc) share: wire
// writers and the Converter base (json_token_reader.h's tokenizer, path and error report, plus
// the table and the output). Internal to codec/thrift_json*; pure C++.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "codec/json_base64.h"
#include "codec/json_token_reader.h"
#include "codec/thrift_json.h"

namespace heddle::codec::thrift_json::detail {

// The tokenizer, path, base64 and UTF-8 writers are shared with the Protobuf JSON converter.
using namespace ::heddle::codec::json;

// Compact type id -> Binary type id (-1: not a type), FROM_COMPACT in to-json.ts.
inline constexpr int8_t kFromCompact[16] = {-1, 2, 2, 3, 6, 8, 10, 4, 11, 15, 14, 13, 12, 16, -1, -1};

// The writers below write into room the caller made (Converter::Room): one check per value
// rather than one per byte, and never a growth that could not report its failure.

// The most bytes one value's fixed-size part takes: a field header with a long id (1 + 5), a
// varint (10), a double (8), a UUID (16), a Binary map header (6).
inline constexpr size_t kMaxScalarWire = 16;

inline void WriteI16(Sink* out, int32_t v) {
  out->buf[out->pos++] = static_cast<uint8_t>(v >> 8);
  out->buf[out->pos++] = static_cast<uint8_t>(v);
}

inline void WriteI32(Sink* out, uint32_t v) {
  uint8_t* b = out->buf + out->pos;
  b[0] = static_cast<uint8_t>(v >> 24);
  b[1] = static_cast<uint8_t>(v >> 16);
  b[2] = static_cast<uint8_t>(v >> 8);
  b[3] = static_cast<uint8_t>(v);
  out->pos += 4;
}

inline void WriteVarint(Sink* out, uint64_t v) {
  uint8_t* b = out->buf + out->pos;
  size_t n = 0;
  while (v >= 0x80) {
    b[n++] = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  b[n++] = static_cast<uint8_t>(v);
  out->pos += n;
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
  if (delta > 0 && delta <= 15) out->Put(static_cast<uint8_t>((delta << 4) | ctype));
  else {
    out->Put(static_cast<uint8_t>(ctype));
    WriteVarint(out, static_cast<uint32_t>((id << 1) ^ (id >> 31)));
  }
}

inline void WriteDouble(Sink* out, double v, bool compact) {
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  uint8_t* b = out->buf + out->pos;
  for (int i = 0; i < 8; i++) b[i] = static_cast<uint8_t>(compact ? bits >> (8 * i) : bits >> (56 - 8 * i));
  out->pos += 8;
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
  out->Put(bytes, 16);
  return true;
}

// Compact bool field header types.
enum : int32_t { kCompactTrue = 1, kCompactFalse = 2 };

// What both directions share: the tokenizer and error report, plus the table and the output.
class Converter : protected JsonTokenReader {
 protected:
  Converter(const Table& table, const uint8_t* src, size_t length, Sink* out, Error* error)
      : JsonTokenReader(src, length, table.max_depth, error), t_(table), compact_(table.compact), out_(out) {}

  // Room for n more output bytes, or an ERR_SIZE_LIMIT at the value being read.
  bool Room(size_t n) { return out_->TryEnsure(n) || OutOfMemory(pos_); }

  const Table& t_;
  bool compact_;
  Sink* out_;
};

}  // namespace heddle::codec::thrift_json::detail
