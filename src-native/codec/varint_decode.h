// Varint run decoding (Thrift Compact lists, Protobuf packed fields). Pure C++ (no napi.h).
//
// A varint has at most 10 bytes; bits above the 64th are dropped, as protobuf does. The 32-bit
// decoders keep the low 32 bits of the value and ZigZag-decode those (protobuf sint32), so a
// negative int32 written as 10 sign-extended bytes decodes to itself.
#pragma once

#include <cstddef>
#include <cstdint>

#include "codec/kernel_status.h"
#include "simd/kernel_variant.h"

namespace heddle::codec {

inline constexpr size_t kMaxVarintBytes = 10;

// Decodes `count` varints from src[0, length) into out[0, count). On kTruncated/kTooLong the
// position is the offset of the varint that failed and `out` holds the ones before it.
KernelResult DecodeVarint32s(const uint8_t* src, size_t length, size_t count, bool zigzag, int32_t* out,
                             simd::KernelVariant variant = simd::KernelVariant::kAuto) noexcept;
KernelResult DecodeVarint64s(const uint8_t* src, size_t length, size_t count, bool zigzag, uint64_t* out,
                             simd::KernelVariant variant = simd::KernelVariant::kAuto) noexcept;

// The number of bytes below 0x80 in src[0, length): how many varints end inside the range, so
// the size of the array a packed field decodes to.
size_t CountVarintEnds(const uint8_t* src, size_t length,
                       simd::KernelVariant variant = simd::KernelVariant::kAuto) noexcept;

// Skips `count` varints of at most `max_bytes` bytes (1-10) at src[0, length), as a Thrift
// Compact list<i16/i32/i64> is skipped: kOk with the offset after the last one, or the offset of
// the varint that is truncated or runs past `max_bytes` (kTooLong as soon as `max_bytes`
// continuation bytes are read, before the input's end is looked at), the same as the byte loop.
KernelResult SkipVarints(const uint8_t* src, size_t length, size_t count, size_t max_bytes) noexcept;

}  // namespace heddle::codec
