// x86 variants of codec::SwapBytes: one pshufb per 16 bytes, with the control reversing each
// element. Elements never straddle a 16-byte lane, so the in-lane AVX2/AVX-512 shuffles serve too.
#include "simd/byte_swap_simd.h"

#if defined(HEDDLE_X86_SIMD)
#include "simd/x86_intrinsics.h"

namespace heddle::simd {
namespace {

alignas(16) constexpr uint8_t kReverse2[16] = {1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14};
alignas(16) constexpr uint8_t kReverse4[16] = {3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12};
alignas(16) constexpr uint8_t kReverse8[16] = {7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8};

const uint8_t* ShuffleControl(size_t width) noexcept {
  return width == 2 ? kReverse2 : width == 4 ? kReverse4 : kReverse8;
}

}  // namespace

__attribute__((target("sse4.2"))) size_t SwapBytesSse42(const uint8_t* src, uint8_t* dst, size_t count,
                                                         size_t width) noexcept {
  const __m128i control = _mm_load_si128(reinterpret_cast<const __m128i*>(ShuffleControl(width)));
  const size_t bytes = count * width;
  size_t i = 0;
  for (; i + 64 <= bytes; i += 64) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i + 16));
    const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i + 32));
    const __m128i d = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i + 48));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), _mm_shuffle_epi8(a, control));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i + 16), _mm_shuffle_epi8(b, control));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i + 32), _mm_shuffle_epi8(c, control));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i + 48), _mm_shuffle_epi8(d, control));
  }
  for (; i + 16 <= bytes; i += 16) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), _mm_shuffle_epi8(a, control));
  }
  return i / width;
}

__attribute__((target("avx2"))) size_t SwapBytesAvx2(const uint8_t* src, uint8_t* dst, size_t count,
                                                     size_t width) noexcept {
  const __m256i control = _mm256_broadcastsi128_si256(
      _mm_load_si128(reinterpret_cast<const __m128i*>(ShuffleControl(width))));
  const size_t bytes = count * width;
  size_t i = 0;
  for (; i + 128 <= bytes; i += 128) {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i));
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i + 32));
    const __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i + 64));
    const __m256i d = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i + 96));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), _mm256_shuffle_epi8(a, control));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i + 32), _mm256_shuffle_epi8(b, control));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i + 64), _mm256_shuffle_epi8(c, control));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i + 96), _mm256_shuffle_epi8(d, control));
  }
  for (; i + 32 <= bytes; i += 32) {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), _mm256_shuffle_epi8(a, control));
  }
  if (i + 16 <= bytes) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), _mm_shuffle_epi8(a, _mm256_castsi256_si128(control)));
    i += 16;
  }
  return i / width;
}

__attribute__((target("avx512f,avx512bw" HEDDLE_EVEX512))) size_t SwapBytesAvx512(const uint8_t* src, uint8_t* dst, size_t count,
                                                                   size_t width) noexcept {
  const __m512i control = _mm512_broadcast_i32x4(
      _mm_load_si128(reinterpret_cast<const __m128i*>(ShuffleControl(width))));
  const size_t bytes = count * width;
  size_t i = 0;
  for (; i + 256 <= bytes; i += 256) {
    const __m512i a = _mm512_loadu_si512(src + i);
    const __m512i b = _mm512_loadu_si512(src + i + 64);
    const __m512i c = _mm512_loadu_si512(src + i + 128);
    const __m512i d = _mm512_loadu_si512(src + i + 192);
    _mm512_storeu_si512(dst + i, _mm512_shuffle_epi8(a, control));
    _mm512_storeu_si512(dst + i + 64, _mm512_shuffle_epi8(b, control));
    _mm512_storeu_si512(dst + i + 128, _mm512_shuffle_epi8(c, control));
    _mm512_storeu_si512(dst + i + 192, _mm512_shuffle_epi8(d, control));
  }
  for (; i + 64 <= bytes; i += 64) {
    _mm512_storeu_si512(dst + i, _mm512_shuffle_epi8(_mm512_loadu_si512(src + i), control));
  }
  if (i < bytes) {
    // The tail is whole elements, so the masked shuffle never reads a byte outside it.
    const __mmask64 mask = (uint64_t{1} << (bytes - i)) - 1;  // bytes - i < 64
    const __m512i a = _mm512_maskz_loadu_epi8(mask, src + i);
    _mm512_mask_storeu_epi8(dst + i, mask, _mm512_shuffle_epi8(a, control));
  }
  return count;
}

}  // namespace heddle::simd
#endif  // HEDDLE_X86_SIMD
