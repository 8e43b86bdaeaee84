// Byte-order conversion of numeric arrays: the whole of Thrift Binary's list<double|i64|i32|i16>
// decode and encode, and of little-endian data on a big-endian host. Pure C++ (no napi.h).
#pragma once

#include <cstddef>
#include <cstdint>

#include "simd/kernel_variant.h"

namespace heddle::codec {

// Copies `count` elements of `width` bytes (1, 2, 4 or 8) from src to dst, reversing the bytes of
// each element; width 1 is a plain copy. Any alignment; src and dst must not overlap.
void SwapBytes(const uint8_t* src, uint8_t* dst, size_t count, size_t width,
               simd::KernelVariant variant = simd::KernelVariant::kAuto) noexcept;

}  // namespace heddle::codec
