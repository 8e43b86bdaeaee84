// The Node-API glue both JSON transcoders' bindings share (thrift_json_napi.cc, proto_json_napi.cc):
// the per-thread output buffer, typed-array arguments, error tuples and results written into a
// caller's buffer, and the exports. Header-only; included by napi glue only.
#pragma once

#include <napi.h>

#include <cstdint>
#include <cstring>
#include <new>
#include <string>

#include "codec/json_sink.h"

namespace heddle::json_napi {

namespace json = ::heddle::codec::json;

// The output buffer every table's calls on this thread reuse: one per thread rather than one
// per codec, so a gateway with thousands of codecs does not keep a buffer for each. A result too
// large for the caller's buffer stays here until the take call, which JS calls next.
inline json::Sink& Output() {
  static thread_local json::Sink sink;
  return sink;
}

inline bool GetBytes(napi_env env, napi_value value, const uint8_t** data, size_t* length) {
  napi_typedarray_type type;
  void* raw = nullptr;
  size_t count = 0;
  if (napi_get_typedarray_info(env, value, &type, &count, &raw, nullptr, nullptr) != napi_ok) return false;
  if (type != napi_uint8_array) return false;
  *data = static_cast<const uint8_t*>(raw);
  *length = count;
  return true;
}

inline napi_value Fail(napi_env env, const char* what) {
  napi_throw_range_error(env, "ERR_INVALID_ARGUMENT", what);
  return nullptr;
}

inline napi_value Str(napi_env env, const std::string& s) {
  napi_value v = nullptr;
  napi_create_string_utf8(env, s.data(), s.size(), &v);
  return v;
}

// [code, message, offset (-1: none), path]
inline napi_value ErrorTuple(napi_env env, const json::Error& error) {
  napi_value tuple = nullptr;
  napi_create_array_with_length(env, 4, &tuple);
  napi_value code = nullptr;
  napi_create_string_utf8(env, json::ErrorCodeName(error.kind), NAPI_AUTO_LENGTH, &code);
  napi_value offset = nullptr;
  napi_create_int64(env, error.offset, &offset);
  napi_set_element(env, tuple, 0, code);
  napi_set_element(env, tuple, 1, Str(env, error.message));
  napi_set_element(env, tuple, 2, offset);
  napi_set_element(env, tuple, 3, Str(env, error.path));
  return tuple;
}

inline napi_value Null(napi_env env) {
  napi_value v = nullptr;
  napi_get_null(env, &v);
  return v;
}

// An error tuple, or null for an input the TypeScript twin must convert.
inline napi_value Result(napi_env env, json::Outcome outcome, const json::Error& error) {
  Output().Trim();
  if (outcome == json::Outcome::kDefer) return Null(env);
  return ErrorTuple(env, error);
}

// The result of a transcode into `dst`: the byte count written, or -(byte count) when dst is too
// small (the bytes stay for the take call); errors and deferrals as Result gives them.
// Measured against returning a Buffer from napi_create_buffer_copy: a JS-side scratch plus
// Buffer.allocUnsafe saves about 0.7 µs of CPU a call, a third of converting a 200-byte body.
inline napi_value IntoResult(napi_env env, json::Outcome outcome, const json::Error& error, const uint8_t* dst, size_t room) {
  if (outcome != json::Outcome::kOk) return Result(env, outcome, error);
  json::Sink& out = Output();
  const size_t n = out.pos;
  napi_value result = nullptr;
  if (n <= room) {
    if (n != 0) std::memcpy(const_cast<uint8_t*>(dst), out.buf, n);
    out.Trim();
    napi_create_int64(env, static_cast<int64_t>(n), &result);
  } else {
    napi_create_int64(env, -static_cast<int64_t>(n), &result);
  }
  return result;
}

// Copies the bytes a transcode into a too small buffer kept into `dst_value`, which must hold them.
inline napi_value TakeKept(napi_env env, napi_value dst_value, const char* usage) {
  const uint8_t* dst = nullptr;
  size_t room = 0;
  json::Sink& out = Output();
  if (!GetBytes(env, dst_value, &dst, &room) || room < out.pos) return Fail(env, usage);
  std::memcpy(const_cast<uint8_t*>(dst), out.buf, out.pos);
  out.Trim();
  return nullptr;
}

// The (Int32Array, Uint8Array) pair a serialized descriptor table comes as.
inline bool GetTableArgs(napi_env env, napi_callback_info info, const int32_t** ints, size_t* int_count, const uint8_t** bytes, size_t* byte_count) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  napi_typedarray_type type;
  void* raw = nullptr;
  if (argc < 2 || napi_get_typedarray_info(env, argv[0], &type, int_count, &raw, nullptr, nullptr) != napi_ok || type != napi_int32_array ||
      !GetBytes(env, argv[1], bytes, byte_count)) {
    return false;
  }
  *ints = static_cast<const int32_t*>(raw);
  return true;
}

