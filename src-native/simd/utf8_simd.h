// SIMD UTF-8 checks behind codec::ValidateUtf8: ASCII blocks cost one test; other blocks go
// through three nibble lookups that classify every pair of adjacent bytes (the technique of
// Keiser and Lemire, "Validating UTF-8 In Less Than One Instruction Per Byte", 2021).
//
// Each returns kUtf8Valid when src[0, length) is valid, else the offset of the first block in
// which an error showed (`length` itself when the input ends inside a sequence); the invalid
// sequence starts in that block or at most 3 bytes before it, and the caller pins it down with
// the scalar validator. Only call an available variant.
#pragma once

#include <cstddef>
#include <cstdint>

#include "simd/kernel_variant.h"

namespace heddle::simd {

inline constexpr size_t kUtf8Valid = SIZE_MAX;

// Error classes of a (previous byte, byte) pair, as bits of the lookup tables. The three tables
// are indexed by the high nibble of the previous byte, its low nibble and the high nibble of the
// byte; a pair is invalid when some bit survives in all three. TWO_CONTS (a continuation after a
// continuation) is then XORed with "must be the 3rd or 4th byte of a sequence".
namespace utf8_error {
inline constexpr uint8_t kTooShort = 1 << 0;    // lead byte, then no continuation
inline constexpr uint8_t kTooLong = 1 << 1;     // ASCII, then a continuation
inline constexpr uint8_t kOverlong3 = 1 << 2;   // E0 80..9F
inline constexpr uint8_t kTooLarge = 1 << 3;    // F4 90..BF, F5..FF 90..BF
inline constexpr uint8_t kSurrogate = 1 << 4;   // ED A0..BF
inline constexpr uint8_t kOverlong2 = 1 << 5;   // C0..C1 80..BF
inline constexpr uint8_t kTooLarge1000 = 1 << 6;  // F5..FF 80..8F
inline constexpr uint8_t kOverlong4 = 1 << 6;   // F0 80..8F
inline constexpr uint8_t kTwoConts = 1 << 7;    // 80..BF 80..BF
inline constexpr uint8_t kCarry = kTooShort | kTooLong | kTwoConts;
}  // namespace utf8_error

// The three 16-entry tables, shared by every instruction set.
struct Utf8Tables {
  uint8_t byte1_high[16];
  uint8_t byte1_low[16];
  uint8_t byte2_high[16];
};
extern const Utf8Tables kUtf8Tables;

#if defined(HEDDLE_X86_SIMD)
size_t Utf8FirstBadBlockSse42(const uint8_t* src, size_t length) noexcept;
size_t Utf8FirstBadBlockAvx2(const uint8_t* src, size_t length) noexcept;
#endif
#if defined(HEDDLE_NEON_SIMD)
size_t Utf8FirstBadBlockNeon(const uint8_t* src, size_t length) noexcept;
#endif

}  // namespace heddle::simd
