// x86 variants of the SIMD UTF-8 check (see utf8_simd.h): 16-byte blocks with SSE4.2 (SSSE3's
// pshufb and palignr), 32-byte blocks with AVX2.
#include "simd/utf8_simd.h"

#if defined(HEDDLE_X86_SIMD)
#include <cstring>

#include "simd/x86_intrinsics.h"

namespace heddle::simd {
namespace {

// Per byte: non-zero where the block's last 3 bytes start a sequence longer than what is left
// of the block (a lead >= F0 at -3, >= E0 at -2, >= C0 at -1), so the next block must continue it.
alignas(32) constexpr uint8_t kIncompleteAbove[32] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xef, 0xdf, 0xbf};

__attribute__((target("sse4.2"))) inline __m128i Lookup(const uint8_t* table, __m128i nibbles) {
  return _mm_shuffle_epi8(_mm_load_si128(reinterpret_cast<const __m128i*>(table)), nibbles);
}

// Error bits of every byte of `input` paired with the byte before it (the last of `prev` for the first).
__attribute__((target("sse4.2"))) inline __m128i BlockErrors(__m128i input, __m128i prev) {
  const __m128i low_nibble = _mm_set1_epi8(0x0f);
  const __m128i prev1 = _mm_alignr_epi8(input, prev, 15);
  const __m128i special = _mm_and_si128(
      _mm_and_si128(Lookup(kUtf8Tables.byte1_high, _mm_and_si128(_mm_srli_epi16(prev1, 4), low_nibble)),
                    Lookup(kUtf8Tables.byte1_low, _mm_and_si128(prev1, low_nibble))),
      Lookup(kUtf8Tables.byte2_high, _mm_and_si128(_mm_srli_epi16(input, 4), low_nibble)));
  const __m128i third = _mm_subs_epu8(_mm_alignr_epi8(input, prev, 14), _mm_set1_epi8(static_cast<char>(0xe0 - 0x80)));
  const __m128i fourth = _mm_subs_epu8(_mm_alignr_epi8(input, prev, 13), _mm_set1_epi8(static_cast<char>(0xf0 - 0x80)));
  const __m128i must_continue = _mm_and_si128(_mm_or_si128(third, fourth), _mm_set1_epi8(static_cast<char>(0x80)));
  return _mm_xor_si128(must_continue, special);
}

__attribute__((target("avx2"))) inline __m256i Lookup(const uint8_t* table, __m256i nibbles) {
  return _mm256_shuffle_epi8(_mm256_broadcastsi128_si256(_mm_load_si128(reinterpret_cast<const __m128i*>(table))), nibbles);
}

// The bytes of input shifted right by n across the two lanes, with prev's last n bytes shifted in.
template <int kBack>
__attribute__((target("avx2"))) inline __m256i Previous(__m256i input, __m256i prev) {
  return _mm256_alignr_epi8(input, _mm256_permute2x128_si256(prev, input, 0x21), 16 - kBack);
}

__attribute__((target("avx2"))) inline __m256i BlockErrors(__m256i input, __m256i prev) {
  const __m256i low_nibble = _mm256_set1_epi8(0x0f);
  const __m256i prev1 = Previous<1>(input, prev);
  const __m256i special = _mm256_and_si256(
      _mm256_and_si256(Lookup(kUtf8Tables.byte1_high, _mm256_and_si256(_mm256_srli_epi16(prev1, 4), low_nibble)),
                       Lookup(kUtf8Tables.byte1_low, _mm256_and_si256(prev1, low_nibble))),
      Lookup(kUtf8Tables.byte2_high, _mm256_and_si256(_mm256_srli_epi16(input, 4), low_nibble)));
  const __m256i third = _mm256_subs_epu8(Previous<2>(input, prev), _mm256_set1_epi8(static_cast<char>(0xe0 - 0x80)));
  const __m256i fourth = _mm256_subs_epu8(Previous<3>(input, prev), _mm256_set1_epi8(static_cast<char>(0xf0 - 0x80)));
  const __m256i must_continue = _mm256_and_si256(_mm256_or_si256(third, fourth), _mm256_set1_epi8(static_cast<char>(0x80)));
  return _mm256_xor_si256(must_continue, special);
}

}  // namespace

__attribute__((target("sse4.2"))) size_t Utf8FirstBadBlockSse42(const uint8_t* src, size_t length) noexcept {
  const __m128i incomplete_above = _mm_loadu_si128(reinterpret_cast<const __m128i*>(kIncompleteAbove + 16));
  __m128i prev = _mm_setzero_si128();
  __m128i prev_incomplete = _mm_setzero_si128();
  size_t p = 0;
  // The last block is the zero-padded tail (possibly empty): the zeros after the data make a
  // sequence cut off by the end show up as a lead byte without its continuation.
  for (bool last = false; !last; p += 16) {
    __m128i input;
    if (length - p >= 16) {
      input = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + p));
    } else {
      alignas(16) uint8_t tail[16] = {};
      std::memcpy(tail, src + p, length - p);
      input = _mm_load_si128(reinterpret_cast<const __m128i*>(tail));
      last = true;
    }
    // An ASCII block is valid unless the previous block left a sequence unfinished.
    const __m128i errors = _mm_movemask_epi8(input) == 0 ? prev_incomplete : BlockErrors(input, prev);
    if (!_mm_testz_si128(errors, errors)) return p;
    prev_incomplete = _mm_subs_epu8(input, incomplete_above);
    prev = input;
  }
  return kUtf8Valid;
}

__attribute__((target("avx2"))) size_t Utf8FirstBadBlockAvx2(const uint8_t* src, size_t length) noexcept {
  const __m256i incomplete_above = _mm256_load_si256(reinterpret_cast<const __m256i*>(kIncompleteAbove));
  __m256i prev = _mm256_setzero_si256();
  __m256i prev_incomplete = _mm256_setzero_si256();
  size_t p = 0;
  for (bool last = false; !last; p += 32) {
    __m256i input;
    if (length - p >= 32) {
      input = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + p));
    } else {
      alignas(32) uint8_t tail[32] = {};
      std::memcpy(tail, src + p, length - p);
      input = _mm256_load_si256(reinterpret_cast<const __m256i*>(tail));
      last = true;
    }
    const __m256i errors = _mm256_movemask_epi8(input) == 0 ? prev_incomplete : BlockErrors(input, prev);
    if (!_mm256_testz_si256(errors, errors)) return p;
    prev_incomplete = _mm256_subs_epu8(input, incomplete_above);
    prev = input;
  }
  return kUtf8Valid;
}

}  // namespace heddle::simd
#endif  // HEDDLE_X86_SIMD
