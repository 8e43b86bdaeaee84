// x86 pieces of the varint run decoders: one movemask tells whether a whole vector of bytes are
// one-byte varints; if so they are (ZigZag-decoded as bytes and) sign-extended to 32 or 64 bits.
// A one-byte varint is < 0x80, so sign and zero extension agree, and ZigZag of a 7-bit value
// fits a signed byte. With AVX-512 VBMI/VBMI2, DecodeVarintsVbmi decodes any lengths 8 at a time.
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

__attribute__((target("avx512f,avx512bw" HEDDLE_EVEX512))) inline __m512i ZigZag8(__m512i v) {
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

__attribute__((target("avx512f,avx512bw" HEDDLE_EVEX512))) size_t VarintBulk32Avx512(const uint8_t* src, size_t length, size_t count,
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

__attribute__((target("avx512f,avx512bw" HEDDLE_EVEX512))) size_t VarintBulk64Avx512(const uint8_t* src, size_t length, size_t count,
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

namespace {

// The one-byte widening path of the output's width, for DecodeVbmi.
inline size_t VarintBulk64Avx512Or32(const uint8_t* src, size_t length, size_t count, bool zigzag, uint64_t* out) noexcept {
  return VarintBulk64Avx512(src, length, count, zigzag, out);
}
inline size_t VarintBulk64Avx512Or32(const uint8_t* src, size_t length, size_t count, bool zigzag, int32_t* out) noexcept {
  return VarintBulk32Avx512(src, length, count, zigzag, out);
}

#define HEDDLE_VBMI_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi,avx512vbmi2,popcnt" HEDDLE_EVEX512)))

// Bytes a batch indexes (end offsets are kept as bytes), and the bytes past a batch that its last
// group of 8 varints may load (two 64-byte vectors from a start inside the batch).
constexpr size_t kVbmiBatch = 256;
constexpr size_t kVbmiReach = 128;

// Decodes varints while a whole batch and its reach are readable, in two passes per batch:
//  1. vpcompressb of the byte offsets 0..255 by the mask of bytes < 0x80 lists where every
//     varint in the batch ends (ends[1...], after ends[0] = 0xff, so starts are ends + 1);
//  2. for each group of 8 varints (at most 80 bytes if none is over 10), vpermi2b gathers the
//     first 8 bytes of each into its own 64-bit lane, and bytes 8-9 into another vector; bytes
//     past each varint's end are zeroed, the 7-bit groups joined by maddubs/madd and a shift.
// A batch where no varint ends, or where one is over 10 bytes, stops the loop before it, and a
// batch that starts with 64 one-byte varints goes to the widening path. Returns the prefix done;
// the caller decodes the rest, and reports any error, with its reference code.
template <bool kZigzag, typename Out>
HEDDLE_VBMI_TARGET inline VarintProgress DecodeVbmi(const uint8_t* src, size_t length, size_t count, Out* out) noexcept {
  alignas(64) uint8_t ends[1 + kVbmiBatch + 64];
  ends[0] = 0xff;
  const __m512i offsets = _mm512_set_epi8(63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42,
                                          41, 40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20,
                                          19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
  // Byte j of 64-bit lane k takes byte k of the source: one byte broadcast per lane.
  const __m512i per_lane = _mm512_set_epi64(0x0707070707070707, 0x0606060606060606, 0x0505050505050505, 0x0404040404040404,
                                            0x0303030303030303, 0x0202020202020202, 0x0101010101010101, 0);
  const __m512i byte_index = _mm512_set1_epi64(0x0706050403020100);
  const __m512i low7 = _mm512_set1_epi8(0x7f);
  const __m512i join7 = _mm512_set1_epi16(static_cast<int16_t>(0x8001));  // bytes (1, 128): b0 | b1 << 7
  const __m512i join14 = _mm512_set1_epi32(0x40000001);                   // words (1, 16384): w0 | w1 << 14
  const __m512i low28 = _mm512_set1_epi64(0x0fffffff);
  size_t p = 0;
  size_t i = 0;
  while (i < count && length - p >= kVbmiBatch + kVbmiReach) {
    const uint8_t* batch = src + p;
    __mmask64 first = ~_mm512_movepi8_mask(_mm512_loadu_si512(batch));
    if (first == ~__mmask64{0} && count - i >= 64) {
      const size_t n = VarintBulk64Avx512Or32(batch, length - p, count - i, kZigzag, out + i);
      p += n;
      i += n;
      continue;
    }
    size_t n = 0;
    for (size_t c = 0; c < kVbmiBatch; c += 64) {
      const __mmask64 m = c == 0 ? first : ~_mm512_movepi8_mask(_mm512_loadu_si512(batch + c));
      const __m512i at = _mm512_add_epi8(offsets, _mm512_set1_epi8(static_cast<char>(c)));
      _mm512_storeu_si512(ends + 1 + n, _mm512_maskz_compress_epi8(m, at));
      n += static_cast<size_t>(__builtin_popcountll(m));
    }
    if (n > count - i) n = count - i;
    if (n == 0) break;
    __mmask8 too_long = 0;
    for (size_t k = 0; k < n; k += 8) {
      const __mmask8 lanes = n - k >= 8 ? 0xff : static_cast<__mmask8>((1u << (n - k)) - 1);
      const __m128i before = _mm_loadu_si128(reinterpret_cast<const __m128i*>(ends + k));  // the end before, then 8 ends
      const uint8_t first_start = static_cast<uint8_t>(ends[k] + 1);
      const __m128i base = _mm_set1_epi8(static_cast<char>(first_start));
      const __m128i start = _mm_sub_epi8(_mm_add_epi8(before, _mm_set1_epi8(1)), base);  // relative to first_start
      const __m128i end = _mm_sub_epi8(_mm_srli_si128(before, 1), base);
      too_long |= _mm_mask_cmpgt_epu8_mask(lanes, _mm_sub_epi8(end, start), _mm_set1_epi8(9));
      const __m512i index = _mm512_add_epi8(_mm512_permutexvar_epi8(per_lane, _mm512_castsi128_si512(start)), byte_index);
      const __m512i last = _mm512_permutexvar_epi8(per_lane, _mm512_castsi128_si512(end));
      const __m512i index_high = _mm512_add_epi8(index, _mm512_set1_epi8(8));
      const __m512i lo = _mm512_loadu_si512(batch + first_start);
      const __m512i hi = _mm512_loadu_si512(batch + first_start + 64);
      const __m512i bytes = _mm512_maskz_permutex2var_epi8(_mm512_cmple_epu8_mask(index, last), lo, index, hi);
      // Bytes 8 and 9 (the 2 low bytes of each lane) of varints that long.
      const __mmask64 high_in = _mm512_cmple_epu8_mask(index_high, last) & 0x0303030303030303ULL;
      const __m512i high = _mm512_maskz_permutex2var_epi8(high_in, lo, index_high, hi);
      __m512i v = _mm512_madd_epi16(_mm512_maddubs_epi16(join7, _mm512_and_si512(bytes, low7)), join14);
      v = _mm512_ternarylogic_epi64(low28, v, _mm512_srli_epi64(v, 4), 0xca);  // low 28 bits of v, the rest from v >> 4
      v = _mm512_or_si512(v, _mm512_slli_epi64(_mm512_maddubs_epi16(join7, _mm512_and_si512(high, low7)), 56));
      if constexpr (sizeof(Out) == 8) {
        if (kZigzag) v = _mm512_xor_si512(_mm512_srli_epi64(v, 1), _mm512_srai_epi64(_mm512_slli_epi64(v, 63), 63));
        _mm512_mask_storeu_epi64(out + i + k, lanes, v);
      } else {
        // The 32-bit decoders keep the low 32 bits, then ZigZag-decode those.
        __m256i w = _mm512_cvtepi64_epi32(v);
        if (kZigzag) w = _mm256_xor_si256(_mm256_srli_epi32(w, 1), _mm256_srai_epi32(_mm256_slli_epi32(w, 31), 31));
        _mm256_mask_storeu_epi32(out + i + k, lanes, w);
      }
    }
    if (too_long != 0) break;
    p += static_cast<size_t>(ends[n]) + 1;
    i += n;
  }
  return {p, i};
}

}  // namespace

HEDDLE_VBMI_TARGET VarintProgress DecodeVarintsVbmi(const uint8_t* src, size_t length, size_t count, bool zigzag, uint64_t* out) noexcept {
  return zigzag ? DecodeVbmi<true>(src, length, count, out) : DecodeVbmi<false>(src, length, count, out);
}

HEDDLE_VBMI_TARGET VarintProgress DecodeVarintsVbmi(const uint8_t* src, size_t length, size_t count, bool zigzag, int32_t* out) noexcept {
  return zigzag ? DecodeVbmi<true>(src, length, count, out) : DecodeVbmi<false>(src, length, count, out);
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

__attribute__((target("avx512f,avx512bw,popcnt" HEDDLE_EVEX512))) size_t CountVarintEndsAvx512(const uint8_t* src, size_t length) noexcept {
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
