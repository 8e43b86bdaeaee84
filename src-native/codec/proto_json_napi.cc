// napi glue for the Protobuf JSON transcoder (codec/proto_json.h); the TypeScript side is
// src-ts/gateway/proto-json/transcoder.ts.
//
// As for Thrift (thrift_json_napi.cc): a table is built once per codec and held by a tagged
// external; each fromJSON is one call that writes into the caller's buffer and returns the size,
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

// protoJsonFromJsonInto(table, body: Uint8Array, ignoreUnknown: boolean, dst: Uint8Array)
napi_value FromJsonInto(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  NativeTable* t = argc == 4 ? GetTable(env, argv[0]) : nullptr;
  const uint8_t* input = nullptr;
  size_t length = 0;
  const uint8_t* dst = nullptr;
  size_t room = 0;
  bool ignore_unknown = false;
  if (t == nullptr || !GetBytes(env, argv[1], &input, &length) || napi_get_value_bool(env, argv[2], &ignore_unknown) != napi_ok ||
      !GetBytes(env, argv[3], &dst, &room)) {
    return Fail(env, "protoJsonFromJsonInto expects (table, Uint8Array, boolean, Uint8Array)");
  }
  pj::Error error;
  const pj::Outcome outcome = pj::FromJson(*t, input, length, ignore_unknown, &Output(), &error);
  return IntoResult(env, outcome, error, dst, room);
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
  Export(env, exports, "protoJsonFromJsonInto", FromJsonInto);
  Export(env, exports, "protoJsonTakeInto", TakeInto);
}

}  // namespace heddle
