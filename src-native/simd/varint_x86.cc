// x86 pieces of the varint run decoders: one movemask tells whether a whole vector of bytes are
// one-byte varints; if so they are (ZigZag-decoded as bytes and) sign-extended to 32 or 64 bits.
// A one-byte varint is < 0x80, so sign and zero extension agree, and ZigZag of a 7-bit value
// fits a signed byte.
#include "simd/varint_simd.h"

#if defined(HEDDLE_X86_SIMD)
#include "simd/x86_intrinsics.h"

namespace heddle::simd {
namespace {

__attribute__((target("sse4.2"))) inline __m128i ZigZag8(__m128i v) {
  const __m128i half = _mm_and_si128(_mm_srli_epi16(v, 1), _mm_set1_epi8(0x7f));
  const __m128i sign = _mm_sub_epi8(_mm_setzero_si128(), _mm_and_si128(v, _mm_set1_epi8(1)));
  return _mm_xor_si128(half, sign);
}

__attribute__((target("avx2"))) inline __m256i ZigZag8(__m256i v) {
  const __m256i half = _mm256_and_si256(_mm256_srli_epi16(v, 1), _mm256_set1_epi8(0x7f));
  const __m256i sign = _mm256_sub_epi8(_mm256_setzero_si256(), _mm256_and_si256(v, _mm256_set1_epi8(1)));
  return _mm256_xor_si256(half, sign);
}

__attribute__((target("avx512f,avx512bw"))) inline __m512i ZigZag8(__m512i v) {
  const __m512i half = _mm512_and_si512(_mm512_srli_epi16(v, 1), _mm512_set1_epi8(0x7f));
  const __m512i sign = _mm512_sub_epi8(_mm512_setzero_si512(), _mm512_and_si512(v, _mm512_set1_epi8(1)));
  return _mm512_xor_si512(half, sign);
}

}  // namespace

__attribute__((target("sse4.2"))) size_t VarintBulk32Sse42(const uint8_t* src, size_t length, size_t count, bool zigzag,
                                                           int32_t* out) noexcept {
  size_t n = 0;
  while (length - n >= 16 && count - n >= 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + n));
    if (_mm_movemask_epi8(v) != 0) break;
    if (zigzag) v = ZigZag8(v);
    __m128i* dst = reinterpret_cast<__m128i*>(out + n);
    _mm_storeu_si128(dst, _mm_cvtepi8_epi32(v));
    _mm_storeu_si128(dst + 1, _mm_cvtepi8_epi32(_mm_srli_si128(v, 4)));
    _mm_storeu_si128(dst + 2, _mm_cvtepi8_epi32(_mm_srli_si128(v, 8)));
    _mm_storeu_si128(dst + 3, _mm_cvtepi8_epi32(_mm_srli_si128(v, 12)));
    n += 16;
  }
  return n;
}

__attribute__((target("sse4.2"))) size_t VarintBulk64Sse42(const uint8_t* src, size_t length, size_t count, bool zigzag,
                                                           uint64_t* out) noexcept {
  size_t n = 0;
  while (length - n >= 16 && count - n >= 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + n));
    if (_mm_movemask_epi8(v) != 0) break;
    if (zigzag) v = ZigZag8(v);
    __m128i* dst = reinterpret_cast<__m128i*>(out + n);
    for (int k = 0; k < 8; k++) {
      _mm_storeu_si128(dst + k, _mm_cvtepi8_epi64(v));
      v = _mm_srli_si128(v, 2);
    }
    n += 16;
  }
  return n;
}

__attribute__((target("avx2"))) size_t VarintBulk32Avx2(const uint8_t* src, size_t length, size_t count, bool zigzag,
                                                        int32_t* out) noexcept {
  size_t n = 0;
  while (length - n >= 32 && count - n >= 32) {
    __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + n));
    if (_mm256_movemask_epi8(v) != 0) break;
    if (zigzag) v = ZigZag8(v);
    const __m128i lo = _mm256_castsi256_si128(v);
    const __m128i hi = _mm256_extracti128_si256(v, 1);
    __m256i* dst = reinterpret_cast<__m256i*>(out + n);
    _mm256_storeu_si256(dst, _mm256_cvtepi8_epi32(lo));
    _mm256_storeu_si256(dst + 1, _mm256_cvtepi8_epi32(_mm_srli_si128(lo, 8)));
    _mm256_storeu_si256(dst + 2, _mm256_cvtepi8_epi32(hi));
    _mm256_storeu_si256(dst + 3, _mm256_cvtepi8_epi32(_mm_srli_si128(hi, 8)));
    n += 32;
  }
  return n;
}

