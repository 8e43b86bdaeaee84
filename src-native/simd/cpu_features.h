// Runtime CPU feature detection. Pure C++: no napi.h, so kernels and fuzz targets can use it.
//
// Kernels are compiled with target attributes (never a global -mavx2) and choose their variant
// through these flags at first use, so one x64 binary runs on every x64 CPU.
#pragma once

#include <cstdint>

namespace heddle::simd {

struct CpuFeatures {
  bool sse42 = false;
  bool avx2 = false;
  bool avx512bw = false;
  // BMI2 with fast pdep/pext: not on AMD before Zen 3, which microcodes them (hundreds of cycles).
  bool bmi2 = false;
  // AVX-512 VBMI and VBMI2 (byte permutes and compress) with VL and CD (lzcnt), on top of
  // avx512bw: every CPU with VBMI2 (Ice Lake, Zen 4 and later) has the rest.
  bool avx512vbmi2 = false;
  bool neon = false;
};

// Detected once; safe to call from any thread.
const CpuFeatures& DetectedCpuFeatures() noexcept;

// The features kernels may use: the detected ones, minus any named in HEDDLE_DISABLE_SIMD
// (comma-separated, e.g. "avx2,avx512bw", or "all"). Tests use this to run every variant the
// CPU has.
const CpuFeatures& EnabledCpuFeatures() noexcept;

}  // namespace heddle::simd
