// libFuzzer target: the Thrift JSON transcoders (codec/thrift_json.h) on arbitrary bytes, both
// directions, over a few descriptor tables built here (every value kind, recursion, a union,
// required fields, defaults, maps with every key kind; Binary and Compact; a small depth limit).
//
// The first input byte picks the table and options; the rest is a JSON body and a wire message.
// Besides no crash, leak or undefined behaviour:
//  - JSON that converts to wire bytes w converts back to JSON j (unless a double overflowed to an
//    infinity, which has no JSON form), j converts to w2, and w2 is a fixed point: its JSON is j
//    again and that JSON gives w2 again (w2 differs from w only by normalizations such as -0);
//  - wire bytes that convert to JSON convert back, unless the wire repeated a field or set a
//    union's fields other than once (which JSON cannot say).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "codec/thrift_json.h"

namespace tj = heddle::codec::thrift_json;

namespace {

#define FUZZ_CHECK(condition)                                                         \
  do {                                                                                \
    if (!(condition)) {                                                               \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                   \
    }                                                                                 \
  } while (0)

// Builds tables by hand, as native-table.ts would serialize them.
class TableBuilder {
 public:
  explicit TableBuilder(bool compact, int32_t max_depth) {
    table_.compact = compact;
    table_.max_depth = max_depth;
    table_.max_size = 1 << 20;
  }

  int32_t Type(int32_t kind, int32_t a = 0, int32_t b = 0) {
    static const int32_t kCompactOf[17] = {0, 0, 1, 3, 7, 0, 4, 0, 5, 0, 6, 8, 12, 11, 10, 9, 13};
    const int32_t wire = kind == tj::kBinary ? tj::kString : kind;
    table_.types.push_back(tj::TypeDesc{kind, wire, kCompactOf[wire], a, b});
    return static_cast<int32_t>(table_.types.size() - 1);
  }

  int32_t Struct(const char* name, bool is_union) {
    tj::StructDesc s;
    s.name = name;
    s.is_union = is_union;
    s.needs_end_check = false;
    table_.structs.push_back(std::move(s));
    return static_cast<int32_t>(table_.structs.size() - 1);
  }

  // default_wire: the IDL default's wire bytes in this protocol (nullptr: none).
  void Field(int32_t s, int32_t id, const char* name, int32_t type, bool required = false,
             const std::string* default_wire = nullptr, int32_t default_bool_ctype = 0, bool optional = false) {
    tj::FieldDesc f;
    f.id = id;
    f.type = type;
    f.required = required;
    f.optional = optional;
    f.json_name = name;
    f.name = name;
    f.key = std::string("\"") + name + "\":";
    f.has_default = default_wire != nullptr || default_bool_ctype != 0;
    f.default_fails = false;
    f.default_bool_ctype = default_bool_ctype;
    if (default_wire != nullptr) f.default_wire = *default_wire;
    tj::StructDesc& st = table_.structs[static_cast<size_t>(s)];
    // As descriptor.ts decides it: an optional field's default is written only by writeOptional.
    if (f.required || (f.has_default && !f.optional)) st.needs_end_check = true;
    st.fields.push_back(std::move(f));
  }

  tj::Table Finish() {
    for (tj::StructDesc& s : table_.structs) {
      int32_t lo = INT32_MAX;
      int32_t hi = INT32_MIN;
      for (const tj::FieldDesc& f : s.fields) {
        lo = f.id < lo ? f.id : lo;
        hi = f.id > hi ? f.id : hi;
      }
      s.min_id = lo;
      s.by_id.assign(s.fields.empty() ? 0 : static_cast<size_t>(hi - lo + 1), -1);
      for (size_t i = 0; i < s.fields.size(); i++) s.by_id[static_cast<size_t>(s.fields[i].id - lo)] = static_cast<int32_t>(i);
    }
    return table_;
  }

