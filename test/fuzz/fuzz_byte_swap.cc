// libFuzzer target: byte-order conversion (codec/byte_swap.h). Every SIMD variant must write the
// same bytes as the scalar reference, nothing past the end, and swapping twice must give back
// the input. The first input byte picks the element width and an unaligned start offset.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "codec/byte_swap.h"
#include "fuzz_common.h"

using heddle::codec::SwapBytes;
using heddle::simd::KernelVariant;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  constexpr size_t kWidths[] = {1, 2, 4, 8};
  const size_t width = kWidths[data[0] & 3];
  const size_t skew = (data[0] >> 2) & 7;  // output offset, so stores are unaligned too
  const uint8_t* src = data + 1;
  const size_t count = (size - 1) / width;
  const size_t bytes = count * width;
  // A guard byte after the output catches writes past the end.
  std::vector<uint8_t> expected(skew + bytes + 1, 0xa5), actual(skew + bytes + 1);
  SwapBytes(src, expected.data() + skew, count, width, KernelVariant::kScalar);
  for (size_t i = 0; i < count; i++) {
    for (size_t j = 0; j < width; j++) {
      HEDDLE_FUZZ_CHECK(expected[skew + i * width + j] == src[i * width + width - 1 - j], KernelVariant::kScalar);
    }
  }
  for (const KernelVariant variant : heddle::fuzz::kSimdVariants) {
    if (!heddle::simd::IsAvailable(variant)) continue;
    std::fill(actual.begin(), actual.end(), 0xa5);
    SwapBytes(src, actual.data() + skew, count, width, variant);
    HEDDLE_FUZZ_CHECK(actual == expected, variant);
    std::vector<uint8_t> twice(bytes + 1, 0x5a);
    SwapBytes(actual.data() + skew, twice.data(), count, width, variant);
    HEDDLE_FUZZ_CHECK(bytes == 0 || std::memcmp(twice.data(), src, bytes) == 0, variant);
    HEDDLE_FUZZ_CHECK(twice[bytes] == 0x5a, variant);
  }
  return 0;
}
