// The branch-free loop behind the 64-bit varint run encoder, shared by every instruction set.
// Pure C++ (no napi.h). It handles only the part of a run it can write without bounds checks
// and returns how far it got; codec/varint_encode.cc finishes the rest with its exact writer.
//
// The loop is a template over an `Isa` policy with one function,
//
//   static uint64_t Spread(uint64_t v, uint64_t m)   the low bits of v spread under m (pdep)
//
// and is instantiated inside functions with target attributes (simd/varint_encode_x86.cc), so
// pdep and lzcnt (behind std::countl_zero) are compiled in for CPUs that have them. Callers pick
// `zigzag` as a template argument, so the per-value loop does not test it.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__GNUC__) || defined(__clang__)
#define HEDDLE_VARINT_INLINE inline __attribute__((always_inline))
#else
#define HEDDLE_VARINT_INLINE inline
#endif

namespace heddle::simd {

// How far a prefix loop got: bytes read or written, and values decoded or encoded.
struct VarintProgress {
  size_t bytes;
  size_t values;
};

namespace varint {

inline constexpr uint64_t kHighBits = 0x8080808080808080ULL;
inline constexpr uint64_t kLowBits = 0x7f7f7f7f7f7f7f7fULL;

// The continuation bits of the first 8 bytes of a varint of `len` bytes (1..10).
inline constexpr uint64_t kContinuation[11] = {
    0, 0, 0x80, 0x8080, 0x808080, 0x80808080, 0x8080808080, 0x808080808080, 0x80808080808080, kHighBits, kHighBits};

// The varint length of a value, by its count of leading zero bits (of v | 1, so 0..63).
inline constexpr uint8_t kLengthByLeadingZeros[64] = {
    10, 9, 9, 9, 9, 9, 9, 9, 8, 8, 8, 8, 8, 8, 8, 7, 7, 7, 7, 7, 7, 7, 6, 6, 6, 6, 6, 6, 6, 5, 5, 5,
    5, 5, 5, 5, 4, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1};

HEDDLE_VARINT_INLINE size_t VarintLength(uint64_t v) noexcept {
  return kLengthByLeadingZeros[std::countl_zero(v | 1)];
}

template <bool kZigzag>
HEDDLE_VARINT_INLINE uint64_t ToWire(uint64_t v) noexcept {
  return kZigzag ? (v << 1) ^ (0ULL - (v >> 63)) : v;
}

// The bytes of the varints of values[0, count), by a table lookup per value.
template <bool kZigzag>
HEDDLE_VARINT_INLINE size_t SizeOf(const uint64_t* values, size_t count) noexcept {
  size_t size = 0;
  for (size_t i = 0; i < count; i++) size += VarintLength(ToWire<kZigzag>(values[i]));
  return size;
}

// Encodes values while each can be written with unconditional stores: 8 bytes at its position
// and 2 more after them, which needs 10 bytes of room per value, and leaves up to 9 bytes after
// the varint holding junk that the next varints overwrite. So the last 9 values are left to the
// caller's exact writer, and nothing past the output is ever touched. Returns the prefix written.
template <typename Isa, bool kZigzag>
HEDDLE_VARINT_INLINE VarintProgress EncodePrefix(const uint64_t* values, size_t count, uint8_t* dst, size_t capacity) noexcept {
  size_t p = 0;
  size_t i = 0;
  for (;;) {
    size_t n = (capacity - p) / 10;
    if (count - i <= 9) break;
    if (n > count - i - 9) n = count - i - 9;
    if (n == 0) break;
    for (const size_t stop = i + n; i < stop; i++) {
      const uint64_t v = ToWire<kZigzag>(values[i]);
      const size_t len = VarintLength(v);
      const uint64_t word = Isa::Spread(v, kLowBits) | kContinuation[len];
      const uint64_t top = v >> 56;  // bits 56..63: byte 8, and bit 63 again as byte 9
      const uint16_t tail = static_cast<uint16_t>(top | ((top >> 7) << 8));
      std::memcpy(dst + p, &word, 8);
      std::memcpy(dst + p + 8, &tail, 2);
      p += len;
    }
  }
  return {p, i};
}

// Portable Spread for the kLowBits mask: three shift-and-mask steps (pdep in one instruction).
struct PortableBits {
  static HEDDLE_VARINT_INLINE uint64_t Spread(uint64_t v, uint64_t /* kLowBits */) noexcept {
    uint64_t x = (v & 0x000000000fffffffULL) | ((v & 0x00fffffff0000000ULL) << 4);
    x = (x & 0x00003fff00003fffULL) | ((x & 0x0fffc0000fffc000ULL) << 2);
    return (x & 0x007f007f007f007fULL) | ((x & 0x3f803f803f803f80ULL) << 1);
  }
};

}  // namespace varint
}  // namespace heddle::simd
