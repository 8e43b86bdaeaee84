// libFuzzer target: the native ProtoJSON transcoders (codec/proto_json.h), JSON to wire and wire
// to JSON, on arbitrary bytes, over descriptor tables built here (every scalar kind, an open and a closed enum, the
// NullValue enum, recursion, a oneof, packed and unpacked lists, maps with every key kind, a
// group, a required field, a wrapper, Value, Struct and ListValue, a small depth limit and a
// small output limit), and ParseTable on arbitrary serialized tables.
//
// The first input byte picks the direction, table and options; the rest is the JSON body or wire
// message (or, for the table mode, the serialized table). Besides no crash, leak or undefined
// behaviour:
//  - converting the same input twice gives the same outcome and the same bytes or error (no state
//    leaks between calls through the per-thread stacks);
//  - an accepted body gives at most max_size bytes, and every error offset is inside the input;
//  - JSON written from a wire message is well-formed: the JSON reader, given it back, finds no
//    syntax error in it;
//  - a table ParseTable accepts has every index in range (checked by walking it).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "codec/proto_json.h"

namespace pj = heddle::codec::proto_json;

namespace {

#define FUZZ_CHECK(condition)                                                             \
  do {                                                                                    \
    if (!(condition)) {                                                                   \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                       \
    }                                                                                     \
  } while (0)

int32_t WireOf(int32_t kind) {
  switch (kind) {
    case pj::kSfixed32: case pj::kFixed32: case pj::kFloat: return pj::kI32;
    case pj::kSfixed64: case pj::kFixed64: case pj::kDouble: return pj::kI64;
    case pj::kString: case pj::kBytes: case pj::kMessage: return pj::kLen;
    case pj::kGroup: return pj::kStartGroup;
    default: return pj::kVarint;
  }
}

pj::ValueDesc Value(int32_t kind, int32_t enum_index = -1, int32_t message_index = -1) {
  return pj::ValueDesc{kind, WireOf(kind), enum_index, message_index};
}

// Builds tables by hand, as native-table.ts would serialize them.
class TableBuilder {
 public:
  TableBuilder(int32_t max_depth, int64_t max_size) {
    table_.max_depth = max_depth;
    table_.max_size = max_size;
  }

  int32_t Enum(const char* name, bool closed, bool null_value, std::vector<std::pair<const char*, int32_t>> values) {
    pj::EnumDesc e;
    e.name = name;
    e.closed = closed;
    e.null_value = null_value;
    for (const auto& [n, v] : values) {
      e.value_names.emplace_back(n);
      e.value_numbers.push_back(v);
    }
    table_.enums.push_back(std::move(e));
    return static_cast<int32_t>(table_.enums.size() - 1);
  }

  int32_t Message(const char* name, int32_t wkt = pj::kNone, int32_t oneofs = 0) {
    pj::MessageDesc m;
    m.name = name;
    m.wkt = wkt;
    m.has_required = false;
    m.oneof_count = oneofs;
    table_.messages.push_back(std::move(m));
    return static_cast<int32_t>(table_.messages.size() - 1);
  }

  pj::FieldDesc& Field(int32_t message, int32_t number, const char* name, const char* json_name, pj::ValueDesc value) {
    pj::FieldDesc f{};
    f.number = number;
    f.name = name;
    f.json_name = json_name;
    f.key = std::string("\"") + json_name + "\":";
    f.value = value;
    f.oneof = -1;
    f.map_key = Value(pj::kInt32);
    f.map_value = Value(pj::kInt32);
    pj::MessageDesc& m = table_.messages[static_cast<size_t>(message)];
    m.fields.push_back(std::move(f));
    return m.fields.back();
  }

  void Map(int32_t message, int32_t number, const char* name, pj::ValueDesc key, pj::ValueDesc value) {
    pj::FieldDesc& f = Field(message, number, name, name, Value(pj::kMessage));
    f.value.message_index = -1;
    f.is_map = true;
    f.repeated = true;
    f.map_key = key;
    f.map_value = value;
  }

  pj::Table Finish() {
    for (pj::MessageDesc& m : table_.messages) {
      for (const pj::FieldDesc& f : m.fields) m.has_required = m.has_required || f.required;
    }
    return std::move(table_);
  }

