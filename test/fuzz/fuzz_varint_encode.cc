// libFuzzer target: varint run encoding (codec/varint_encode.h) of arbitrary int32/int64 arrays.
// Every SIMD variant must write the scalar reference's bytes and nothing past them; the size
// functions must predict the length; decoding the output must give the values back; and a
// buffer one byte short must be refused. The first input byte picks ZigZag, the width, and
// whether each input byte is a value of its own.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "codec/varint_decode.h"
#include "codec/varint_encode.h"
#include "fuzz_common.h"

using heddle::codec::KernelResult;
using heddle::codec::KernelStatus;
using heddle::simd::KernelVariant;

namespace {

template <typename In, typename Encode, typename Size, typename Decode>
void Check(const In* values, size_t count, bool zigzag, Encode encode, Size size_of, Decode decode) {
  const size_t size = size_of(values, count, zigzag);
  std::vector<uint8_t> expected(size + 16, 0xa5), actual(size + 16);
  const KernelResult reference = encode(values, count, zigzag, expected.data(), size + 16, KernelVariant::kScalar);
  HEDDLE_FUZZ_CHECK(reference.status == KernelStatus::kOk && reference.position == size, KernelVariant::kScalar);
  // Decoding gives the values back (ZigZag and sign extension undone).
  std::vector<In> decoded(count);
  const KernelResult back = decode(expected.data(), size, count, zigzag, decoded.data(), KernelVariant::kScalar);
  HEDDLE_FUZZ_CHECK(back.status == KernelStatus::kOk && back.position == size, KernelVariant::kScalar);
  HEDDLE_FUZZ_CHECK(count == 0 || std::memcmp(decoded.data(), values, count * sizeof(In)) == 0, KernelVariant::kScalar);
  for (const KernelVariant variant : heddle::fuzz::kSimdVariants) {
    if (!heddle::simd::IsAvailable(variant)) continue;
    std::fill(actual.begin(), actual.end(), 0xa5);
    const KernelResult result = encode(values, count, zigzag, actual.data(), size + 16, variant);
    HEDDLE_FUZZ_CHECK(result.status == KernelStatus::kOk && result.position == size, variant);
    HEDDLE_FUZZ_CHECK(actual == expected, variant);
    if (size > 0) {
      std::vector<uint8_t> short_buffer(size - 1 + 16, 0x5a);
      HEDDLE_FUZZ_CHECK(encode(values, count, zigzag, short_buffer.data(), size - 1, variant).status == KernelStatus::kNoRoom, variant);
      for (size_t i = size - 1; i < short_buffer.size(); i++) HEDDLE_FUZZ_CHECK(short_buffer[i] == 0x5a, variant);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool zigzag = (data[0] & 1) != 0;
  const uint8_t* body = data + 1;
  const size_t length = size - 1;
  if ((data[0] & 2) != 0) {
    std::vector<uint64_t> values(length / 8);
    if (!values.empty()) std::memcpy(values.data(), body, values.size() * 8);
    Check(values.data(), values.size(), zigzag, [](auto... a) { return heddle::codec::EncodeVarint64s(a...); },
          heddle::codec::Varint64sSize, [](auto... a) { return heddle::codec::DecodeVarint64s(a...); });
  } else if ((data[0] & 4) != 0) {
    // One signed byte per value: long runs of one-byte varints, for the SIMD block paths.
    std::vector<int32_t> values(body, body + length);
    for (int32_t& v : values) v = static_cast<int8_t>(v);
    Check(values.data(), values.size(), zigzag, [](auto... a) { return heddle::codec::EncodeVarint32s(a...); },
          heddle::codec::Varint32sSize, [](auto... a) { return heddle::codec::DecodeVarint32s(a...); });
  } else {
    std::vector<int32_t> values(length / 4);
    if (!values.empty()) std::memcpy(values.data(), body, values.size() * 4);
    Check(values.data(), values.size(), zigzag, [](auto... a) { return heddle::codec::EncodeVarint32s(a...); },
          heddle::codec::Varint32sSize, [](auto... a) { return heddle::codec::DecodeVarint32s(a...); });
  }
  return 0;
}
