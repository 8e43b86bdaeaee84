// libFuzzer target: varint run decoding (codec/varint_decode.h) on arbitrary bytes. Every SIMD
// variant must agree with the scalar reference on status, position and every value decoded.
// The first input byte picks ZigZag, the output width and how many varints to ask for.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "codec/varint_decode.h"
#include "fuzz_common.h"

using heddle::codec::DecodeVarint32s;
using heddle::codec::DecodeVarint64s;
using heddle::codec::KernelResult;
using heddle::codec::KernelStatus;
using heddle::simd::KernelVariant;

namespace {

template <typename Out, typename Decode>
void Compare(const uint8_t* src, size_t length, size_t count, bool zigzag, Decode decode) {
  std::vector<Out> expected(count), actual(count);
  const KernelResult reference = decode(src, length, count, zigzag, expected.data(), KernelVariant::kScalar);
  if (reference.status == KernelStatus::kOk) HEDDLE_FUZZ_CHECK(reference.position <= length, KernelVariant::kScalar);
  for (const KernelVariant variant : heddle::fuzz::kSimdVariants) {
    if (!heddle::simd::IsAvailable(variant)) continue;
    std::fill(actual.begin(), actual.end(), Out{});
    const KernelResult result = decode(src, length, count, zigzag, actual.data(), variant);
    HEDDLE_FUZZ_CHECK(result.status == reference.status, variant);
    HEDDLE_FUZZ_CHECK(result.position == reference.position, variant);
    // On success every value must match; on failure, the ones before the failing varint.
    HEDDLE_FUZZ_CHECK(reference.status != KernelStatus::kOk || actual == expected, variant);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t flags = data[0];
  const uint8_t* src = data + 1;
  const size_t length = size - 1;
  const bool zigzag = (flags & 1) != 0;
  const size_t ends = heddle::codec::CountVarintEnds(src, length, KernelVariant::kScalar);
  for (const KernelVariant variant : heddle::fuzz::kSimdVariants) {
    if (heddle::simd::IsAvailable(variant)) HEDDLE_FUZZ_CHECK(heddle::codec::CountVarintEnds(src, length, variant) == ends, variant);
  }
  // Every varint that ends in the input, half of them, or one more than there are.
  const size_t count = (flags >> 2) % 3 == 0 ? ends : (flags >> 2) % 3 == 1 ? ends / 2 : ends + 1;
  if ((flags & 2) != 0) {
    Compare<uint64_t>(src, length, count, zigzag, [](auto... a) { return DecodeVarint64s(a...); });
  } else {
    Compare<int32_t>(src, length, count, zigzag, [](auto... a) { return DecodeVarint32s(a...); });
  }
  return 0;
}