 private:
  tj::Table table_;
};

// An Order-like schema: every kind, a recursive struct, a union, maps with every key kind.
tj::Table MakeTable(bool compact, int32_t max_depth) {
  TableBuilder b(compact, max_depth);
  const int32_t order = b.Struct("Order", false);
  const int32_t item = b.Struct("Item", false);
  const int32_t choice = b.Struct("Choice", true);
  const int32_t t_bool = b.Type(tj::kBool);
  const int32_t t_i8 = b.Type(tj::kI8);
  const int32_t t_i16 = b.Type(tj::kI16);
  const int32_t t_i32 = b.Type(tj::kI32);
  const int32_t t_i64 = b.Type(tj::kI64);
  const int32_t t_double = b.Type(tj::kDouble);
  const int32_t t_string = b.Type(tj::kString);
  const int32_t t_binary = b.Type(tj::kBinary);
  const int32_t t_uuid = b.Type(tj::kUuid);
  const int32_t t_item = b.Type(tj::kStruct, item);
  const int32_t t_order = b.Type(tj::kStruct, order);
  const int32_t t_choice = b.Type(tj::kStruct, choice);
  const int32_t t_items = b.Type(tj::kList, t_item);
  const int32_t t_i64s = b.Type(tj::kSet, t_i64);
  const int32_t t_bools = b.Type(tj::kList, t_bool);
  const int32_t t_nested = b.Type(tj::kList, t_i64s);
  const int32_t m_str = b.Type(tj::kMap, t_string, t_i32);
  const int32_t m_i64 = b.Type(tj::kMap, t_i64, t_items);
  const int32_t m_i8 = b.Type(tj::kMap, t_i8, t_string);
  const int32_t m_double = b.Type(tj::kMap, t_double, t_bool);
  const int32_t m_bool = b.Type(tj::kMap, t_bool, t_binary);
  const int32_t m_uuid = b.Type(tj::kMap, t_uuid, t_i16);
  const int32_t m_binary = b.Type(tj::kMap, t_binary, t_double);
  const int32_t m_struct = b.Type(tj::kMap, t_item, t_i32);  // no JSON form for its keys

  const std::string default_i32 = compact ? std::string("\x54", 1) : std::string("\0\0\0\x2a", 4);  // 42
  const std::string default_string = compact ? std::string("\x04none", 5) : std::string("\0\0\0\x04none", 8);
  b.Field(order, 1, "id", t_i64);
  b.Field(order, 2, "items", t_items);
  b.Field(order, 3, "small", t_i8);
  b.Field(order, 4, "mid", t_i16, false, nullptr, 0, /*optional=*/true);
  b.Field(order, 5, "n", t_i32, false, &default_i32);
  b.Field(order, 6, "price", t_double);
  const std::string default_true("\x01", 1);  // Binary only: Compact carries it in the header
  b.Field(order, 7, "ok", t_bool, false, compact ? nullptr : &default_true, compact ? 1 : 0);
  b.Field(order, 8, "note", t_string, false, &default_string, 0, /*optional=*/true);
  b.Field(order, 9, "uid", t_uuid);
  b.Field(order, 10, "tags", t_i64s);
  b.Field(order, 11, "flags", t_bools);
  b.Field(order, 12, "nested", t_nested);
  b.Field(order, 13, "byName", m_str);
  b.Field(order, 14, "byId", m_i64);
  b.Field(order, 15, "bySmall", m_i8);
  b.Field(order, 16, "byDouble", m_double);
  b.Field(order, 17, "byBool", m_bool);
  b.Field(order, 18, "byUuid", m_uuid);
  b.Field(order, 19, "byBlob", m_binary);
  b.Field(order, 20, "byItem", m_struct);
  b.Field(order, 21, "next", t_order);
  b.Field(order, 22, "choice", t_choice);
  b.Field(order, -3, "neg", t_i32);
  b.Field(order, 300, "far", t_binary);
  b.Field(item, 1, "title", t_string, true);
  b.Field(item, 2, "blob", t_binary, false, nullptr, 0, /*optional=*/true);
  b.Field(item, 3, "owner", t_order);
  b.Field(choice, 1, "a", t_i32);
  b.Field(choice, 2, "b", t_string);
  return b.Finish();
}

struct Tables {
  tj::Table all[4] = {MakeTable(false, 64), MakeTable(true, 64), MakeTable(false, 4), MakeTable(true, 4)};
};

bool Same(const tj::Sink& a, const std::string& b) {
  return a.pos == b.size() && (a.pos == 0 || std::memcmp(a.buf, b.data(), a.pos) == 0);
}

std::string Copy(const tj::Sink& s) { return std::string(reinterpret_cast<const char*>(s.buf), s.pos); }

const uint8_t* Bytes(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

bool StartsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Tables tables;
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  const tj::Table& table = tables.all[mode & 3];
  // Bits of the mode byte choose the options: binary as raw strings both ways, and missing
  // fields filled (required, default and optional ones with their defaults or zeros).
  const uint32_t raw_in = (mode & 16) != 0 ? tj::kBinaryRawIn : 0;
  const uint32_t raw_out = (mode & 16) != 0 ? tj::kBinaryRawOut : 0;
  const uint32_t fill = (mode & 32) != 0 ? tj::kWriteRequired | tj::kWriteDefault | tj::kWriteOptional : 0;
  const uint32_t reject = ((mode & 4) != 0 ? tj::kRejectUnknown : 0) | raw_in | fill;
  const uint32_t i64_string = ((mode & 8) != 0 ? tj::kI64String : 0) | raw_out;
  // JSON that toJSON wrote is read back without filling: fill writes a missing struct as an empty
  // one, whose own fields a second fill would write, one level deeper every round.
  const uint32_t strict = tj::kRejectUnknown | raw_in;
  const uint8_t* input = data + 1;
  const size_t length = size - 1;
  tj::Sink out;
  tj::Sink back;
  tj::Error error;

  // JSON -> wire -> JSON -> wire.
  if (tj::FromJson(table, input, length, reject, &out, &error) == tj::Outcome::kOk) {
    const std::string wire = Copy(out);
    const tj::Outcome to = tj::ToJson(table, Bytes(wire), wire.size(), i64_string, &back, &error);
    // A filled struct is empty, as dynamicgo's WriteEmpty writes it: its own required fields are
    // missing on the wire, and an empty union has no member, both refused on the way back.
    const auto empty_fill = [&] {
      return fill != 0 && (StartsWith(error.message, "required field") || StartsWith(error.message, "union "));
    };
    if (to != tj::Outcome::kOk) {
      FUZZ_CHECK(to == tj::Outcome::kError && (error.message.find("has no JSON form") != std::string::npos || empty_fill()));
    } else {
      const std::string json = Copy(back);
      const tj::Outcome again = tj::FromJson(table, Bytes(json), json.size(), strict, &out, &error);
      if (again != tj::Outcome::kOk) {
        FUZZ_CHECK(again == tj::Outcome::kError && empty_fill());
        return 0;
      }
      const std::string wire2 = Copy(out);
      FUZZ_CHECK(tj::ToJson(table, Bytes(wire2), wire2.size(), i64_string, &back, &error) == tj::Outcome::kOk);
      // Under fill the first JSON may hold a filled (empty) struct, whose IDL defaults reading it
      // back writes; from there on the round trip is exact.
      if (fill == 0) FUZZ_CHECK(Same(back, json));
      FUZZ_CHECK(tj::FromJson(table, back.buf, back.pos, strict, &out, &error) == tj::Outcome::kOk);
      FUZZ_CHECK(Same(out, wire2));
    }
  }

  // wire -> JSON -> wire.
  if (tj::ToJson(table, input, length, i64_string, &out, &error) == tj::Outcome::kOk) {
    const std::string json = Copy(out);
    const tj::Outcome from = tj::FromJson(table, Bytes(json), json.size(), strict, &back, &error);
    if (from == tj::Outcome::kError) {
      FUZZ_CHECK(StartsWith(error.message, "duplicate field") || StartsWith(error.message, "union "));
    } else {
      FUZZ_CHECK(from == tj::Outcome::kOk);
    }
  }
  return 0;
}
