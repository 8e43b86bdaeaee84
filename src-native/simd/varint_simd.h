// SIMD pieces of codec::DecodeVarint32s/64s and CountVarintEnds. The bulk functions convert the
// longest prefix of whole vector blocks in which every byte is a one-byte varint (< 0x80), at most
// `count` values and `length` bytes, and return how many they converted (possibly 0). Only call a
// variant that simd::IsAvailable() allows.
#pragma once

#include <cstddef>
#include <cstdint>

#include "simd/kernel_variant.h"
#include "simd/varint_loops.h"

namespace heddle::simd {

using VarintBulk32 = size_t (*)(const uint8_t* src, size_t length, size_t count, bool zigzag, int32_t* out) noexcept;
using VarintBulk64 = size_t (*)(const uint8_t* src, size_t length, size_t count, bool zigzag, uint64_t* out) noexcept;

#if defined(HEDDLE_X86_SIMD)
size_t VarintBulk32Sse42(const uint8_t* src, size_t length, size_t count, bool zigzag, int32_t* out) noexcept;
size_t VarintBulk64Sse42(const uint8_t* src, size_t length, size_t count, bool zigzag, uint64_t* out) noexcept;
size_t VarintBulk32Avx2(const uint8_t* src, size_t length, size_t count, bool zigzag, int32_t* out) noexcept;
size_t VarintBulk64Avx2(const uint8_t* src, size_t length, size_t count, bool zigzag, uint64_t* out) noexcept;
size_t VarintBulk32Avx512(const uint8_t* src, size_t length, size_t count, bool zigzag, int32_t* out) noexcept;
size_t VarintBulk64Avx512(const uint8_t* src, size_t length, size_t count, bool zigzag, uint64_t* out) noexcept;
// Decodes varints of any length (up to 10 bytes) 8 at a time with AVX-512 VBMI/VBMI2; only call
// when EnabledCpuFeatures().avx512vbmi2. Stops at the last 384 bytes, before a varint over 10
// bytes, or at `count`, and returns the prefix decoded; the caller finishes (and reports errors).
VarintProgress DecodeVarintsVbmi(const uint8_t* src, size_t length, size_t count, bool zigzag, uint64_t* out) noexcept;
VarintProgress DecodeVarintsVbmi(const uint8_t* src, size_t length, size_t count, bool zigzag, int32_t* out) noexcept;
// Bytes below 0x80 in src[0, length), counted a vector at a time. `length` must be a multiple
// of the vector size (16, 32), except for AVX-512, which counts any length with masked loads.
size_t CountVarintEndsSse42(const uint8_t* src, size_t length) noexcept;
size_t CountVarintEndsAvx2(const uint8_t* src, size_t length) noexcept;
size_t CountVarintEndsAvx512(const uint8_t* src, size_t length) noexcept;
#endif
// Encoding: write whole blocks (16 or 32 values) of int32s whose varint is one byte (after ZigZag
// if asked) as those bytes, stopping at the first block that has a larger value, at `count`
// values or when `capacity` bytes cannot take another block; return how many were written.
#if defined(HEDDLE_X86_SIMD)
size_t EncodeOneByteVarintsSse42(const int32_t* values, size_t count, bool zigzag, uint8_t* dst, size_t capacity) noexcept;
size_t EncodeOneByteVarintsAvx2(const int32_t* values, size_t count, bool zigzag, uint8_t* dst, size_t capacity) noexcept;
#endif
#if defined(HEDDLE_X86_SIMD)
// The branch-free 64-bit encoder (simd/varint_loops.h) with pdep and lzcnt; only call it when
// EnabledCpuFeatures().bmi2. Returns the prefix written; the caller writes the rest exactly.
VarintProgress EncodeVarint64sBmi2(const uint64_t* values, size_t count, bool zigzag, uint8_t* dst, size_t capacity) noexcept;
// codec::Varint64sSize with lzcnt, under the same condition.
size_t Varint64sSizeBmi2(const uint64_t* values, size_t count, bool zigzag) noexcept;
// codec::Varint64sSize 8 values at a time (vplzcntq, then a vpermb table); only call it when
// EnabledCpuFeatures().avx512vbmi2.
size_t Varint64sSizeAvx512(const uint64_t* values, size_t count, bool zigzag) noexcept;
#endif
#if defined(HEDDLE_NEON_SIMD)
size_t EncodeOneByteVarintsNeon(const int32_t* values, size_t count, bool zigzag, uint8_t* dst, size_t capacity) noexcept;
#endif

#if defined(HEDDLE_NEON_SIMD)
size_t VarintBulk32Neon(const uint8_t* src, size_t length, size_t count, bool zigzag, int32_t* out) noexcept;
size_t VarintBulk64Neon(const uint8_t* src, size_t length, size_t count, bool zigzag, uint64_t* out) noexcept;
size_t CountVarintEndsNeon(const uint8_t* src, size_t length) noexcept;
#endif

}  // namespace heddle::simd
