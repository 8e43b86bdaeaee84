// libFuzzer target: IndexCompactFields (codec/compact_field_index.h), the native index of a
// Compact struct's top-level fields that peekMany reads, on arbitrary bytes. Whatever it returns
// must describe the input: fields back to back from offset 0, each value inside the input and
// after its header, ids rising by the header's delta, the STOP byte right after the last field,
// and no more fields than the room. The first input byte picks max_depth (1-16) and the room.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "codec/compact_field_index.h"

namespace {

void Require(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "IndexCompactFields: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t* src = data + 1;
  const size_t length = size - 1;
  const int32_t max_depth = 1 + (data[0] & 0x0f);
  const size_t room = 1 + (data[0] >> 4);
  int32_t out[16 * heddle::codec::kFieldIndexInts];
  const int64_t count = heddle::codec::IndexCompactFields(src, length, max_depth, out, room);
  if (count < 0) return 0;
  Require(static_cast<size_t>(count) <= room, "more fields than the room");
  int64_t expected_start = 0;
  int32_t last_id = 0;
  for (int64_t f = 0; f < count; f++) {
    const int32_t* field = out + f * heddle::codec::kFieldIndexInts;
    Require(field[0] == expected_start, "a field not where the previous one ended");
    Require(src[field[0]] >> 4 != 0 && (src[field[0]] & 0x0f) == field[1], "type not the header's");
    Require(field[2] == last_id + (src[field[0]] >> 4), "id not the previous one plus the delta");
    Require(field[3] == field[0] + 1 && field[3] <= field[4] && static_cast<size_t>(field[4]) <= length, "value span outside the input");
    expected_start = field[4];
    last_id = field[2];
  }
  Require(static_cast<size_t>(expected_start) < length && src[expected_start] == 0, "no STOP byte after the last field");
  return 0;
}
