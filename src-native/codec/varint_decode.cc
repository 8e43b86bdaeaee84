#include "codec/varint_decode.h"

#include <bit>
#include <cstring>

#include "simd/cpu_features.h"
#include "simd/varint_simd.h"

namespace heddle::codec {
namespace {

using simd::varint::kHighBits;

// Output conversions: the 32-bit decoders keep the low 32 bits, then ZigZag-decode those.
inline void Store(int32_t* out, uint64_t value, bool zigzag) noexcept {
  const uint32_t low = static_cast<uint32_t>(value);
  *out = static_cast<int32_t>(zigzag ? (low >> 1) ^ (0u - (low & 1)) : low);
}
inline void Store(uint64_t* out, uint64_t value, bool zigzag) noexcept {
  *out = zigzag ? (value >> 1) ^ (0ULL - (value & 1)) : value;
}

// Reads one varint at src[p] with bounds checks, the reference every fast path is tested against.
// Returns false with `error` set when it is truncated or too long.
inline bool ReadVarint(const uint8_t* src, size_t length, size_t* p, uint64_t* value, KernelStatus* error) noexcept {
  uint64_t v = 0;
  for (size_t i = 0; i < kMaxVarintBytes; i++) {
    if (*p + i >= length) {
      *error = KernelStatus::kTruncated;
      return false;
    }
    const uint8_t b = src[*p + i];
    v |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if (b < 0x80) {
      *p += i + 1;
      *value = v;
      return true;
    }
  }
  *error = KernelStatus::kTooLong;
  return false;
}

template <typename Out>
KernelResult DecodeScalar(const uint8_t* src, size_t length, size_t count, bool zigzag, Out* out) noexcept {
  size_t p = 0;
  for (size_t i = 0; i < count; i++) {
    uint64_t value;
    KernelStatus error;
    const size_t start = p;
    if (!ReadVarint(src, length, &p, &value, &error)) return {error, start};
    Store(out + i, value, zigzag);
  }
  return {KernelStatus::kOk, p};
}

// The 7-bit groups of the little-endian word `x` (continuation bits already cleared) packed
// together: up to 8 bytes, 56 bits, in three shift-and-mask steps.
inline uint64_t PackGroups(uint64_t x) noexcept {
  x = (x & 0x007f007f007f007fULL) | ((x & 0x7f007f007f007f00ULL) >> 1);
  x = (x & 0x00003fff00003fffULL) | ((x & 0x3fff00003fff0000ULL) >> 2);
  return (x & 0x000000000fffffffULL) | ((x & 0x0fffffff00000000ULL) >> 4);
}

// The high bits of the 8 bytes of `word`, gathered into one byte (bit k from byte k).
inline uint32_t HighBits(uint64_t word) noexcept {
  return static_cast<uint32_t>(((word & kHighBits) * 0x0002040810204081ULL) >> 56);
}

// The fast decoder. Where 24 bytes can be read, one mask of the next 16 bytes' high bits gives
// where every varint in them ends, so their starts are known without waiting on loads, and each
// value of up to 8 bytes is packed from one 8-byte load by PackGroups, with no per-byte branches.
// Windows of 16 one-byte varints go to the SIMD `bulk` function. Varints of 9-10 bytes, errors
// and the last bytes of the input take the reference path.
template <typename Out, typename Bulk>
KernelResult DecodeFast(const uint8_t* src, size_t length, size_t count, bool zigzag, Out* out, Bulk bulk) noexcept {
  size_t p = 0;
  size_t i = 0;
  while (i < count) {
    if (length - p >= 24) {
      uint64_t first, second;
      std::memcpy(&first, src + p, 8);
      std::memcpy(&second, src + p + 8, 8);
      uint32_t ends = ~(HighBits(first) | (HighBits(second) << 8)) & 0xffff;
      if (ends == 0xffff && count - i >= 16) {
        const size_t n = bulk(src + p, length - p, count - i, zigzag, out + i);
        p += n;
        i += n;
        if (n != 0) continue;
      }
      size_t start = 0;
      while (ends != 0 && i < count) {
        const size_t stop = static_cast<size_t>(__builtin_ctz(ends));
        if (stop - start >= 8) break;  // 9 bytes or more: the reference path reads it
        uint64_t word;
        std::memcpy(&word, src + p + start, 8);
        const uint64_t bytes = ~uint64_t{0} >> (56 - 8 * (stop - start));
        Store(out + i, PackGroups(word & bytes & ~kHighBits), zigzag);
        i++;
        start = stop + 1;
        ends &= ends - 1;
      }
      p += start;
      if (start != 0) continue;
    }
    uint64_t value;
    KernelStatus error;
    const size_t start = p;
    if (!ReadVarint(src, length, &p, &value, &error)) return {error, start};
    Store(out + i, value, zigzag);
    i++;
  }
  return {KernelStatus::kOk, p};
}

// The AVX-512 variant: the VBMI decoder where the CPU has it, then DecodeFast for the last
// bytes and for whatever stopped it (an error, which DecodeFast then reports).
template <typename Out, typename Bulk>
KernelResult DecodeAvx512(const uint8_t* src, size_t length, size_t count, bool zigzag, Out* out, Bulk bulk) noexcept {
#if defined(HEDDLE_X86_SIMD)
  if (simd::EnabledCpuFeatures().avx512vbmi2) {
    const simd::VarintProgress done = simd::DecodeVarintsVbmi(src, length, count, zigzag, out);
    const KernelResult rest = DecodeFast(src + done.bytes, length - done.bytes, count - done.values, zigzag, out + done.values, bulk);
    return {rest.status, done.bytes + rest.position};
  }
#endif
  return DecodeFast(src, length, count, zigzag, out, bulk);
}

template <typename Out, typename Bulk>
KernelResult Decode(const uint8_t* src, size_t length, size_t count, bool zigzag, Out* out,
                    simd::KernelVariant variant, Bulk sse42, Bulk avx2, Bulk avx512, Bulk neon) noexcept {
  switch (simd::Resolve(variant)) {
    case simd::KernelVariant::kSse42: return DecodeFast(src, length, count, zigzag, out, sse42);
    case simd::KernelVariant::kAvx2: return DecodeFast(src, length, count, zigzag, out, avx2);
    case simd::KernelVariant::kAvx512: return DecodeAvx512(src, length, count, zigzag, out, avx512);
    case simd::KernelVariant::kNeon: return DecodeFast(src, length, count, zigzag, out, neon);
    default: return DecodeScalar(src, length, count, zigzag, out);
  }
}

#if defined(HEDDLE_X86_SIMD)
constexpr simd::VarintBulk32 kBulk32[] = {simd::VarintBulk32Sse42, simd::VarintBulk32Avx2, simd::VarintBulk32Avx512, nullptr};
constexpr simd::VarintBulk64 kBulk64[] = {simd::VarintBulk64Sse42, simd::VarintBulk64Avx2, simd::VarintBulk64Avx512, nullptr};
#elif defined(HEDDLE_NEON_SIMD)
constexpr simd::VarintBulk32 kBulk32[] = {nullptr, nullptr, nullptr, simd::VarintBulk32Neon};
constexpr simd::VarintBulk64 kBulk64[] = {nullptr, nullptr, nullptr, simd::VarintBulk64Neon};
#else
constexpr simd::VarintBulk32 kBulk32[] = {nullptr, nullptr, nullptr, nullptr};
constexpr simd::VarintBulk64 kBulk64[] = {nullptr, nullptr, nullptr, nullptr};
#endif

}  // namespace

KernelResult DecodeVarint32s(const uint8_t* src, size_t length, size_t count, bool zigzag, int32_t* out,
                             simd::KernelVariant variant) noexcept {
  return Decode(src, length, count, zigzag, out, variant, kBulk32[0], kBulk32[1], kBulk32[2], kBulk32[3]);
}

KernelResult DecodeVarint64s(const uint8_t* src, size_t length, size_t count, bool zigzag, uint64_t* out,
                             simd::KernelVariant variant) noexcept {
  return Decode(src, length, count, zigzag, out, variant, kBulk64[0], kBulk64[1], kBulk64[2], kBulk64[3]);
}

size_t CountVarintEnds(const uint8_t* src, size_t length, simd::KernelVariant variant) noexcept {
  size_t done = 0;
  size_t count = 0;
  switch (simd::Resolve(variant)) {
#if defined(HEDDLE_X86_SIMD)
    case simd::KernelVariant::kSse42: done = length & ~size_t{15}; count = simd::CountVarintEndsSse42(src, done); break;
    case simd::KernelVariant::kAvx2: done = length & ~size_t{31}; count = simd::CountVarintEndsAvx2(src, done); break;
    case simd::KernelVariant::kAvx512: done = length; count = simd::CountVarintEndsAvx512(src, done); break;
#endif
#if defined(HEDDLE_NEON_SIMD)
    case simd::KernelVariant::kNeon: done = length & ~size_t{15}; count = simd::CountVarintEndsNeon(src, done); break;
#endif
    default: break;
  }
  for (size_t p = done; p < length; p++) count += src[p] < 0x80;
  return count;
}

namespace {

// The byte loop SkipVarints is tested against, and its tail: `start` is where the varint at `p`
// began (p > start when the fast loop stopped inside one).
KernelResult SkipVarintsByBytes(const uint8_t* src, size_t length, size_t p, size_t start, size_t left,
                                size_t max_bytes) noexcept {
  while (left > 0) {
    if (p >= length) return {KernelStatus::kTruncated, start};
    if (src[p++] < 0x80) {
      left--;
      start = p;
    } else if (p - start >= max_bytes) {
      return {KernelStatus::kTooLong, start};
    }
  }
  return {KernelStatus::kOk, p};
}

// Whether the continuation bits `more` (one per byte, kHighBits) hold `run` set in a row.
inline bool HasRun(uint64_t more, size_t run) noexcept {
  uint64_t x = more;
  for (size_t i = 1; i < run; i++) x &= more >> (8 * i);
  return x != 0;
}

}  // namespace

KernelResult SkipVarints(const uint8_t* src, size_t length, size_t count, size_t max_bytes) noexcept {
  size_t p = 0;
  size_t start = 0;
  size_t left = count;
  if constexpr (std::endian::native == std::endian::little) {
    // Eight bytes a step: the bytes below 0x80 end a varint, so the set bits of ~word & kHighBits
    // count the varints ending in the word. More than eight left means the list goes past it.
    // Where a varint might be too long (its first end too far from its start, a word of
    // continuation bytes reaching max_bytes, or with max_bytes under 8 a long run inside the
    // word), the byte loop takes over from the varint's start and reports it exactly.
    while (left > 8 && p + 8 <= length) {
      uint64_t word;
      std::memcpy(&word, src + p, 8);
      const uint64_t ends = ~word & kHighBits;
      if (ends == 0) {
        if (p + 8 - start >= max_bytes) break;
        p += 8;
        continue;
      }
      if (p + (static_cast<size_t>(std::countr_zero(ends)) >> 3) - start >= max_bytes) break;
      if (max_bytes < 8 && HasRun(word & kHighBits, max_bytes)) break;
      // The count of set high bits, by multiply (std::popcount is a libgcc call on baseline x86-64).
      left -= static_cast<size_t>(((ends >> 7) * 0x0101010101010101ULL) >> 56);
      start = p + (static_cast<size_t>(63 - std::countl_zero(ends)) >> 3) + 1;
      p += 8;
    }
  }
  return SkipVarintsByBytes(src, length, p, start, left, max_bytes);
}

}  // namespace heddle::codec
