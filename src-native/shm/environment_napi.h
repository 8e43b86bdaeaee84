// Per-environment state of the shm glue: the libuv loop, every live session and listener, and an
// async cleanup hook that closes them when the environment (main thread or worker) shuts down,
// waiting for libuv to finish closing their handles before the loop goes away.
#pragma once

#include <napi.h>
#include <uv.h>

#include <string>
#include <unordered_set>

#include "shm/status.h"

namespace heddle::shm {

// Something that owns libuv handles and OS resources on behalf of JavaScript.
class LoopResource {
 public:
  virtual ~LoopResource() = default;
  // Closes without calling into JavaScript (the environment is going away).
  virtual void Teardown() = 0;
};

class ShmEnvironment {
 public:
  static ShmEnvironment* Create(Napi::Env env);

  napi_env env() const { return env_; }
  uv_loop_t* loop() const { return loop_; }
  void Track(LoopResource* resource) { resources_.insert(resource); }
  void Untrack(LoopResource* resource) { resources_.erase(resource); }
  // Every uv_close() goes through here, so teardown knows when the last one has completed.
  void CloseUvHandle(uv_handle_t* handle);

  // The details of the last failed call, for shmLastError().
  void RecordFailure(const Outcome& outcome, const std::string& context);
  Napi::Value LastError(Napi::Env env) const;

 private:
  ShmEnvironment(napi_env env, uv_loop_t* loop) : env_(env), loop_(loop) {}
  static void OnCleanup(napi_async_cleanup_hook_handle handle, void* arg);
  static void OnUvClosed(uv_handle_t* handle);
  void MaybeFinishTeardown();

  napi_env env_;
  uv_loop_t* loop_;
  std::unordered_set<LoopResource*> resources_;
  int closing_handles_ = 0;
  napi_async_cleanup_hook_handle cleanup_handle_ = nullptr;
  bool tearing_down_ = false;
  Outcome last_failure_;
  std::string last_context_;
};

// Builds { status, errno, message } for a failure returned to JavaScript.
Napi::Object FailureObject(Napi::Env env, const Outcome& outcome, const std::string& context);
// The environment bound to an exported function as its data.
inline ShmEnvironment* EnvironmentOf(const Napi::CallbackInfo& info) {
  return static_cast<ShmEnvironment*>(info.Data());
}

}  // namespace heddle::shm
