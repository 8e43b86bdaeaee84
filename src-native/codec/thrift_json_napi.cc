// napi glue for the Thrift JSON transcoders (codec/thrift_json.h); the TypeScript side is
// src-ts/gateway/thrift-json/native-transcoder.ts.
//
// A table is built once per codec from its serialized descriptor and held by an external value;
// each transcode is then one call that returns a Buffer, an error tuple, or null (the input
// needs the TypeScript twin). Argument types were checked in TypeScript; the checks here only
// keep a bug there from becoming a memory error.
#include <napi.h>

#include <cstdint>
#include <cstring>
#include <new>
#include <string>

#include "codec/thrift_json.h"
#include "core/addon_state.h"

namespace heddle {
namespace {

namespace tj = codec::thrift_json;

// A table and the output buffer its calls reuse (a codec is used by one thread: its env's).
struct NativeTable {
  tj::Table table;
  tj::Sink out;
};

bool GetBytes(napi_env env, napi_value value, const uint8_t** data, size_t* length) {
  napi_typedarray_type type;
  void* raw = nullptr;
  size_t count = 0;
  if (napi_get_typedarray_info(env, value, &type, &count, &raw, nullptr, nullptr) != napi_ok) return false;
  if (type != napi_uint8_array) return false;
  *data = static_cast<const uint8_t*>(raw);
  *length = count;
  return true;
}

NativeTable* GetTable(napi_env env, napi_value value) {
  void* data = nullptr;
  if (napi_get_value_external(env, value, &data) != napi_ok) return nullptr;
  return static_cast<NativeTable*>(data);
}

napi_value Fail(napi_env env, const char* what) {
  napi_throw_range_error(env, "ERR_INVALID_ARGUMENT", what);
  return nullptr;
}

napi_value Str(napi_env env, const std::string& s) {
  napi_value v = nullptr;
  napi_create_string_utf8(env, s.data(), s.size(), &v);
  return v;
}

// [code, message, offset (-1: none), path]
napi_value ErrorTuple(napi_env env, const tj::Error& error) {
  napi_value tuple = nullptr;
  napi_create_array_with_length(env, 4, &tuple);
  napi_value code = nullptr;
  napi_create_string_utf8(env, tj::ErrorCodeName(error.kind), NAPI_AUTO_LENGTH, &code);
  napi_value offset = nullptr;
  napi_create_int64(env, error.offset, &offset);
  napi_set_element(env, tuple, 0, code);
  napi_set_element(env, tuple, 1, Str(env, error.message));
  napi_set_element(env, tuple, 2, offset);
  napi_set_element(env, tuple, 3, Str(env, error.path));
  return tuple;
}

napi_value Null(napi_env env) {
  napi_value v = nullptr;
  napi_get_null(env, &v);
  return v;
}

napi_value Result(napi_env env, NativeTable* t, tj::Outcome outcome, const tj::Error& error) {
  if (outcome == tj::Outcome::kDefer) return Null(env);
  if (outcome == tj::Outcome::kError) {
    t->out.Trim();
    return ErrorTuple(env, error);
  }
  napi_value buffer = nullptr;
  void* copy = nullptr;
  napi_create_buffer_copy(env, t->out.pos, t->out.buf, &copy, &buffer);
  t->out.Trim();
  return buffer;
}

// thriftJsonTable(ints: Int32Array, strings: Uint8Array): External
napi_value CreateTable(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  napi_typedarray_type type;
  void* ints = nullptr;
  size_t int_count = 0;
  const uint8_t* bytes = nullptr;
  size_t byte_count = 0;
  if (argc < 2 || napi_get_typedarray_info(env, argv[0], &type, &int_count, &ints, nullptr, nullptr) != napi_ok ||
      type != napi_int32_array || !GetBytes(env, argv[1], &bytes, &byte_count)) {
    return Fail(env, "thriftJsonTable expects (Int32Array, Uint8Array)");
  }
  auto* table = new (std::nothrow) NativeTable();
  if (table == nullptr) return Fail(env, "out of memory");
  if (!tj::ParseTable(static_cast<const int32_t*>(ints), int_count, bytes, byte_count, &table->table)) {
    delete table;
    return Fail(env, "malformed Thrift JSON descriptor table");
  }
  napi_value external = nullptr;
  napi_create_external(
      env, table, [](napi_env, void* data, void*) { delete static_cast<NativeTable*>(data); }, nullptr, &external);
  return external;
}

// thriftJsonFromJson(table, body: Uint8Array, rejectUnknown: boolean): Buffer | ErrorTuple | null
napi_value FromJson(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  NativeTable* t = argc == 3 ? GetTable(env, argv[0]) : nullptr;
  const uint8_t* body = nullptr;
  size_t length = 0;
  bool reject = false;
  if (t == nullptr || !GetBytes(env, argv[1], &body, &length) || napi_get_value_bool(env, argv[2], &reject) != napi_ok) {
    return Fail(env, "thriftJsonFromJson expects (table, Uint8Array, boolean)");
  }
  tj::Error error;
  const tj::Outcome outcome = tj::FromJson(t->table, body, length, reject, &t->out, &error);
  return Result(env, t, outcome, error);
}

// thriftJsonFromJsonInto(table, body, rejectUnknown, dst: Uint8Array): the byte count written
// into dst; when dst is too small, -(byte count) and the bytes stay for thriftJsonTakeInto.
// Errors and deferrals come back as from thriftJsonFromJson.
napi_value FromJsonInto(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  NativeTable* t = argc == 4 ? GetTable(env, argv[0]) : nullptr;
  const uint8_t* body = nullptr;
  size_t length = 0;
  const uint8_t* dst = nullptr;
  size_t room = 0;
  bool reject = false;
  if (t == nullptr || !GetBytes(env, argv[1], &body, &length) || napi_get_value_bool(env, argv[2], &reject) != napi_ok ||
      !GetBytes(env, argv[3], &dst, &room)) {
    return Fail(env, "thriftJsonFromJsonInto expects (table, Uint8Array, boolean, Uint8Array)");
  }
  tj::Error error;
  const tj::Outcome outcome = tj::FromJson(t->table, body, length, reject, &t->out, &error);
  if (outcome != tj::Outcome::kOk) return Result(env, t, outcome, error);
  const size_t n = t->out.pos;
  napi_value result = nullptr;
  if (n <= room) {
    std::memcpy(const_cast<uint8_t*>(dst), t->out.buf, n);
    t->out.Trim();
    napi_create_int64(env, static_cast<int64_t>(n), &result);
  } else {
    napi_create_int64(env, -static_cast<int64_t>(n), &result);
  }
  return result;
}

// thriftJsonTakeInto(table, dst: Uint8Array): copies the bytes thriftJsonFromJsonInto kept.
napi_value TakeInto(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  NativeTable* t = argc == 2 ? GetTable(env, argv[0]) : nullptr;
  const uint8_t* dst = nullptr;
  size_t room = 0;
  if (t == nullptr || !GetBytes(env, argv[1], &dst, &room) || room < t->out.pos) {
    return Fail(env, "thriftJsonTakeInto expects (table, Uint8Array of the kept size)");
  }
  std::memcpy(const_cast<uint8_t*>(dst), t->out.buf, t->out.pos);
  t->out.Trim();
  return nullptr;
}

// thriftJsonToJson(table, bytes: Uint8Array, i64String: boolean): Buffer | ErrorTuple
napi_value ToJson(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  NativeTable* t = argc == 3 ? GetTable(env, argv[0]) : nullptr;
  const uint8_t* bytes = nullptr;
  size_t length = 0;
  bool i64_string = false;
  if (t == nullptr || !GetBytes(env, argv[1], &bytes, &length) || napi_get_value_bool(env, argv[2], &i64_string) != napi_ok) {
    return Fail(env, "thriftJsonToJson expects (table, Uint8Array, boolean)");
  }
  tj::Error error;
  const tj::Outcome outcome = tj::ToJson(t->table, bytes, length, i64_string, &t->out, &error);
  return Result(env, t, outcome, error);
}

void Export(napi_env env, Napi::Object exports, const char* name, napi_callback callback) {
  napi_value fn = nullptr;
  if (napi_create_function(env, name, NAPI_AUTO_LENGTH, callback, nullptr, &fn) == napi_ok) {
    exports.Set(name, Napi::Value(env, fn));
  }
}

}  // namespace

void InitThriftJson(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "thriftJsonTable", CreateTable);
  Export(env, exports, "thriftJsonFromJson", FromJson);
  Export(env, exports, "thriftJsonFromJsonInto", FromJsonInto);
  Export(env, exports, "thriftJsonTakeInto", TakeInto);
  Export(env, exports, "thriftJsonToJson", ToJson);
}

}  // namespace heddle
