// x86 pieces of the varint run encoders: one-byte runs for codec::EncodeVarint32s (ZigZag in
// 32-bit lanes, one test that every value is below 128, then saturating packs 32 -> 16 -> 8 bits,
// exact as all are < 128), and the BMI2 (pdep, lzcnt) instantiation of the 64-bit loop.
#include "simd/varint_simd.h"

#if defined(HEDDLE_X86_SIMD)
#include <cstring>

#include "simd/x86_intrinsics.h"

namespace heddle::simd {
namespace {

__attribute__((target("sse4.2"))) inline __m128i Wire(__m128i v, bool zigzag) {
  return zigzag ? _mm_xor_si128(_mm_slli_epi32(v, 1), _mm_srai_epi32(v, 31)) : v;
}

__attribute__((target("avx2"))) inline __m256i Wire(__m256i v, bool zigzag) {
  return zigzag ? _mm256_xor_si256(_mm256_slli_epi32(v, 1), _mm256_srai_epi32(v, 31)) : v;
}

struct Bmi2Bits {
  __attribute__((target("bmi2"))) static inline uint64_t Spread(uint64_t v, uint64_t mask) noexcept { return _pdep_u64(v, mask); }
};

}  // namespace

__attribute__((target("sse4.2"))) size_t EncodeOneByteVarintsSse42(const int32_t* values, size_t count, bool zigzag,
                                                                   uint8_t* dst, size_t capacity) noexcept {
  const __m128i above_7_bits = _mm_set1_epi32(~0x7f);
  size_t n = 0;
  while (count - n >= 16 && capacity - n >= 16) {
    const __m128i* in = reinterpret_cast<const __m128i*>(values + n);
    const __m128i a = Wire(_mm_loadu_si128(in), zigzag);
    const __m128i b = Wire(_mm_loadu_si128(in + 1), zigzag);
    const __m128i c = Wire(_mm_loadu_si128(in + 2), zigzag);
    const __m128i d = Wire(_mm_loadu_si128(in + 3), zigzag);
    const __m128i any = _mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d));
    if (!_mm_testz_si128(any, above_7_bits)) break;
    const __m128i bytes = _mm_packus_epi16(_mm_packs_epi32(a, b), _mm_packs_epi32(c, d));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + n), bytes);
    n += 16;
  }
  return n;
}

__attribute__((target("avx2"))) size_t EncodeOneByteVarintsAvx2(const int32_t* values, size_t count, bool zigzag,
                                                                uint8_t* dst, size_t capacity) noexcept {
  const __m256i above_7_bits = _mm256_set1_epi32(~0x7f);
  // The packs work within 128-bit lanes; this puts the 4-byte groups back in element order.
  const __m256i lane_order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  size_t n = 0;
  while (count - n >= 32 && capacity - n >= 32) {
    const __m256i* in = reinterpret_cast<const __m256i*>(values + n);
    const __m256i a = Wire(_mm256_loadu_si256(in), zigzag);
    const __m256i b = Wire(_mm256_loadu_si256(in + 1), zigzag);
    const __m256i c = Wire(_mm256_loadu_si256(in + 2), zigzag);
    const __m256i d = Wire(_mm256_loadu_si256(in + 3), zigzag);
    const __m256i any = _mm256_or_si256(_mm256_or_si256(a, b), _mm256_or_si256(c, d));
    if (!_mm256_testz_si256(any, above_7_bits)) break;
    const __m256i bytes = _mm256_packus_epi16(_mm256_packs_epi32(a, b), _mm256_packs_epi32(c, d));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + n), _mm256_permutevar8x32_epi32(bytes, lane_order));
    n += 32;
  }
  return n;
}

__attribute__((target("bmi,bmi2,lzcnt"))) VarintProgress EncodeVarint64sBmi2(const uint64_t* values, size_t count, bool zigzag,
                                                                        uint8_t* dst, size_t capacity) noexcept {
  return zigzag ? varint::EncodePrefix<Bmi2Bits, true>(values, count, dst, capacity)
                : varint::EncodePrefix<Bmi2Bits, false>(values, count, dst, capacity);
}

__attribute__((target("bmi,bmi2,lzcnt"))) size_t Varint64sSizeBmi2(const uint64_t* values, size_t count, bool zigzag) noexcept {
  return zigzag ? varint::SizeOf<true>(values, count) : varint::SizeOf<false>(values, count);
}

__attribute__((target("avx512f,avx512bw,avx512cd,avx512vbmi" HEDDLE_EVEX512))) size_t Varint64sSizeAvx512(const uint64_t* values, size_t count,
                                                                                          bool zigzag) noexcept {
  __m512i lengths;
  std::memcpy(&lengths, varint::kLengthByLeadingZeros, 64);
  const __m512i one = _mm512_set1_epi64(1);
  const __m512i low_byte = _mm512_set1_epi64(0xff);
  __m512i sum = _mm512_setzero_si512();
  size_t i = 0;
  for (; count - i >= 8; i += 8) {
    __m512i v = _mm512_loadu_si512(values + i);
    if (zigzag) v = _mm512_xor_si512(_mm512_slli_epi64(v, 1), _mm512_srai_epi64(v, 63));
    const __m512i zeros = _mm512_lzcnt_epi64(_mm512_or_si512(v, one));  // 0..63, in the low byte of each lane
    sum = _mm512_add_epi64(sum, _mm512_and_si512(_mm512_permutexvar_epi8(zeros, lengths), low_byte));
  }
  const size_t rest = zigzag ? varint::SizeOf<true>(values + i, count - i) : varint::SizeOf<false>(values + i, count - i);
  return static_cast<size_t>(_mm512_reduce_add_epi64(sum)) + rest;
}

}  // namespace heddle::simd
#endif  // HEDDLE_X86_SIMD
