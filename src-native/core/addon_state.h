// Per-environment addon state. Each Node environment (the main thread, every worker thread) that
// loads heddle.node gets its own AddonState through napi instance data; a cleanup hook frees it
// when that environment exits, so worker threads and double loading never share JS handles.
#pragma once

#include <napi.h>

#include <cstdint>

namespace heddle {

class AddonState {
 public:
  // Creates the state for `env` and registers its cleanup hook.
  static AddonState& Create(Napi::Env env);
  static AddonState& Get(Napi::Env env);

  uint32_t environment_id() const { return environment_id_; }
  // Environments that currently have heddle loaded, across all threads of the process.
  static uint32_t LiveEnvironments();

  AddonState(const AddonState&) = delete;
  AddonState& operator=(const AddonState&) = delete;
  ~AddonState();

 private:
  explicit AddonState(uint32_t environment_id);
  // Runs from the environment's cleanup hook, before its handles are torn down: parts that own OS
  // resources (sockets, shared memory) close them here.
  void Shutdown();
  static void Finalize(Napi::Env env, AddonState* state);

  uint32_t environment_id_;
  bool shut_down_ = false;
};

// Each part of the addon registers its exports here; addon.cc calls them in turn.
void InitCpuFeatures(Napi::Env env, Napi::Object exports);
void InitKernels(Napi::Env env, Napi::Object exports);
void InitNativeSocket(Napi::Env env, Napi::Object exports);
void InitFrameScan(Napi::Env env, Napi::Object exports);
void InitReusePort(Napi::Env env, Napi::Object exports);
void InitAddonInfo(Napi::Env env, Napi::Object exports);
void InitShm(Napi::Env env, Napi::Object exports);
void InitThriftJson(Napi::Env env, Napi::Object exports);
void InitProtoJson(Napi::Env env, Napi::Object exports);

}  // namespace heddle