__attribute__((target("avx2"))) size_t VarintBulk64Avx2(const uint8_t* src, size_t length, size_t count, bool zigzag,
                                                        uint64_t* out) noexcept {
  size_t n = 0;
  while (length - n >= 32 && count - n >= 32) {
    __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + n));
    if (_mm256_movemask_epi8(v) != 0) break;
    if (zigzag) v = ZigZag8(v);
    __m128i half = _mm256_castsi256_si128(v);
    __m256i* dst = reinterpret_cast<__m256i*>(out + n);
    for (int k = 0; k < 8; k++) {
      if (k == 4) half = _mm256_extracti128_si256(v, 1);
      _mm256_storeu_si256(dst + k, _mm256_cvtepi8_epi64(half));
      half = _mm_srli_si128(half, 4);
    }
    n += 32;
  }
  return n;
}

__attribute__((target("avx512f,avx512bw"))) size_t VarintBulk32Avx512(const uint8_t* src, size_t length, size_t count,
                                                                      bool zigzag, int32_t* out) noexcept {
  size_t n = 0;
  while (length - n >= 64 && count - n >= 64) {
    __m512i v = _mm512_loadu_si512(src + n);
    if (_mm512_movepi8_mask(v) != 0) break;
    if (zigzag) v = ZigZag8(v);
    for (int k = 0; k < 4; k++) {
      const __m128i quarter = _mm512_extracti32x4_epi32(v, 0);
      _mm512_storeu_si512(out + n + 16 * k, _mm512_cvtepi8_epi32(quarter));
      v = _mm512_alignr_epi32(v, v, 4);  // rotate the next 16 bytes down
    }
    n += 64;
  }
  return n;
}

__attribute__((target("avx512f,avx512bw"))) size_t VarintBulk64Avx512(const uint8_t* src, size_t length, size_t count,
                                                                      bool zigzag, uint64_t* out) noexcept {
  size_t n = 0;
  while (length - n >= 64 && count - n >= 64) {
    __m512i v = _mm512_loadu_si512(src + n);
    if (_mm512_movepi8_mask(v) != 0) break;
    if (zigzag) v = ZigZag8(v);
    for (int k = 0; k < 8; k++) {
      const __m128i eighth = _mm512_castsi512_si128(v);
      _mm512_storeu_si512(out + n + 8 * k, _mm512_cvtepi8_epi64(eighth));
      v = _mm512_alignr_epi32(v, v, 2);  // rotate the next 8 bytes down
    }
    n += 64;
  }
  return n;
}

__attribute__((target("sse4.2,popcnt"))) size_t CountVarintEndsSse42(const uint8_t* src, size_t length) noexcept {
  size_t count = 0;
  for (size_t p = 0; p < length; p += 16) {
    const unsigned high = static_cast<unsigned>(_mm_movemask_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + p))));
    count += 16 - static_cast<size_t>(__builtin_popcount(high));
  }
  return count;
}

__attribute__((target("avx2,popcnt"))) size_t CountVarintEndsAvx2(const uint8_t* src, size_t length) noexcept {
  size_t count = 0;
  for (size_t p = 0; p < length; p += 32) {
    const unsigned high = static_cast<unsigned>(_mm256_movemask_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + p))));
    count += 32 - static_cast<size_t>(__builtin_popcount(high));
  }
  return count;
}

__attribute__((target("avx512f,avx512bw,popcnt"))) size_t CountVarintEndsAvx512(const uint8_t* src, size_t length) noexcept {
  size_t count = 0;
  size_t p = 0;
  for (; p + 64 <= length; p += 64) {
    count += static_cast<size_t>(__builtin_popcountll(~_mm512_movepi8_mask(_mm512_loadu_si512(src + p))));
  }
  if (p < length) {
    const __mmask64 tail = (uint64_t{1} << (length - p)) - 1;  // length - p < 64
    const __mmask64 high = _mm512_movepi8_mask(_mm512_maskz_loadu_epi8(tail, src + p));
    count += static_cast<size_t>(__builtin_popcountll(~high & tail));
  }
  return count;
}

}  // namespace heddle::simd
#endif  // HEDDLE_X86_SIMD
