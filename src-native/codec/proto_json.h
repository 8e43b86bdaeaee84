// ProtoJSON bytes to Protobuf wire bytes over a flat descriptor table, in one pass with no DOM.
// Pure C++ (no napi.h).
//
// The TypeScript twin is src-ts/gateway/proto-json/from-json.ts; FromJson follows it step by step
// (same order of checks, so the same error code, message, byte offset and field path). The table
// is serialized by src-ts/gateway/proto-json/native-table.ts, whose comment gives the layout;
// ParseTable checks every index in it, so a malformed table is refused, not read out of bounds.
//
// The well-known types whose JSON is text to parse (Any, Timestamp, Duration, FieldMask) and
// integers written with a fraction or an exponent (`1e3`, exact through BigInt in the twin) are
// not converted here: FromJson returns kDefer and the caller runs the twin on the whole body. The
// wrappers, Struct, Value and ListValue are converted here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "codec/json_sink.h"

namespace heddle::codec::proto_json {

using json::Error;
using json::ErrorCodeName;
using json::ErrorKind;
using json::Outcome;
using json::Sink;

// PKind in src-ts/gateway/proto-json/descriptor.ts.
enum Kind : int32_t {
  kInt32, kSint32, kSfixed32, kUint32, kFixed32,
  kInt64, kSint64, kSfixed64, kUint64, kFixed64,
  kBool, kFloat, kDouble, kString, kBytes, kEnum, kMessage, kGroup,
};

// Wire types.
enum Wire : int32_t { kVarint = 0, kI64 = 1, kLen = 2, kStartGroup = 3, kEndGroup = 4, kI32 = 5 };

// Wkt in descriptor.ts.
// kTwinOnly: a message with extensions ("[full.name]" members), handed back to the twin as Any is.
enum Wkt : int32_t { kNone, kAny, kTimestamp, kDuration, kFieldMask, kStruct, kValue, kListValue, kWrapper, kTwinOnly };

struct EnumDesc {
  std::string name;
  bool closed;
  // google.protobuf.NullValue: JSON null is its value 0.
  bool null_value;
  std::vector<std::string> value_names;
  std::vector<int32_t> value_numbers;
};

// One value's shape: a field's, or a map entry's key or value.
struct ValueDesc {
  int32_t kind;
  int32_t wire;
  int32_t enum_index;     // -1 unless kEnum
  int32_t message_index;  // -1 unless kMessage or kGroup
};

struct FieldDesc {
  int32_t number;
  std::string name;
  std::string json_name;
  // `"jsonName":`, compared in place with the next member of the input.
  std::string key;
  ValueDesc value;
  bool repeated;
  bool packed;
  bool implicit;
  bool required;
  bool is_map;
  int32_t oneof;  // -1: none
  ValueDesc map_key;
  ValueDesc map_value;
};

struct MessageDesc {
  std::string name;
  int32_t wkt;
  bool has_required;
  int32_t oneof_count;
  std::vector<FieldDesc> fields;
  // Field index by number when the numbers are dense enough (-1: none), else empty.
  std::vector<int32_t> by_number;
};

// The deepest nesting the native transcoder takes (it recurses on the C++ stack); deeper limits
// run the TypeScript twin (NATIVE_MAX_DEPTH in native-table.ts keeps the same number).
inline constexpr int32_t kMaxNativeDepth = 1000;

struct Table {
  int32_t max_depth = 64;
  int64_t max_size = 0;
  std::vector<EnumDesc> enums;
  std::vector<MessageDesc> messages;  // messages[0] is the root
};

// Builds a table from the serialized form; false when it is malformed.
bool ParseTable(const int32_t* ints, size_t int_count, const uint8_t* bytes, size_t byte_count, Table* out);

// FromJson's options as bits, as protoJsonFromJsonInto takes them (transcoder.ts passes 1 for
// ignoreUnknownFields).
enum FromJsonFlag : uint32_t {
  // ProtoJSON's ignore_unknown_fields.
  kIgnoreUnknown = 1,
};

// JSON `src` to the root message's wire bytes in `out` (from out->pos = 0). ignore_unknown:
// ProtoJSON's ignore_unknown_fields. kDefer: the twin must convert this input (see above).
Outcome FromJson(const Table& table, const uint8_t* src, size_t length, bool ignore_unknown, Sink* out, Error* error);

// ToJson's options as bits (ProtoToJsonFlag in src-ts/gateway/proto-json/to-json.ts).
enum ToJsonFlag : uint32_t {
  // ProtoJSON's "emit default values" (bufbuild's alwaysEmitImplicit).
  kEmitDefaults = 1,
  // Members named by the .proto field name (bufbuild's useProtoFieldName).
  kProtoFieldName = 2,
  // Enum values as numbers; NullValue stays null (bufbuild's enumAsInteger).
  kEnumAsInteger = 4,
};

// The root message's wire bytes `src` to ProtoJSON in `out` (from out->pos = 0), following
// src-ts/gateway/proto-json/to-json.ts, with ToJsonFlag bits. kDefer:
// the twin must convert this input: Any, Timestamp, Duration or FieldMask (wrappers, Struct,
// Value and ListValue are written here), a singular message in several occurrences (merged), or a
// map the twin reorders (a repeated key, array-index keys out of order, more than 32 entries).
Outcome ToJson(const Table& table, const uint8_t* src, size_t length, uint32_t flags, Sink* out, Error* error);

}  // namespace heddle::codec::proto_json
