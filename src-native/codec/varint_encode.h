// Varint run encoding (Thrift Compact lists, Protobuf packed fields). Pure C++ (no napi.h).
//
// Without ZigZag a negative int32 takes 10 bytes, sign-extended to 64 bits (protobuf int32);
// with ZigZag (Thrift Compact, protobuf sint32/sint64) small magnitudes of either sign are short.
#pragma once

#include <cstddef>
#include <cstdint>

#include "codec/kernel_status.h"
#include "simd/kernel_variant.h"

namespace heddle::codec {

// Bytes the varints of values[0, count) take.
size_t Varint32sSize(const int32_t* values, size_t count, bool zigzag) noexcept;
size_t Varint64sSize(const uint64_t* values, size_t count, bool zigzag) noexcept;

// Writes the varints of values[0, count) to dst[0, capacity): kOk with the bytes written, or
// kNoRoom (dst holds a prefix of the output) when capacity is less than the size above.
KernelResult EncodeVarint32s(const int32_t* values, size_t count, bool zigzag, uint8_t* dst, size_t capacity,
                             simd::KernelVariant variant = simd::KernelVariant::kAuto) noexcept;
KernelResult EncodeVarint64s(const uint64_t* values, size_t count, bool zigzag, uint8_t* dst, size_t capacity,
                             simd::KernelVariant variant = simd::KernelVariant::kAuto) noexcept;

}  // namespace heddle::codec