// name(ints: Int32Array, strings: Uint8Array): an external owning the table `parse` builds from
// them, tagged `tag` so that a foreign external is refused.
template <typename Table>
napi_value CreateTableHandle(napi_env env, napi_callback_info info, const napi_type_tag* tag,
                             bool (*parse)(const int32_t*, size_t, const uint8_t*, size_t, Table*), const char* usage, const char* malformed) {
  const int32_t* ints = nullptr;
  size_t int_count = 0;
  const uint8_t* bytes = nullptr;
  size_t byte_count = 0;
  if (!GetTableArgs(env, info, &ints, &int_count, &bytes, &byte_count)) return Fail(env, usage);
  auto* table = new (std::nothrow) Table();
  if (table == nullptr) return Fail(env, "out of memory");
  if (!parse(ints, int_count, bytes, byte_count, table)) {
    delete table;
    return Fail(env, malformed);
  }
  napi_value external = nullptr;
  if (napi_create_external(env, table, [](napi_env, void* data, void*) { delete static_cast<Table*>(data); }, nullptr, &external) != napi_ok) {
    delete table;
    return Fail(env, "cannot make the table's handle");
  }
  napi_type_tag_object(env, external, tag);
  return external;
}

// The table behind `value`, or null when it is not an external tagged `tag`.
template <typename Table>
Table* GetTableHandle(napi_env env, napi_value value, const napi_type_tag* tag) {
  bool tagged = false;
  if (napi_check_object_type_tag(env, value, tag, &tagged) != napi_ok || !tagged) return nullptr;
  void* data = nullptr;
  if (napi_get_value_external(env, value, &data) != napi_ok) return nullptr;
  return static_cast<Table*>(data);
}

// The arguments of a conversion call: (table, input: Uint8Array, flags: uint32 bit set, dst: Uint8Array).
// Options travel as bits (as classic-level packs them), so a new option is no new argument.
struct IntoArgs {
  const uint8_t* input = nullptr;
  size_t length = 0;
  uint32_t flags = 0;
  const uint8_t* dst = nullptr;
  size_t room = 0;
};

// The table of a conversion call (tagged `tag`) with its other arguments in *args; null when any
// argument is not what it should be.
template <typename Table>
Table* GetIntoArgs(napi_env env, napi_callback_info info, const napi_type_tag* tag, IntoArgs* args) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  Table* t = argc == 4 ? GetTableHandle<Table>(env, argv[0], tag) : nullptr;
  if (t == nullptr || !GetBytes(env, argv[1], &args->input, &args->length) || napi_get_value_uint32(env, argv[2], &args->flags) != napi_ok ||
      !GetBytes(env, argv[3], &args->dst, &args->room)) {
    return nullptr;
  }
  return t;
}

inline void Export(napi_env env, Napi::Object exports, const char* name, napi_callback callback) {
  napi_value fn = nullptr;
  if (napi_create_function(env, name, NAPI_AUTO_LENGTH, callback, nullptr, &fn) == napi_ok) {
    exports.Set(name, Napi::Value(env, fn));
  }
}

}  // namespace heddle::json_napi
