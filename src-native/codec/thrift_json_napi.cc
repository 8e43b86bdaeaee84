// napi glue for the Thrift JSON transcoders (codec/thrift_json.h); the TypeScript side is
// src-ts/gateway/thrift-json/transcoder.ts.
//
// A table is built once per codec from its serialized descriptor and held by an external value;
// each transcode is then one call that writes into a caller's buffer and returns the size, an
// error tuple, or null (the input needs the TypeScript twin). Argument types were checked in
// TypeScript; the checks here only keep a bug there from becoming a memory error.
#include <napi.h>

#include <cstdint>
#include <cstring>
#include <new>
#include <string>

#include "codec/json_napi.h"
#include "codec/thrift_json.h"
#include "core/addon_state.h"

namespace heddle {
namespace {

using namespace json_napi;  // the buffer, error and result glue shared with proto_json_napi.cc

namespace tj = codec::thrift_json;

constexpr napi_type_tag kThriftJsonTableTag = {0x6865646c656a736fULL, 0x6e5461626c653031ULL};

using NativeTable = tj::Table;

NativeTable* GetTable(napi_env env, napi_value value) { return GetTableHandle<NativeTable>(env, value, &kThriftJsonTableTag); }

// thriftJsonTable(ints: Int32Array, strings: Uint8Array): External
napi_value CreateTable(napi_env env, napi_callback_info info) {
  return CreateTableHandle<NativeTable>(env, info, &kThriftJsonTableTag, tj::ParseTable, "thriftJsonTable expects (Int32Array, Uint8Array)", "malformed Thrift JSON descriptor table");
}

// (table, input: Uint8Array, flags: uint32, dst: Uint8Array) -> see IntoResult. The flags are
// FromJsonFlag bits for FromJson, ToJsonFlag bits for ToJson (thrift_json.h).
template <bool kToJson>
napi_value TranscodeInto(napi_env env, napi_callback_info info) {
  IntoArgs a;
  NativeTable* t = GetIntoArgs<NativeTable>(env, info, &kThriftJsonTableTag, &a);
  if (t == nullptr) return Fail(env, "thrift JSON transcoding expects (table, Uint8Array, uint32, Uint8Array)");
  tj::Error error;
  tj::Sink& out = Output();
  const tj::Outcome outcome = kToJson ? tj::ToJson(*t, a.input, a.length, a.flags, &out, &error)
                                      : tj::FromJson(*t, a.input, a.length, a.flags, &out, &error);
  return IntoResult(env, outcome, error, a.dst, a.room);
}

// thriftJsonTakeInto(table, dst: Uint8Array): copies the bytes a transcode into a too small dst kept.
napi_value TakeInto(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 2 || GetTable(env, argv[0]) == nullptr) return Fail(env, "thriftJsonTakeInto expects (table, Uint8Array of the kept size)");
  return TakeKept(env, argv[1], "thriftJsonTakeInto expects (table, Uint8Array of the kept size)");
}

}  // namespace

void InitThriftJson(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "thriftJsonTable", CreateTable);
  Export(env, exports, "thriftJsonFromJsonInto", TranscodeInto<false>);
  Export(env, exports, "thriftJsonToJsonInto", TranscodeInto<true>);
  Export(env, exports, "thriftJsonTakeInto", TakeInto);
}

}  // namespace heddle
