// IndexCompactFields (compact_field_index.h): skipCompactValue of fast-skip.ts in C++, where any
// failure is one outcome (kFail) because the TypeScript walk reports it.
#include "codec/compact_field_index.h"

#include <cstdint>

#include "codec/varint_decode.h"

namespace heddle::codec {
namespace {

constexpr size_t kFail = SIZE_MAX;

// The fewest bytes a value of each Compact type takes as an element; -1: not a type
// (COMPACT_MIN in fast-skip.ts, with 14 and 15 spelled out).
constexpr int8_t kCompactMin[16] = {-1, 1, 1, 1, 1, 1, 1, 8, 1, 1, 1, 1, 1, 16, -1, -1};

class CompactSkipper {
 public:
  CompactSkipper(const uint8_t* src, size_t length, int32_t max_depth) : b_(src), end_(length), max_depth_(max_depth) {}

  // The end of the value of Compact type `type` at p, `depth` levels deep; kFail. Strings and
  // integers, the commonest, are tested first, and the containers are out of line: inlined here
  // they made every call save and restore their registers (a third of the index's instructions).
  size_t Value(size_t p, int type, int32_t depth) {
    if (type == 8) return String(p);
    if (type >= 4 && type <= 6) return Varint(p, type == 6 ? 10 : 5, nullptr);
    switch (type) {
      case 1:
      case 2:
      case 3:
        return p < end_ ? p + 1 : kFail;
      case 4:
      case 5:
        return Varint(p, 5, nullptr);
      case 6:
        return Varint(p, 10, nullptr);
      case 7:
        return Fixed(p, 8);
      case 13:
        return Fixed(p, 16);
      case 12:
        return Struct(p, depth);
      case 11:
        return Map(p, depth);
      case 9:
      case 10:
        return List(p, depth);
      default:
        return kFail;
    }
  }

 private:
  const uint8_t* b_;
  size_t end_;
  int32_t max_depth_;

  size_t Fixed(size_t p, size_t width) const { return width <= end_ - p ? p + width : kFail; }

  size_t String(size_t p) const {
    uint64_t length = 0;
    const size_t at = Varint(p, 5, &length);
    return at == kFail || length > end_ - at ? kFail : at + length;
  }

  // The end of a varint of at most max_bytes bytes at p, its value in *value (when asked for).
  size_t Varint(size_t p, size_t max_bytes, uint64_t* value) const {
    uint64_t v = 0;
    for (size_t n = 0; n < max_bytes && p < end_; n++) {
      const uint8_t byte = b_[p++];
      v |= static_cast<uint64_t>(byte & 0x7f) << (7 * n);
      if (byte < 0x80) {
        if (value != nullptr) *value = v;
        return p;
      }
    }
    return kFail;
  }

  // A count (map size, long list size): the walk reads it as an int32, so larger ones are refused.
  size_t Count(size_t p, uint64_t* count) const {
    const size_t at = Varint(p, 5, count);
    return at == kFail || *count > INT32_MAX ? kFail : at;
  }

  [[gnu::noinline]] size_t Struct(size_t p, int32_t depth) {
    if (depth > max_depth_) return kFail;
    for (;;) {
      if (p >= end_) return kFail;
      const uint8_t header = b_[p++];
      if (header == 0) return p;
      if (header >> 4 == 0 && (p = Varint(p, 5, nullptr)) == kFail) return kFail;
      const int type = header & 0x0f;
      if (type == 1 || type == 2) continue;
      if ((p = Value(p, type, depth + 1)) == kFail) return kFail;
    }
  }

  [[gnu::noinline]] size_t Map(size_t p, int32_t depth) {
    if (depth > max_depth_) return kFail;
    uint64_t count = 0;
    if ((p = Count(p, &count)) == kFail) return kFail;
    if (count == 0) return p;
    if (p >= end_) return kFail;
    const int key_type = b_[p] >> 4;
    const int value_type = b_[p] & 0x0f;
    const int key_min = kCompactMin[key_type];
    const int value_min = kCompactMin[value_type];
    p++;
    if (key_min < 0 || value_min < 0 || count * static_cast<uint64_t>(key_min + value_min) > end_ - p) return kFail;
    for (uint64_t i = 0; i < count; i++) {
      if ((p = Value(p, key_type, depth + 1)) == kFail) return kFail;
      if ((p = Value(p, value_type, depth + 1)) == kFail) return kFail;
    }
    return p;
  }

  [[gnu::noinline]] size_t List(size_t p, int32_t depth) {
    if (depth > max_depth_ || p >= end_) return kFail;
    const int element_type = b_[p] & 0x0f;
    uint64_t count = b_[p] >> 4;
    p++;
    if (count == 15 && (p = Count(p, &count)) == kFail) return kFail;
    if (count == 0) return p;
    const int element_min = kCompactMin[element_type];
    if (element_min < 0 || count * static_cast<uint64_t>(element_min) > end_ - p) return kFail;
    if (element_type == 7 || element_type == 13 || element_type <= 3) return p + count * static_cast<uint64_t>(element_min);
    if (element_type >= 4 && element_type <= 6) {
      const KernelResult r = SkipVarints(b_ + p, end_ - p, count, element_type == 6 ? 10 : 5);
      return r.status == KernelStatus::kOk ? p + r.position : kFail;
    }
    for (uint64_t i = 0; i < count; i++) {
      if ((p = Value(p, element_type, depth + 1)) == kFail) return kFail;
    }
    return p;
  }
};

}  // namespace

int64_t IndexCompactFields(const uint8_t* src, size_t length, int32_t max_depth, int32_t* out, size_t max_fields) noexcept {
  CompactSkipper skipper(src, length, max_depth);
  size_t p = 0;
  int32_t last_id = 0;
  size_t n = 0;
  for (;;) {
    if (p >= length) return -1;
    const uint8_t header = src[p];
    if (header == 0) return static_cast<int64_t>(n);
    // A long-form id is a zigzag varint the walk reads with the generated decoders' reader.
    if (header >> 4 == 0 || n == max_fields) return -1;
    const int type = header & 0x0f;
    const int32_t id = last_id + (header >> 4);
    const size_t value_start = p + 1;
    // A bool field's value is in its header.
    const size_t value_end = type == 1 || type == 2 ? value_start : skipper.Value(value_start, type, 2);
    if (value_end == kFail || value_end > INT32_MAX) return -1;
    int32_t* field = out + n * kFieldIndexInts;
    field[0] = static_cast<int32_t>(p);
    field[1] = type;
    field[2] = id;
    field[3] = static_cast<int32_t>(value_start);
    field[4] = static_cast<int32_t>(value_end);
    n++;
    last_id = id;
    p = value_end;
  }
}

}  // namespace heddle::codec
