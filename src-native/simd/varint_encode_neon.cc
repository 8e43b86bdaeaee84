// AArch64 one-byte varint runs for codec::EncodeVarint32s; see varint_encode_x86.cc.
#include "simd/varint_simd.h"

#if defined(HEDDLE_NEON_SIMD)
#include <arm_neon.h>

namespace heddle::simd {
namespace {

inline uint32x4_t Wire(const int32_t* values, bool zigzag) {
  const int32x4_t v = vld1q_s32(values);
  const int32x4_t wire = zigzag ? veorq_s32(vshlq_n_s32(v, 1), vshrq_n_s32(v, 31)) : v;
  return vreinterpretq_u32_s32(wire);
}

}  // namespace

size_t EncodeOneByteVarintsNeon(const int32_t* values, size_t count, bool zigzag, uint8_t* dst,
                                size_t capacity) noexcept {
  size_t n = 0;
  while (count - n >= 16 && capacity - n >= 16) {
    const uint32x4_t a = Wire(values + n, zigzag);
    const uint32x4_t b = Wire(values + n + 4, zigzag);
    const uint32x4_t c = Wire(values + n + 8, zigzag);
    const uint32x4_t d = Wire(values + n + 12, zigzag);
    if (vmaxvq_u32(vorrq_u32(vorrq_u32(a, b), vorrq_u32(c, d))) >= 0x80) break;
    const uint16x8_t ab = vcombine_u16(vmovn_u32(a), vmovn_u32(b));
    const uint16x8_t cd = vcombine_u16(vmovn_u32(c), vmovn_u32(d));
    vst1q_u8(dst + n, vcombine_u8(vmovn_u16(ab), vmovn_u16(cd)));
    n += 16;
  }
  return n;
}

}  // namespace heddle::simd
#endif  // HEDDLE_NEON_SIMD
