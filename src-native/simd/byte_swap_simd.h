// SIMD variants of codec::SwapBytes (width 2, 4 or 8). Each converts a prefix of the elements
// with vector instructions and returns how many it converted; the caller finishes the rest with
// the scalar loop. Only call a variant that simd::IsAvailable() allows.
#pragma once

#include <cstddef>
#include <cstdint>

#include "simd/kernel_variant.h"

namespace heddle::simd {

#if defined(HEDDLE_X86_SIMD)
size_t SwapBytesSse42(const uint8_t* src, uint8_t* dst, size_t count, size_t width) noexcept;
size_t SwapBytesAvx2(const uint8_t* src, uint8_t* dst, size_t count, size_t width) noexcept;
// Converts every element: the tail goes through masked loads and stores.
size_t SwapBytesAvx512(const uint8_t* src, uint8_t* dst, size_t count, size_t width) noexcept;
#endif
#if defined(HEDDLE_NEON_SIMD)
size_t SwapBytesNeon(const uint8_t* src, uint8_t* dst, size_t count, size_t width) noexcept;
#endif

}  // namespace heddle::simd
