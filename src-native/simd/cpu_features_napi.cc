// napi glue for simd/cpu_features: exports cpuFeatures() -> string[].
#include <napi.h>

#include "core/addon_state.h"
#include "simd/cpu_features.h"

namespace heddle {
namespace {
Napi::Value CpuFeatureNames(const Napi::CallbackInfo& info) {
  const simd::CpuFeatures& f = simd::DetectedCpuFeatures();
  Napi::Array names = Napi::Array::New(info.Env());
  uint32_t n = 0;
  if (f.sse42) names.Set(n++, "sse4.2");
  if (f.avx2) names.Set(n++, "avx2");
  if (f.avx512bw) names.Set(n++, "avx512bw");
  if (f.avx512vbmi2) names.Set(n++, "avx512vbmi2");
  if (f.bmi2) names.Set(n++, "bmi2");
  if (f.neon) names.Set(n++, "neon");
  return names;
}
}  // namespace

void InitCpuFeatures(Napi::Env env, Napi::Object exports) {
  exports.Set("cpuFeatures", Napi::Function::New<CpuFeatureNames>(env, "cpuFeatures"));
}

}  // namespace heddle
