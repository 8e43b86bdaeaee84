// AArch64 pieces of the varint run decoders; see varint_x86.cc for the idea.
#include "simd/varint_simd.h"

#if defined(HEDDLE_NEON_SIMD)
#include <arm_neon.h>

namespace heddle::simd {
namespace {

// Loads 16 bytes and reports whether all are one-byte varints, ZigZag-decoded if asked.
inline bool LoadSingles(const uint8_t* src, bool zigzag, int8x16_t* out) {
  const uint8x16_t v = vld1q_u8(src);
  if (vmaxvq_u8(v) >= 0x80) return false;
  const int8x16_t s = vreinterpretq_s8_u8(v);
  *out = zigzag ? veorq_s8(vreinterpretq_s8_u8(vshrq_n_u8(v, 1)), vnegq_s8(vandq_s8(s, vdupq_n_s8(1)))) : s;
  return true;
}

}  // namespace

size_t VarintBulk32Neon(const uint8_t* src, size_t length, size_t count, bool zigzag, int32_t* out) noexcept {
  size_t n = 0;
  int8x16_t v;
  while (length - n >= 16 && count - n >= 16 && LoadSingles(src + n, zigzag, &v)) {
    const int16x8_t lo = vmovl_s8(vget_low_s8(v));
    const int16x8_t hi = vmovl_s8(vget_high_s8(v));
    vst1q_s32(out + n, vmovl_s16(vget_low_s16(lo)));
    vst1q_s32(out + n + 4, vmovl_s16(vget_high_s16(lo)));
    vst1q_s32(out + n + 8, vmovl_s16(vget_low_s16(hi)));
    vst1q_s32(out + n + 12, vmovl_s16(vget_high_s16(hi)));
    n += 16;
  }
  return n;
}

size_t VarintBulk64Neon(const uint8_t* src, size_t length, size_t count, bool zigzag, uint64_t* out) noexcept {
  size_t n = 0;
  int8x16_t v;
  while (length - n >= 16 && count - n >= 16 && LoadSingles(src + n, zigzag, &v)) {
    const int16x8_t halves[2] = {vmovl_s8(vget_low_s8(v)), vmovl_s8(vget_high_s8(v))};
    for (int h = 0; h < 2; h++) {
      const int32x4_t quarters[2] = {vmovl_s16(vget_low_s16(halves[h])), vmovl_s16(vget_high_s16(halves[h]))};
      for (int q = 0; q < 2; q++) {
        // Stored as bytes: uint64_t and NEON's 64-bit lane type are distinct types on some ABIs.
        uint8_t* dst = reinterpret_cast<uint8_t*>(out + n + 8 * h + 4 * q);
        vst1q_u8(dst, vreinterpretq_u8_s64(vmovl_s32(vget_low_s32(quarters[q]))));
        vst1q_u8(dst + 16, vreinterpretq_u8_s64(vmovl_s32(vget_high_s32(quarters[q]))));
      }
    }
    n += 16;
  }
  return n;
}

size_t CountVarintEndsNeon(const uint8_t* src, size_t length) noexcept {
  size_t count = 0;
  for (size_t p = 0; p < length; p += 16) {
    const uint8x16_t ends = vshrq_n_u8(vcltq_u8(vld1q_u8(src + p), vdupq_n_u8(0x80)), 7);
    count += vaddvq_u8(ends);
  }
  return count;
}

}  // namespace heddle::simd
#endif  // HEDDLE_NEON_SIMD
