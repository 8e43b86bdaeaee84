#include "codec/utf8_validate.h"

#include <cstring>

#include "simd/utf8_simd.h"

namespace heddle::codec {
namespace {

constexpr uint64_t kHighBits = 0x8080808080808080ULL;

inline bool IsContinuation(uint8_t b) noexcept { return (b & 0xc0) == 0x80; }

// Length (2..4) of the valid sequence whose lead byte is src[i] (>= 0x80), or 0 if it is invalid.
// The second byte's range depends on the lead: that is where overlongs, surrogates and code
// points above U+10FFFF are excluded.
inline size_t SequenceLength(const uint8_t* src, size_t i, size_t length) noexcept {
  const uint8_t lead = src[i];
  if (lead < 0xc2 || lead > 0xf4) return 0;
  const size_t n = lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
  if (length - i < n) return 0;
  const uint8_t second = src[i + 1];
  const uint8_t low = lead == 0xe0 ? 0xa0 : lead == 0xf0 ? 0x90 : 0x80;
  const uint8_t high = lead == 0xed ? 0x9f : lead == 0xf4 ? 0x8f : 0xbf;
  if (second < low || second > high) return 0;
  if (n > 2 && !IsContinuation(src[i + 2])) return 0;
  if (n > 3 && !IsContinuation(src[i + 3])) return 0;
  return n;
}

// The reference validator, from offset `from` (a sequence boundary): ASCII 8 bytes at a time,
// everything else one sequence at a time.
KernelResult ValidateScalar(const uint8_t* src, size_t length, size_t from) noexcept {
  size_t i = from;
  while (i < length) {
    if (length - i >= 8) {
      uint64_t word;
      std::memcpy(&word, src + i, 8);
      if ((word & kHighBits) == 0) {
        i += 8;
        continue;
      }
    }
    if (src[i] < 0x80) {
      i++;
      continue;
    }
    const size_t n = SequenceLength(src, i, length);
    if (n == 0) return {KernelStatus::kInvalid, i};
    i += n;
  }
  return {KernelStatus::kOk, length};
}

// Where the scalar validator restarts after a SIMD variant flagged the block at `block`: the
// bytes before it form whole valid sequences, except that one may straddle the block start, so
// back up to the lead byte of the sequence holding src[block - 1].
size_t SequenceStartBefore(const uint8_t* src, size_t block) noexcept {
  size_t r = block;
  while (r > 0 && block - r < 3 && IsContinuation(src[r - 1])) r--;
  if (r > 0 && src[r - 1] >= 0xc0) r--;
  return r;
}

}  // namespace

KernelResult ValidateUtf8(const uint8_t* src, size_t length, simd::KernelVariant variant) noexcept {
  size_t flagged;
  switch (simd::Resolve(variant)) {
#if defined(HEDDLE_X86_SIMD)
    case simd::KernelVariant::kSse42: flagged = simd::Utf8FirstBadBlockSse42(src, length); break;
    case simd::KernelVariant::kAvx2:
    case simd::KernelVariant::kAvx512: flagged = simd::Utf8FirstBadBlockAvx2(src, length); break;
#endif
#if defined(HEDDLE_NEON_SIMD)
    case simd::KernelVariant::kNeon: flagged = simd::Utf8FirstBadBlockNeon(src, length); break;
#endif
    default: return ValidateScalar(src, length, 0);
  }
  if (flagged == simd::kUtf8Valid) return {KernelStatus::kOk, length};
  return ValidateScalar(src, length, SequenceStartBefore(src, flagged));
}

}  // namespace heddle::codec
