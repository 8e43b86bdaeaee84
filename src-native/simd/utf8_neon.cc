// AArch64 variant of the SIMD UTF-8 check (see utf8_simd.h), 16-byte blocks.
#include "simd/utf8_simd.h"

#if defined(HEDDLE_NEON_SIMD)
#include <arm_neon.h>

#include <cstring>

namespace heddle::simd {
namespace {

constexpr uint8_t kIncompleteAbove[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                          0xff, 0xff, 0xff, 0xff, 0xff, 0xef, 0xdf, 0xbf};

inline uint8x16_t BlockErrors(uint8x16_t input, uint8x16_t prev) {
  const uint8x16_t prev1 = vextq_u8(prev, input, 15);
  const uint8x16_t special =
      vandq_u8(vandq_u8(vqtbl1q_u8(vld1q_u8(kUtf8Tables.byte1_high), vshrq_n_u8(prev1, 4)),
                        vqtbl1q_u8(vld1q_u8(kUtf8Tables.byte1_low), vandq_u8(prev1, vdupq_n_u8(0x0f)))),
               vqtbl1q_u8(vld1q_u8(kUtf8Tables.byte2_high), vshrq_n_u8(input, 4)));
  const uint8x16_t third = vqsubq_u8(vextq_u8(prev, input, 14), vdupq_n_u8(0xe0 - 0x80));
  const uint8x16_t fourth = vqsubq_u8(vextq_u8(prev, input, 13), vdupq_n_u8(0xf0 - 0x80));
  const uint8x16_t must_continue = vandq_u8(vorrq_u8(third, fourth), vdupq_n_u8(0x80));
  return veorq_u8(must_continue, special);
}

}  // namespace

size_t Utf8FirstBadBlockNeon(const uint8_t* src, size_t length) noexcept {
  const uint8x16_t incomplete_above = vld1q_u8(kIncompleteAbove);
  uint8x16_t prev = vdupq_n_u8(0);
  uint8x16_t prev_incomplete = vdupq_n_u8(0);
  size_t p = 0;
  for (bool last = false; !last; p += 16) {
    uint8x16_t input;
    if (length - p >= 16) {
      input = vld1q_u8(src + p);
    } else {
      uint8_t tail[16] = {};
      std::memcpy(tail, src + p, length - p);
      input = vld1q_u8(tail);
      last = true;
    }
    const uint8x16_t errors = vmaxvq_u8(input) < 0x80 ? prev_incomplete : BlockErrors(input, prev);
    if (vmaxvq_u8(errors) != 0) return p;
    prev_incomplete = vqsubq_u8(input, incomplete_above);
    prev = input;
  }
  return kUtf8Valid;
}

}  // namespace heddle::simd
#endif  // HEDDLE_NEON_SIMD
