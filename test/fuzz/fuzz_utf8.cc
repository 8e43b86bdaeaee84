// libFuzzer target: UTF-8 validation (codec/utf8_validate.h) on arbitrary bytes. Every SIMD
// variant must report the same verdict and the same offset as the scalar reference, and that
// offset must be a real first error: everything before it valid, the sequence at it not.
#include <cstddef>
#include <cstdint>

#include "codec/utf8_validate.h"
#include "fuzz_common.h"

using heddle::codec::KernelResult;
using heddle::codec::KernelStatus;
using heddle::codec::ValidateUtf8;
using heddle::simd::KernelVariant;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const KernelResult reference = ValidateUtf8(data, size, KernelVariant::kScalar);
  if (reference.status != KernelStatus::kOk) {
    const size_t at = reference.position;
    HEDDLE_FUZZ_CHECK(at < size, KernelVariant::kScalar);
    HEDDLE_FUZZ_CHECK(ValidateUtf8(data, at, KernelVariant::kScalar).status == KernelStatus::kOk, KernelVariant::kScalar);
    const size_t window = size - at < 4 ? size - at : 4;
    HEDDLE_FUZZ_CHECK(ValidateUtf8(data + at, window, KernelVariant::kScalar).status != KernelStatus::kOk, KernelVariant::kScalar);
  }
  for (const KernelVariant variant : heddle::fuzz::kSimdVariants) {
    if (!heddle::simd::IsAvailable(variant)) continue;
    const KernelResult result = ValidateUtf8(data, size, variant);
    HEDDLE_FUZZ_CHECK(result.status == reference.status, variant);
    HEDDLE_FUZZ_CHECK(result.position == reference.position, variant);
  }
  return 0;
}