 private:
  pj::Table table_;
};

pj::Table Everything(int32_t max_depth, int64_t max_size) {
  TableBuilder b(max_depth, max_size);
  const int32_t open = b.Enum("fz.Open", false, false, {{"ZERO", 0}, {"ONE", 1}, {"NEG", -3}});
  const int32_t closed = b.Enum("fz.Closed", true, false, {{"A", 1}, {"B", 2}});
  const int32_t null_enum = b.Enum("google.protobuf.NullValue", false, true, {{"NULL_VALUE", 0}});
  const int32_t root = b.Message("fz.Root", pj::kNone, 1);
  const int32_t wrapper = b.Message("google.protobuf.Int64Value", pj::kWrapper);
  const int32_t value = b.Message("google.protobuf.Value", pj::kValue, 1);
  const int32_t group = b.Message("fz.Root.G");
  b.Field(wrapper, 1, "value", "value", Value(pj::kInt64));
  const int32_t structure = b.Message("google.protobuf.Struct", pj::kStruct);
  const int32_t list = b.Message("google.protobuf.ListValue", pj::kListValue);
  b.Map(structure, 1, "fields", Value(pj::kString), Value(pj::kMessage, -1, value));
  b.Field(list, 1, "values", "values", Value(pj::kMessage, -1, value)).repeated = true;
  b.Field(value, 1, "null_value", "nullValue", Value(pj::kEnum, null_enum)).oneof = 0;
  b.Field(value, 2, "number_value", "numberValue", Value(pj::kDouble)).oneof = 0;
  b.Field(value, 3, "string_value", "stringValue", Value(pj::kString)).oneof = 0;
  b.Field(value, 4, "bool_value", "boolValue", Value(pj::kBool)).oneof = 0;
  b.Field(value, 5, "struct_value", "structValue", Value(pj::kMessage, -1, structure)).oneof = 0;
  b.Field(value, 6, "list_value", "listValue", Value(pj::kMessage, -1, list)).oneof = 0;
  b.Field(group, 1, "g", "g", Value(pj::kSint32));
  static const char* const kNames[] = {"i32", "s32", "sf32", "u32", "f32", "i64", "s64", "sf64", "u64", "f64", "b", "fl", "db", "str", "by"};
  int32_t number = 1;
  for (int32_t kind = pj::kInt32; kind <= pj::kBytes; kind++) {
    b.Field(root, number++, kNames[kind], kNames[kind], Value(kind)).implicit = true;
    pj::FieldDesc& list = b.Field(root, number++, (std::string("l_") + kNames[kind]).c_str(), (std::string("l") + kNames[kind]).c_str(), Value(kind));
    list.repeated = true;
    list.packed = kind < pj::kString && number % 4 == 1;
  }
  b.Field(root, number++, "open", "open", Value(pj::kEnum, open)).implicit = true;
  b.Field(root, number++, "closed", "closed", Value(pj::kEnum, closed));
  b.Field(root, number++, "nul", "nul", Value(pj::kEnum, null_enum));
  b.Field(root, number++, "child", "child", Value(pj::kMessage, -1, root));
  pj::FieldDesc& children = b.Field(root, number++, "children", "children", Value(pj::kMessage, -1, root));
  children.repeated = true;
  b.Field(root, number++, "one_a", "oneA", Value(pj::kString)).oneof = 0;
  b.Field(root, number++, "one_b", "oneB", Value(pj::kMessage, -1, root)).oneof = 0;
  b.Field(root, number++, "wrapped", "wrapped", Value(pj::kMessage, -1, wrapper));
  b.Field(root, number++, "val", "val", Value(pj::kMessage, -1, value));
  pj::FieldDesc& vals = b.Field(root, number++, "vals", "vals", Value(pj::kMessage, -1, value));
  vals.repeated = true;
  b.Field(root, number++, "grp", "grp", Value(pj::kGroup, -1, group));
  b.Field(root, number++, "req", "req", Value(pj::kBool)).required = true;
  for (int32_t key : {pj::kInt32, pj::kSint64, pj::kUint32, pj::kFixed64, pj::kBool, pj::kString}) {
    b.Map(root, number, (std::string("m") + kNames[key]).c_str(), Value(key), number % 2 == 0 ? Value(pj::kMessage, -1, root) : Value(pj::kEnum, closed));
    number++;
  }
  b.Map(root, number++, "mv", Value(pj::kString), Value(pj::kMessage, -1, value));
  return b.Finish();
}

void CheckTableIndices(const pj::Table& t) {
  const auto check_value = [&](const pj::ValueDesc& v) {
    if (v.kind == pj::kEnum) FUZZ_CHECK(v.enum_index >= 0 && static_cast<size_t>(v.enum_index) < t.enums.size());
    if (v.kind == pj::kMessage || v.kind == pj::kGroup) FUZZ_CHECK(v.message_index >= 0 && static_cast<size_t>(v.message_index) < t.messages.size());
  };
  FUZZ_CHECK(!t.messages.empty());
  for (const pj::MessageDesc& m : t.messages) {
    if (m.wkt == pj::kWrapper) FUZZ_CHECK(!m.fields.empty());
    for (const pj::FieldDesc& f : m.fields) {
      FUZZ_CHECK(f.oneof < m.oneof_count);
      if (f.is_map) {
        check_value(f.map_key);
        check_value(f.map_value);
      } else {
        check_value(f.value);
      }
    }
  }
}

bool SameResult(pj::Outcome outcome, const pj::Sink& a, const pj::Sink& b, const pj::Error& ea, const pj::Error& eb, size_t size) {
  if (outcome == pj::Outcome::kOk) return a.pos == b.pos && (a.pos == 0 || std::memcmp(a.buf, b.buf, a.pos) == 0);
  if (outcome == pj::Outcome::kDefer) return true;
  FUZZ_CHECK(ea.offset >= -1 && ea.offset <= static_cast<int64_t>(size));
  FUZZ_CHECK(!ea.message.empty());
  return ea.kind == eb.kind && ea.offset == eb.offset && ea.message == eb.message && ea.path == eb.path;
}

// Runs `convert` twice, into *out and into a fresh sink, checks that both runs agree, and returns the outcome.
template <typename Converter>
pj::Outcome Twice(Converter convert, size_t size, pj::Sink* out) {
  pj::Error first_error;
  const pj::Outcome a = convert(out, &first_error);
  pj::Sink second;
  pj::Error second_error;
  const pj::Outcome b = convert(&second, &second_error);
  FUZZ_CHECK(a == b);
  FUZZ_CHECK(SameResult(a, *out, second, first_error, second_error, size));
  return a;
}

void Convert(const pj::Table& table, const uint8_t* body, size_t size, bool ignore) {
  pj::Sink out;
  const pj::Outcome a = Twice([&](pj::Sink* sink, pj::Error* error) { return pj::FromJson(table, body, size, ignore, sink, error); }, size, &out);
  if (a == pj::Outcome::kOk) FUZZ_CHECK(static_cast<int64_t>(out.pos) <= table.max_size);
}

void WireToJson(const pj::Table& table, const uint8_t* wire, size_t size, uint32_t flags) {
  pj::Sink first;
  const pj::Outcome a = Twice([&](pj::Sink* sink, pj::Error* error) { return pj::ToJson(table, wire, size, flags, sink, error); }, size, &first);
  if (a != pj::Outcome::kOk) return;
  pj::Sink back;
  pj::Error back_error;
  if (pj::FromJson(table, first.buf, first.pos, false, &back, &back_error) == pj::Outcome::kError) {
    const bool syntax = back_error.kind == pj::ErrorKind::kTruncated || back_error.message.rfind("malformed JSON", 0) == 0;
    if (syntax) std::fprintf(stderr, "written JSON refused: %s at %lld: %.*s\n", back_error.message.c_str(), static_cast<long long>(back_error.offset), static_cast<int>(first.pos), first.buf);
    FUZZ_CHECK(!syntax);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const pj::Table kWide = Everything(64, 1 << 20);
  static const pj::Table kShallow = Everything(3, 96);
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  const uint8_t* body = data + 1;
  const size_t length = size - 1;
  // The printer options ride on a bit the mode's remainder does not use up: .proto names and enum
  // numbers are read back as well as json names and enum names.
  const uint32_t printer = (mode & 0x80) != 0 ? pj::kProtoFieldName | pj::kEnumAsInteger : 0;
  switch (mode % 9) {
    case 0: Convert(kWide, body, length, false); break;
    case 1: Convert(kWide, body, length, true); break;
    case 2: Convert(kShallow, body, length, false); break;
    case 3: Convert(kShallow, body, length, true); break;
    case 4: WireToJson(kWide, body, length, printer); break;
    case 5: WireToJson(kWide, body, length, pj::kEmitDefaults | printer); break;
    case 6: WireToJson(kShallow, body, length, printer); break;
    case 7: WireToJson(kShallow, body, length, pj::kEmitDefaults | printer); break;
    default: {
      // A serialized table: ints, then the byte pool they point into (split by the mode byte).
      const size_t int_bytes = std::min(length, static_cast<size_t>(mode) * 8) & ~size_t{3};
      std::vector<int32_t> ints(int_bytes / 4);
      if (int_bytes != 0) std::memcpy(ints.data(), body, int_bytes);
      pj::Table table;
      if (pj::ParseTable(ints.data(), ints.size(), body + int_bytes, length - int_bytes, &table)) {
        CheckTableIndices(table);
        static const uint8_t kBody[] = "{\"a\":[1,\"x\",{\"b\":null}],\"c\":{\"1\":true}}";
        Convert(table, kBody, sizeof kBody - 1, true);
        static const uint8_t kWire[] = {0x08, 0x96, 0x01, 0x12, 0x04, 0x0a, 0x02, 0x68, 0x69, 0x1a, 0x03, 0x08, 0x01, 0x10};
        WireToJson(table, kWire, sizeof kWire, pj::kEmitDefaults);
      }
    }
  }
  return 0;
}
