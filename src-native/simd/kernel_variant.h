// Which implementation of a whole-buffer kernel runs: the scalar one or a SIMD one. Pure C++.
//
// Callers pass kAuto; tests and fuzz targets force each variant the CPU has so every
// implementation is compared with the scalar one. The numeric values are mirrored by
// KernelVariant in src-ts/kernels/native-kernels.ts.
#pragma once

#include <cstdint>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
// x86 SIMD kernels are compiled with per-function target attributes, which GCC and Clang support.
#define HEDDLE_X86_SIMD 1
#endif
#if defined(__aarch64__)
#define HEDDLE_NEON_SIMD 1
#endif

namespace heddle::simd {

enum class KernelVariant : int32_t {
  kAuto = 0,    // the best variant EnabledCpuFeatures() allows, chosen once
  kScalar = 1,  // portable C++, always built; the reference the others are tested against
  kSse42 = 2,   // SSE4.2 (with SSSE3's pshufb), 16-byte vectors
  kAvx2 = 3,    // 32-byte vectors
  kAvx512 = 4,  // AVX-512BW, 64-byte vectors and masked tails
  kNeon = 5,    // AArch64 Advanced SIMD
};

inline constexpr int32_t kKernelVariantCount = 6;

// Whether `variant` may run here: kAuto and kScalar always; the others when EnabledCpuFeatures()
// has the instruction set (so HEDDLE_DISABLE_SIMD turns them off).
bool IsAvailable(KernelVariant variant) noexcept;

// kAuto becomes the best available variant; an unavailable one becomes kScalar.
KernelVariant Resolve(KernelVariant variant) noexcept;

// The name tests and benchmarks print: "scalar", "sse4.2", "avx2", "avx512bw", "neon", "auto".
const char* VariantName(KernelVariant variant) noexcept;

}  // namespace heddle::simd
