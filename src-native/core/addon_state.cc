#include "core/addon_state.h"

#include <atomic>

namespace heddle {
namespace {
std::atomic<uint32_t> next_environment_id{1};
std::atomic<uint32_t> live_environments{0};
}  // namespace

AddonState::AddonState(uint32_t environment_id) : environment_id_(environment_id) {
  live_environments.fetch_add(1, std::memory_order_relaxed);
}

AddonState::~AddonState() { live_environments.fetch_sub(1, std::memory_order_relaxed); }

AddonState& AddonState::Create(Napi::Env env) {
  auto* state = new AddonState(next_environment_id.fetch_add(1, std::memory_order_relaxed));
  // napi frees instance data when the environment goes away; the cleanup hook runs first, so
  // parts that own OS resources release them while the environment is still intact.
  env.SetInstanceData<AddonState, &AddonState::Finalize>(state);
  env.AddCleanupHook([state] { state->Shutdown(); });
  return *state;
}

AddonState& AddonState::Get(Napi::Env env) { return *env.GetInstanceData<AddonState>(); }

uint32_t AddonState::LiveEnvironments() { return live_environments.load(std::memory_order_relaxed); }

void AddonState::Shutdown() { shut_down_ = true; }

void AddonState::Finalize(Napi::Env, AddonState* state) { delete state; }

namespace {
Napi::Value EnvironmentId(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), AddonState::Get(info.Env()).environment_id());
}

Napi::Value LiveEnvironmentCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), AddonState::LiveEnvironments());
}
}  // namespace

void InitAddonInfo(Napi::Env env, Napi::Object exports) {
  exports.Set("environmentId", Napi::Function::New<EnvironmentId>(env, "environmentId"));
  exports.Set("liveEnvironments", Napi::Function::New<LiveEnvironmentCount>(env, "liveEnvironments"));
}

}  // namespace heddle
