#include "codec/byte_swap.h"

#include <cstring>

#include "simd/byte_swap_simd.h"

namespace heddle::codec {
namespace {

template <typename T>
T Reverse(T v) noexcept {
  if constexpr (sizeof(T) == 2) return __builtin_bswap16(v);
  if constexpr (sizeof(T) == 4) return __builtin_bswap32(v);
  if constexpr (sizeof(T) == 8) return __builtin_bswap64(v);
}

template <typename T>
void SwapScalar(const uint8_t* src, uint8_t* dst, size_t count) noexcept {
  for (size_t i = 0; i < count; i++) {
    T v;
    std::memcpy(&v, src + i * sizeof(T), sizeof(T));
    v = Reverse(v);
    std::memcpy(dst + i * sizeof(T), &v, sizeof(T));
  }
}

// The elements a SIMD variant converts; the scalar loop finishes the rest.
size_t SwapVectorPrefix(const uint8_t* src, uint8_t* dst, size_t count, size_t width,
                        simd::KernelVariant variant) noexcept {
  switch (variant) {
#if defined(HEDDLE_X86_SIMD)
    case simd::KernelVariant::kAvx512: return simd::SwapBytesAvx512(src, dst, count, width);
    case simd::KernelVariant::kAvx2: return simd::SwapBytesAvx2(src, dst, count, width);
    case simd::KernelVariant::kSse42: return simd::SwapBytesSse42(src, dst, count, width);
#endif
#if defined(HEDDLE_NEON_SIMD)
    case simd::KernelVariant::kNeon: return simd::SwapBytesNeon(src, dst, count, width);
#endif
    default: return 0;
  }
}

}  // namespace

void SwapBytes(const uint8_t* src, uint8_t* dst, size_t count, size_t width,
               simd::KernelVariant variant) noexcept {
  if (width == 1) {
    if (count != 0) std::memcpy(dst, src, count);
    return;
  }
  const size_t done = SwapVectorPrefix(src, dst, count, width, simd::Resolve(variant));
  src += done * width;
  dst += done * width;
  count -= done;
  switch (width) {
    case 2: SwapScalar<uint16_t>(src, dst, count); break;
    case 4: SwapScalar<uint32_t>(src, dst, count); break;
    case 8: SwapScalar<uint64_t>(src, dst, count); break;
    default: break;
  }
}

}  // namespace heddle::codec
