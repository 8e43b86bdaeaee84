// napi glue for the Protobuf JSON transcoder (codec/proto_json.h); the TypeScript side is
// src-ts/gateway/proto-json/transcoder.ts.
//
// As for Thrift (thrift_json_napi.cc): a table is built once per codec and held by a tagged
// external; each fromJSON or toJSON is one call that writes into the caller's buffer and returns the size,
// -(size) when the bytes did not fit and wait for protoJsonTakeInto, an error tuple, or null when
// the TypeScript twin must convert the input.
#include <napi.h>

#include <cstdint>
#include <new>

#include "codec/json_napi.h"
#include "codec/proto_json.h"
#include "core/addon_state.h"

namespace heddle {
namespace {

using namespace json_napi;  // the buffer, error and result glue shared with thrift_json_napi.cc

namespace pj = codec::proto_json;

constexpr napi_type_tag kProtoJsonTableTag = {0x6865646c6570726fULL, 0x746f4a534f4e3031ULL};

using NativeTable = pj::Table;

NativeTable* GetTable(napi_env env, napi_value value) { return GetTableHandle<NativeTable>(env, value, &kProtoJsonTableTag); }

// protoJsonTable(ints: Int32Array, strings: Uint8Array): External
napi_value CreateTable(napi_env env, napi_callback_info info) {
  return CreateTableHandle<NativeTable>(env, info, &kProtoJsonTableTag, pj::ParseTable, "protoJsonTable expects (Int32Array, Uint8Array)", "malformed Protobuf JSON descriptor table");
}

// protoJsonFromJsonInto(table, body: Uint8Array, flags: FromJsonFlag bits, dst: Uint8Array) and
// protoJsonToJsonInto(table, wire: Uint8Array, flags: ToJsonFlag bits, dst: Uint8Array).
template <bool kToJson>
napi_value TranscodeInto(napi_env env, napi_callback_info info) {
  IntoArgs a;
  NativeTable* t = GetIntoArgs<NativeTable>(env, info, &kProtoJsonTableTag, &a);
  if (t == nullptr) return Fail(env, kToJson ? "protoJsonToJsonInto expects (table, Uint8Array, uint32, Uint8Array)" : "protoJsonFromJsonInto expects (table, Uint8Array, uint32, Uint8Array)");
  pj::Error error;
  const pj::Outcome outcome = kToJson ? pj::ToJson(*t, a.input, a.length, a.flags, &Output(), &error) : pj::FromJson(*t, a.input, a.length, (a.flags & pj::kIgnoreUnknown) != 0, &Output(), &error);
  return IntoResult(env, outcome, error, a.dst, a.room);
}

// protoJsonTakeInto(table, dst: Uint8Array): copies the bytes a transcode into a too small dst kept.
napi_value TakeInto(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 2 || GetTable(env, argv[0]) == nullptr) return Fail(env, "protoJsonTakeInto expects (table, Uint8Array of the kept size)");
  return TakeKept(env, argv[1], "protoJsonTakeInto expects (table, Uint8Array of the kept size)");
}

}  // namespace

void InitProtoJson(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "protoJsonTable", CreateTable);
  Export(env, exports, "protoJsonFromJsonInto", TranscodeInto<false>);
  Export(env, exports, "protoJsonToJsonInto", TranscodeInto<true>);
  Export(env, exports, "protoJsonTakeInto", TakeInto);
}

}  // namespace heddle
