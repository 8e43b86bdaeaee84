// Module init only: create this environment's state, then let each part register its exports.
#include <napi.h>

#include "core/addon_state.h"

namespace {
Napi::Object Init(Napi::Env env, Napi::Object exports) {
  heddle::AddonState::Create(env);
  heddle::InitAddonInfo(env, exports);
  heddle::InitCpuFeatures(env, exports);
  heddle::InitShm(env, exports);
  heddle::InitKernels(env, exports);
  heddle::InitNativeSocket(env, exports);
  heddle::InitFrameScan(env, exports);
  heddle::InitReusePort(env, exports);
  heddle::InitThriftJson(env, exports);
  heddle::InitProtoJson(env, exports);
  return exports;
}
}  // namespace

NODE_API_MODULE(heddle, Init)
