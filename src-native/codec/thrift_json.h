// Thrift JSON transcoding (Kitex JSON generic conventions) over a flat descriptor table: JSON bytes
// to Thrift Binary or Compact bytes and back, in one pass, with no DOM. Pure C++ (no napi.h).
//
// The TypeScript twin is src-ts/gateway/thrift-json/; the converters (thrift_json_from_json.cc,
// thrift_json_to_json.cc) follow it step by step, so that both give the same bytes and the same
// errors (code, message, byte offset, field path). The table is serialized by
// src-ts/gateway/thrift-json/native-table.ts; its layout is described there and checked by
// ParseTable (thrift_json.cc), so a malformed table is refused instead of read out of bounds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "codec/json_sink.h"

namespace heddle::codec::thrift_json {

// Value kinds: Binary type ids, plus kBinary for `binary` strings (Kind in descriptor.ts).
enum Kind : int32_t {
  kBool = 2,
  kI8 = 3,
  kDouble = 4,
  kI16 = 6,
  kI32 = 8,
  kI64 = 10,
  kString = 11,
  kStruct = 12,
  kMap = 13,
  kSet = 14,
  kList = 15,
  kUuid = 16,
  kBinary = 100,
};

struct TypeDesc {
  int32_t kind;
  int32_t wire;
  int32_t compact;
  // list/set: element; map: key; struct: struct index.
  int32_t a;
  // map: value.
  int32_t b;
};

struct FieldDesc {
  int32_t id;
  int32_t type;
  bool required;
  bool optional;
  std::string json_name;
  std::string name;
  // `"jsonName":`, what ToJson writes before the value.
  std::string key;
  // key is `"` json_name `":` and json_name is plain text (valid UTF-8; no quote, backslash or
  // control character): input bytes equal to key name this field as a scan of the member name
  // would, so FromJson may match them directly.
  bool key_fast = false;
  // Whether the IDL gives a default (optional fields included: the write options use theirs).
  bool has_default;
  // The default could not be written (a UUID default that is not one): writing it fails.
  bool default_fails;
  // Compact bool defaults travel in the field header: 1 true, 2 false.
  int32_t default_bool_ctype;
  // Wire bytes of the IDL default in the table's protocol, when has_default.
  std::string default_wire;
};

struct StructDesc {
  std::string name;
  bool is_union;
  bool needs_end_check;
  std::vector<FieldDesc> fields;
  // Field index by id - min_id when the ids are dense enough, else empty (then searched).
  int32_t min_id;
  std::vector<int32_t> by_id;
};

// The deepest nesting the native transcoders take: they recurse on the C++ stack, about a
// kilobyte a level, and a worker thread's stack is a few megabytes. Deeper limits run the
// TypeScript twin (src-ts/gateway/thrift-json/native-table.ts keeps the same number).
inline constexpr int32_t kMaxNativeDepth = 1000;

struct Table {
  bool compact = false;
  int32_t max_depth = 64;
  int64_t max_size = 0;
  std::vector<TypeDesc> types;
  std::vector<StructDesc> structs;  // structs[0] is the root
};

// Builds a table from the serialized form; false when it is malformed (indices out of range).
bool ParseTable(const int32_t* ints, size_t int_count, const uint8_t* bytes, size_t byte_count, Table* out);

// The error report, the output buffer and the outcome are json_sink.h's, shared with the
// Protobuf JSON transcoder.
using json::Error;
using json::ErrorCodeName;
using json::ErrorKind;
using json::Outcome;
using json::Sink;

// FromJson's options as bits (FromJsonFlag in src-ts/gateway/thrift-json/from-json.ts).
enum FromJsonFlag : uint32_t {
  kRejectUnknown = 1,
  // Binary fields are JSON strings whose UTF-8 bytes are the value (Kitex's base64 off).
  kBinaryRawIn = 2,
  // Missing fields filled with their IDL default, else their type's zero (dynamicgo's
  // WriteRequireField, WriteDefaultField, WriteOptionalField).
  kWriteRequired = 4,
  kWriteDefault = 8,
  kWriteOptional = 16,
  kFillMissing = kWriteRequired | kWriteDefault | kWriteOptional,
};

// ToJson's options as bits (ToJsonFlag in src-ts/gateway/thrift-json/to-json.ts).
enum ToJsonFlag : uint32_t {
  kI64String = 1,
  // Binary values written as JSON strings of their bytes, which must be UTF-8.
  kBinaryRawOut = 2,
};

// JSON `src` to the root struct's wire bytes in `out` (from out->pos = 0). kDefer: the input
// needs a conversion only the TypeScript twin does exactly (a double map key in a form JSON
// numbers do not have, as JS Number() parses it); the caller runs the twin instead.
Outcome FromJson(const Table& table, const uint8_t* src, size_t length, uint32_t flags, Sink* out, Error* error);

// Wire bytes to JSON in `out`, with ToJsonFlag bits.
Outcome ToJson(const Table& table, const uint8_t* src, size_t length, uint32_t flags, Sink* out, Error* error);

}  // namespace heddle::codec::thrift_json
