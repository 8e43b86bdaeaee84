#include "codec/varint_encode.h"

#include <cstring>

#include "simd/varint_simd.h"

namespace heddle::codec {
namespace {

constexpr uint64_t kHighBits = 0x8080808080808080ULL;

// The wire value of an element: ZigZag-encoded, or an int32 sign-extended to 64 bits.
inline uint64_t WireValue(int32_t v, bool zigzag) noexcept {
  if (zigzag) return (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31);
  return static_cast<uint64_t>(static_cast<int64_t>(v));
}
inline uint64_t WireValue(uint64_t v, bool zigzag) noexcept {
  return zigzag ? (v << 1) ^ (0ULL - (v >> 63)) : v;
}

inline size_t VarintSize(uint64_t v) noexcept {
  const unsigned bits = 64 - static_cast<unsigned>(__builtin_clzll(v | 1));
  return (bits + 6) / 7;
}

// The reference writer, one byte at a time.
inline size_t WriteVarint(uint64_t v, uint8_t* dst) noexcept {
  size_t n = 0;
  while (v >= 0x80) {
    dst[n++] = static_cast<uint8_t>(v) | 0x80;
    v >>= 7;
  }
  dst[n++] = static_cast<uint8_t>(v);
  return n;
}

// The 7-bit groups of `v` (< 2^56) spread one per byte: the inverse of the decoder's PackGroups.
inline uint64_t SpreadGroups(uint64_t v) noexcept {
  uint64_t x = (v & 0x000000000fffffffULL) | ((v & 0x00fffffff0000000ULL) << 4);
  x = (x & 0x00003fff00003fffULL) | ((x & 0x0fffc0000fffc000ULL) << 2);
  return (x & 0x007f007f007f007fULL) | ((x & 0x3f803f803f803f80ULL) << 1);
}

// Writes a varint of up to 8 bytes as one 8-byte store (dst needs 8 bytes of room), with no
// per-byte branches; longer ones go through WriteVarint.
inline size_t WriteVarintWide(uint64_t v, uint8_t* dst) noexcept {
  if (v >> 56 != 0) return WriteVarint(v, dst);
  const size_t n = VarintSize(v);
  const uint64_t continuation = kHighBits & ((uint64_t{1} << (8 * (n - 1))) - 1);
  const uint64_t word = SpreadGroups(v) | continuation;
  std::memcpy(dst, &word, 8);
  return n;
}

template <typename In>
KernelResult EncodeScalar(const In* values, size_t count, bool zigzag, uint8_t* dst, size_t capacity) noexcept {
  uint8_t buffer[16];
  size_t p = 0;
  for (size_t i = 0; i < count; i++) {
    const uint64_t v = WireValue(values[i], zigzag);
    if (capacity - p >= 10) {
      p += WriteVarint(v, dst + p);
      continue;
    }
    const size_t n = WriteVarint(v, buffer);
    if (capacity - p < n) return {KernelStatus::kNoRoom, p};
    std::memcpy(dst + p, buffer, n);
    p += n;
  }
  return {KernelStatus::kOk, p};
}

// Like EncodeScalar, with branch-free 8-byte stores while 16 bytes of room are left, and runs of
// one-byte varints written by the SIMD `bulk` function (which converts whole blocks or nothing;
// after it declines, it is not asked again for a block's worth of elements). An 8-byte store
// writes up to 7 bytes past its varint; the next varints overwrite them, and the last 7 elements
// are written exactly, so nothing past the output changes.
template <typename In, typename Bulk>
KernelResult EncodeFast(const In* values, size_t count, bool zigzag, uint8_t* dst, size_t capacity, Bulk bulk) noexcept {
  size_t p = 0;
  size_t i = 0;
  size_t next_bulk = 0;
  while (count - i > 7 && capacity - p >= 16) {
    if (i >= next_bulk) {
      const size_t n = bulk(values + i, count - i, zigzag, dst + p, capacity - p);
      if (n == 0) next_bulk = i + 16;
      i += n;
      p += n;
      if (n != 0) continue;
    }
    p += WriteVarintWide(WireValue(values[i], zigzag), dst + p);
    i++;
  }
  const KernelResult rest = EncodeScalar(values + i, count - i, zigzag, dst + p, capacity - p);
  return {rest.status, p + rest.position};
}

// 64-bit elements have no SIMD bulk path: one-byte int64 runs are rare enough on the wire.
size_t NoBulk(const uint64_t*, size_t, bool, uint8_t*, size_t) noexcept { return 0; }

}  // namespace

size_t Varint32sSize(const int32_t* values, size_t count, bool zigzag) noexcept {
  size_t size = 0;
  for (size_t i = 0; i < count; i++) size += VarintSize(WireValue(values[i], zigzag));
  return size;
}

size_t Varint64sSize(const uint64_t* values, size_t count, bool zigzag) noexcept {
  size_t size = 0;
  for (size_t i = 0; i < count; i++) size += VarintSize(WireValue(values[i], zigzag));
  return size;
}

KernelResult EncodeVarint32s(const int32_t* values, size_t count, bool zigzag, uint8_t* dst, size_t capacity,
                             simd::KernelVariant variant) noexcept {
  switch (simd::Resolve(variant)) {
#if defined(HEDDLE_X86_SIMD)
    case simd::KernelVariant::kSse42: return EncodeFast(values, count, zigzag, dst, capacity, simd::EncodeOneByteVarintsSse42);
    case simd::KernelVariant::kAvx2:
    case simd::KernelVariant::kAvx512: return EncodeFast(values, count, zigzag, dst, capacity, simd::EncodeOneByteVarintsAvx2);
#endif
#if defined(HEDDLE_NEON_SIMD)
    case simd::KernelVariant::kNeon: return EncodeFast(values, count, zigzag, dst, capacity, simd::EncodeOneByteVarintsNeon);
#endif
    default: return EncodeScalar(values, count, zigzag, dst, capacity);
  }
}

KernelResult EncodeVarint64s(const uint64_t* values, size_t count, bool zigzag, uint8_t* dst, size_t capacity,
                             simd::KernelVariant variant) noexcept {
  if (simd::Resolve(variant) == simd::KernelVariant::kScalar) return EncodeScalar(values, count, zigzag, dst, capacity);
  return EncodeFast(values, count, zigzag, dst, capacity, NoBulk);
}

}  // namespace heddle::codec
