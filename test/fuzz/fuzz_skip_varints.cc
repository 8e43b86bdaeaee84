// libFuzzer target: SkipVarints (codec/varint_decode.h), the eight-bytes-a-step skip of a list of
// varints that Compact field paths use, against a byte-at-a-time reference on arbitrary bytes:
// same status and same position (the end on success, the failing varint's start otherwise).
// The first input byte picks max_bytes (1-10) and how many varints to ask for.
#include <cstddef>
#include <cstdint>

#include "codec/varint_decode.h"
#include "fuzz_common.h"

using heddle::codec::KernelResult;
using heddle::codec::KernelStatus;
using heddle::simd::KernelVariant;

namespace {

// One byte at a time, the reading of the rule SkipVarints must match: a varint is the bytes up to
// and including the first below 0x80, at most max_bytes of them.
KernelResult Reference(const uint8_t* src, size_t length, size_t count, size_t max_bytes) {
  size_t p = 0;
  for (size_t n = 0; n < count; n++) {
    const size_t start = p;
    for (;;) {
      if (p >= length) return {KernelStatus::kTruncated, start};
      const uint8_t byte = src[p++];
      if (byte < 0x80) break;
      if (p - start >= max_bytes) return {KernelStatus::kTooLong, start};
    }
  }
  return {KernelStatus::kOk, p};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t flags = data[0];
  const uint8_t* src = data + 1;
  const size_t length = size - 1;
  const size_t max_bytes = 1 + flags % heddle::codec::kMaxVarintBytes;
  const size_t ends = heddle::codec::CountVarintEnds(src, length, KernelVariant::kScalar);
  // Every varint that ends in the input, half of them, one more than there are, or a count from
  // the flags alone (small lists and lists longer than the input).
  const uint8_t pick = static_cast<uint8_t>(flags >> 4);
  const size_t count = pick % 4 == 0 ? ends : pick % 4 == 1 ? ends / 2 : pick % 4 == 2 ? ends + 1 : pick * 7u;
  const KernelResult expected = Reference(src, length, count, max_bytes);
  const KernelResult actual = heddle::codec::SkipVarints(src, length, count, max_bytes);
  HEDDLE_FUZZ_CHECK(actual.status == expected.status, KernelVariant::kScalar);
  HEDDLE_FUZZ_CHECK(actual.position == expected.position, KernelVariant::kScalar);
  return 0;
}
