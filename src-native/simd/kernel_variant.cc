#include "simd/kernel_variant.h"

#include "simd/cpu_features.h"

namespace heddle::simd {
namespace {

KernelVariant Best() noexcept {
  const CpuFeatures& f = EnabledCpuFeatures();
#if defined(HEDDLE_X86_SIMD)
  if (f.avx512bw) return KernelVariant::kAvx512;
  if (f.avx2) return KernelVariant::kAvx2;
  if (f.sse42) return KernelVariant::kSse42;
#elif defined(HEDDLE_NEON_SIMD)
  if (f.neon) return KernelVariant::kNeon;
#endif
  (void)f;
  return KernelVariant::kScalar;
}

}  // namespace

bool IsAvailable(KernelVariant variant) noexcept {
  const CpuFeatures& f = EnabledCpuFeatures();
  switch (variant) {
    case KernelVariant::kAuto:
    case KernelVariant::kScalar:
      return true;
#if defined(HEDDLE_X86_SIMD)
    case KernelVariant::kSse42:
      return f.sse42;
    case KernelVariant::kAvx2:
      return f.avx2;
    case KernelVariant::kAvx512:
      return f.avx512bw;
#endif
#if defined(HEDDLE_NEON_SIMD)
    case KernelVariant::kNeon:
      return f.neon;
#endif
    default:
      return false;
  }
}

KernelVariant Resolve(KernelVariant variant) noexcept {
  static const KernelVariant best = Best();
  if (variant == KernelVariant::kAuto) return best;
  return IsAvailable(variant) ? variant : KernelVariant::kScalar;
}

const char* VariantName(KernelVariant variant) noexcept {
  switch (variant) {
    case KernelVariant::kAuto: return "auto";
    case KernelVariant::kScalar: return "scalar";
    case KernelVariant::kSse42: return "sse4.2";
    case KernelVariant::kAvx2: return "avx2";
    case KernelVariant::kAvx512: return "avx512bw";
    case KernelVariant::kNeon: return "neon";
  }
  return "unknown";
}

}  // namespace heddle::simd
