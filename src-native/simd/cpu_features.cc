#include "simd/cpu_features.h"

#include <cstdlib>
#include <cstring>
#include <string_view>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace heddle::simd {
namespace {

#if defined(__x86_64__) || defined(__i386__)
// XCR0 tells which register states the OS saves on context switch; a CPU flag alone is not
// enough to use AVX registers.
uint64_t ReadXcr0() noexcept {
  uint32_t eax = 0, edx = 0;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<uint64_t>(edx) << 32) | eax;
}

// AMD (and Hygon) CPUs before family 19h (Zen 3) run pdep/pext in microcode.
bool SlowPdep() noexcept {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid(0, &eax, &ebx, &ecx, &edx)) return true;
  const bool amd = (ebx == 0x68747541 && ecx == 0x444d4163 && edx == 0x69746e65) ||  // AuthenticAMD
                   (ebx == 0x6f677948 && ecx == 0x656e6975 && edx == 0x6e65476e);    // HygonGenuine
  if (!amd || !__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return false;
  const unsigned family = ((eax >> 8) & 0xf) + (((eax >> 8) & 0xf) == 0xf ? (eax >> 20) & 0xff : 0);
  return family < 0x19;
}

CpuFeatures Detect() noexcept {
  CpuFeatures f;
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return f;
  f.sse42 = (ecx & bit_SSE4_2) != 0;
  const bool osxsave = (ecx & bit_OSXSAVE) != 0;
  const bool avx = (ecx & bit_AVX) != 0;
  if (!osxsave || !avx) return f;
  const uint64_t xcr0 = ReadXcr0();
  const bool ymm_saved = (xcr0 & 0x6) == 0x6;          // SSE + AVX state
  const bool zmm_saved = (xcr0 & 0xE6) == 0xE6;        // + opmask, ZMM_Hi256, Hi16_ZMM
  if (__get_cpuid_max(0, nullptr) < 7) return f;
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  f.avx2 = ymm_saved && (ebx & bit_AVX2) != 0;
  f.avx512bw = zmm_saved && (ebx & bit_AVX512F) != 0 && (ebx & bit_AVX512BW) != 0;
  f.avx512vbmi2 = f.avx512bw && (ebx & bit_AVX512VL) != 0 && (ebx & bit_AVX512CD) != 0 && (ecx & bit_AVX512VBMI) != 0 && (ecx & bit_AVX512VBMI2) != 0;
  f.bmi2 = (ebx & bit_BMI) != 0 && (ebx & bit_BMI2) != 0 && !SlowPdep();
  return f;
}
#elif defined(__aarch64__)
CpuFeatures Detect() noexcept {
  CpuFeatures f;
  f.neon = true;  // Advanced SIMD is mandatory in ARMv8-A.
  return f;
}
#else
CpuFeatures Detect() noexcept { return {}; }
#endif

bool Named(std::string_view list, std::string_view name) noexcept {
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view item = list.substr(0, comma);
    if (item == name || item == "all") return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

const CpuFeatures& DetectedCpuFeatures() noexcept {
  static const CpuFeatures detected = Detect();
  return detected;
}

const CpuFeatures& EnabledCpuFeatures() noexcept {
  static const CpuFeatures enabled = [] {
    CpuFeatures f = DetectedCpuFeatures();
    const char* env = std::getenv("HEDDLE_DISABLE_SIMD");
    if (env == nullptr) return f;
    const std::string_view off(env);
    if (Named(off, "sse4.2")) f.sse42 = false;
    if (Named(off, "avx2")) f.avx2 = false;
    if (Named(off, "avx512bw")) f.avx512bw = false;
    if (Named(off, "avx512bw") || Named(off, "avx512vbmi2")) f.avx512vbmi2 = false;
    if (Named(off, "bmi2")) f.bmi2 = false;
    if (Named(off, "neon")) f.neon = false;
    return f;
  }();
  return enabled;
}

}  // namespace heddle::simd
