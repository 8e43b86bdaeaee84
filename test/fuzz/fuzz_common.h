// Shared by the libFuzzer targets: the SIMD variants this CPU has, and a loud abort on mismatch.
#pragma once

#include <cstdio>
#include <cstdlib>

#include "simd/kernel_variant.h"

namespace heddle::fuzz {

inline constexpr simd::KernelVariant kSimdVariants[] = {simd::KernelVariant::kSse42, simd::KernelVariant::kAvx2,
                                                        simd::KernelVariant::kAvx512, simd::KernelVariant::kNeon};

// Differential fuzzing: a SIMD variant that disagrees with the scalar reference is a crash.
#define HEDDLE_FUZZ_CHECK(condition, variant)                                                   \
  do {                                                                                          \
    if (!(condition)) {                                                                         \
      std::fprintf(stderr, "%s:%d: %s disagrees with scalar: %s\n", __FILE__, __LINE__,         \
                   heddle::simd::VariantName(variant), #condition);                             \
      std::abort();                                                                             \
    }                                                                                           \
  } while (0)

}  // namespace heddle::fuzz
