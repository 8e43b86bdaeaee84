#include "codec/varint_encode.h"

#include <cstring>

#include "simd/cpu_features.h"
#include "simd/varint_loops.h"
#include "simd/varint_simd.h"

namespace heddle::codec {
namespace {

// The wire value of an element: ZigZag-encoded, or an int32 sign-extended to 64 bits.
inline uint64_t WireValue(int32_t v, bool zigzag) noexcept {
  if (zigzag) return (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31);
  return static_cast<uint64_t>(static_cast<int64_t>(v));
}
inline uint64_t WireValue(uint64_t v, bool zigzag) noexcept {
  return zigzag ? simd::varint::ToWire<true>(v) : v;
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

// Writes a varint of up to 8 bytes as one 8-byte store (dst needs 8 bytes of room), with no
// per-byte branches; longer ones go through WriteVarint.
inline size_t WriteVarintWide(uint64_t v, uint8_t* dst) noexcept {
  if (v >> 56 != 0) return WriteVarint(v, dst);
  const size_t n = simd::varint::VarintLength(v);
  const uint64_t word = simd::varint::PortableBits::Spread(v, simd::varint::kLowBits) | simd::varint::kContinuation[n];
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

// The portable instantiation of the branch-free 64-bit loop (shift-and-mask spreading).
simd::VarintProgress EncodeVarint64sPortable(const uint64_t* values, size_t count, bool zigzag, uint8_t* dst,
                                             size_t capacity) noexcept {
  using simd::varint::PortableBits;
  return zigzag ? simd::varint::EncodePrefix<PortableBits, true>(values, count, dst, capacity)
                : simd::varint::EncodePrefix<PortableBits, false>(values, count, dst, capacity);
}

}  // namespace

size_t Varint32sSize(const int32_t* values, size_t count, bool zigzag) noexcept {
  size_t size = 0;
  for (size_t i = 0; i < count; i++) size += simd::varint::VarintLength(WireValue(values[i], zigzag));
  return size;
}

size_t Varint64sSize(const uint64_t* values, size_t count, bool zigzag) noexcept {
#if defined(HEDDLE_X86_SIMD)
  if (simd::EnabledCpuFeatures().avx512vbmi2) return simd::Varint64sSizeAvx512(values, count, zigzag);
  if (simd::EnabledCpuFeatures().bmi2) return simd::Varint64sSizeBmi2(values, count, zigzag);
#endif
  return zigzag ? simd::varint::SizeOf<true>(values, count) : simd::varint::SizeOf<false>(values, count);
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
  // 64-bit runs have no SIMD bulk path (one-byte int64 runs are rare on the wire): every variant
  // but the scalar reference runs the branch-free loop, with pdep where it is fast.
  if (simd::Resolve(variant) == simd::KernelVariant::kScalar) return EncodeScalar(values, count, zigzag, dst, capacity);
  auto prefix = EncodeVarint64sPortable;
#if defined(HEDDLE_X86_SIMD)
  if (simd::EnabledCpuFeatures().bmi2) prefix = simd::EncodeVarint64sBmi2;
#endif
  const simd::VarintProgress done = prefix(values, count, zigzag, dst, capacity);
  const KernelResult rest = EncodeScalar(values + done.values, count - done.values, zigzag, dst + done.bytes, capacity - done.bytes);
  return {rest.status, done.bytes + rest.position};
}

}  // namespace heddle::codec
