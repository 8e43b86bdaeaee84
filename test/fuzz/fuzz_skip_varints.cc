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
  // The bytes after the first are the list.
  const uint8_t* list = data + 1;
  const size_t list_length = size - 1;
  const size_t max_bytes = 1 + data[0] % heddle::codec::kMaxVarintBytes;
  // Every varint that ends in the list, half of them, one more than there are, or a count from
  // the first byte alone (small lists and lists longer than the input).
  const size_t ending = heddle::codec::CountVarintEnds(list, list_length, KernelVariant::kScalar);
  const size_t pick = data[0] >> 4;
  const size_t count = pick % 4 == 0 ? ending : pick % 4 == 1 ? ending / 2 : pick % 4 == 2 ? ending + 1 : pick * 7;
  const KernelResult expected = Reference(list, list_length, count, max_bytes);
  const KernelResult actual = heddle::codec::SkipVarints(list, list_length, count, max_bytes);
  HEDDLE_FUZZ_CHECK(actual.status == expected.status, KernelVariant::kScalar);
  HEDDLE_FUZZ_CHECK(actual.position == expected.position, KernelVariant::kScalar);
  return 0;
}
