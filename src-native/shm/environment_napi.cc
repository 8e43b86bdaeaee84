#include "shm/environment_napi.h"

#include <cstring>
#include <vector>

namespace heddle::shm {

ShmEnvironment* ShmEnvironment::Create(Napi::Env env) {
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) return nullptr;
  auto* state = new ShmEnvironment(env, loop);
  if (napi_add_async_cleanup_hook(env, OnCleanup, state, &state->cleanup_handle_) != napi_ok) {
    delete state;
    return nullptr;
  }
  return state;
}

void ShmEnvironment::CloseUvHandle(uv_handle_t* handle) {
  ++closing_handles_;
  handle->data = this;
  uv_close(handle, OnUvClosed);
}

void ShmEnvironment::OnUvClosed(uv_handle_t* handle) {
  auto* self = static_cast<ShmEnvironment*>(handle->data);
  // Handles are allocated with `new` as their concrete libuv type; the union keeps delete exact.
  if (handle->type == UV_POLL) {
    delete reinterpret_cast<uv_poll_t*>(handle);
  } else {
    delete reinterpret_cast<uv_timer_t*>(handle);
  }
  --self->closing_handles_;
  self->MaybeFinishTeardown();
}

void ShmEnvironment::OnCleanup(napi_async_cleanup_hook_handle, void* arg) {
  auto* self = static_cast<ShmEnvironment*>(arg);
  self->tearing_down_ = true;
  // Teardown() untracks each resource, so iterate over a copy.
  const std::vector<LoopResource*> live(self->resources_.begin(), self->resources_.end());
  for (LoopResource* resource : live) resource->Teardown();
  self->MaybeFinishTeardown();
}

void ShmEnvironment::MaybeFinishTeardown() {
  if (!tearing_down_ || closing_handles_ > 0) return;
  napi_remove_async_cleanup_hook(cleanup_handle_);
  delete this;
}

void ShmEnvironment::RecordFailure(const Outcome& outcome, const std::string& context) {
  last_failure_ = outcome;
  last_context_ = context;
}

Napi::Value ShmEnvironment::LastError(Napi::Env env) const { return FailureObject(env, last_failure_, last_context_); }

Napi::Object FailureObject(Napi::Env env, const Outcome& outcome, const std::string& context) {
  std::string message = context.empty() ? std::string(outcome.detail) : context + ": " + outcome.detail;
  if (outcome.sys_errno != 0) message += std::string(" (") + std::strerror(outcome.sys_errno) + ")";
  if (outcome.position != kNoPosition) message += " at control-stream byte " + std::to_string(outcome.position);
  Napi::Object failure = Napi::Object::New(env);
  failure.Set("status", static_cast<int32_t>(outcome.status));
  failure.Set("errno", outcome.sys_errno);
  failure.Set("message", message);
  return failure;
}

}  // namespace heddle::shm
