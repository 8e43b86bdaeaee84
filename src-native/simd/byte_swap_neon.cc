// AArch64 variant of codec::SwapBytes: the rev16/rev32/rev64 byte reversals on 16-byte vectors.
#include "simd/byte_swap_simd.h"

#if defined(HEDDLE_NEON_SIMD)
#include <arm_neon.h>

namespace heddle::simd {

size_t SwapBytesNeon(const uint8_t* src, uint8_t* dst, size_t count, size_t width) noexcept {
  const size_t bytes = count * width;
  size_t i = 0;
  for (; i + 16 <= bytes; i += 16) {
    const uint8x16_t a = vld1q_u8(src + i);
    const uint8x16_t r = width == 2 ? vrev16q_u8(a) : width == 4 ? vrev32q_u8(a) : vrev64q_u8(a);
    vst1q_u8(dst + i, r);
  }
  return i / width;
}

}  // namespace heddle::simd
#endif  // HEDDLE_NEON_SIMD
