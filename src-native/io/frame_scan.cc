#include "io/frame_scan.h"

namespace heddle::io {
namespace {

uint32_t LoadBE32(const uint8_t* p) noexcept {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

// Thrift wire type ids (TType).
enum : uint8_t {
  kStop = 0, kBool = 2, kByte = 3, kDouble = 4, kI16 = 6, kI32 = 8, kI64 = 10,
  kString = 11, kStruct = 12, kMap = 13, kSet = 14, kList = 15, kUuid = 16,
};

enum class SkipOutcome { kOk, kNeedMore, kBad, kTooLarge };

// A cursor over the buffered bytes that records, on running out, how many bytes would have been
// needed, so the caller rescans only once that many have arrived. Both message skippers use it.
class SkipCursor {
 public:
  SkipCursor(const uint8_t* data, size_t size, size_t max_frame) noexcept
      : data_(data), size_(size), max_(max_frame) {}

  size_t pos() const noexcept { return pos_; }
  size_t need() const noexcept { return need_; }
  size_t error_offset() const noexcept { return error_offset_; }

 protected:
  // Whether the first `end` bytes are buffered. An item (starting at `item`) that would end past
  // max_frame is kTooLarge whether or not its bytes arrived.
  bool Require(size_t end, size_t item) noexcept {
    if (end > max_) {
      outcome_ = SkipOutcome::kTooLarge;
      error_offset_ = item;
      return false;
    }
    if (end > size_) {
      outcome_ = SkipOutcome::kNeedMore;
      need_ = end;
      return false;
    }
    return true;
  }

  // n is at most 2^31 * 16, so pos_ + n cannot wrap a 64-bit size_t.
  bool Advance(size_t n, size_t item) noexcept {
    if (!Require(pos_ + n, item)) return false;
    pos_ += n;
    return true;
  }

  SkipOutcome Bad(size_t offset) noexcept {
    outcome_ = SkipOutcome::kBad;
    error_offset_ = offset;
    return outcome_;
  }

  bool Fail(size_t offset) noexcept {
    Bad(offset);
    return false;
  }

  const uint8_t* data_;
  size_t size_;
  size_t max_;
  size_t pos_ = 0;
  size_t need_ = 0;
  size_t error_offset_ = 0;
  SkipOutcome outcome_ = SkipOutcome::kOk;
};

// The strict Thrift Binary skip scan.
class Skipper : public SkipCursor {
 public:
  using SkipCursor::SkipCursor;
  using Outcome = SkipOutcome;

  Outcome Message() noexcept {
    if (!Require(4)) return outcome_;
    const uint32_t version = LoadBE32(data_);
    if ((version & 0xFFFF0000u) != 0x80010000u) return Bad(0);
    pos_ = 4;
    if (!SkipLengthPrefixed()) return outcome_;  // method name
    if (!Advance(4)) return outcome_;            // seqid
    if (!Value(kStruct, 0)) return outcome_;
    return Outcome::kOk;
  }

 private:
  // The Binary scan reports a size past max_frame at the position it had reached.
  bool Require(size_t n) noexcept { return SkipCursor::Require(n, pos_); }
  bool Advance(size_t n) noexcept { return SkipCursor::Advance(n, pos_); }

  bool ReadU8(uint8_t* out) noexcept {
    if (!Require(pos_ + 1)) return false;
    *out = data_[pos_++];
    return true;
  }

  bool ReadI32(int32_t* out) noexcept {
    if (!Require(pos_ + 4)) return false;
    *out = static_cast<int32_t>(LoadBE32(data_ + pos_));
    pos_ += 4;
    return true;
  }

  bool SkipLengthPrefixed() noexcept {
    const size_t at = pos_;
    int32_t length = 0;
    if (!ReadI32(&length)) return false;
    if (length < 0) return Fail(at);
    return Advance(static_cast<size_t>(length));
  }

  static int FixedWidth(uint8_t type) noexcept {
    switch (type) {
      case kBool: case kByte: return 1;
      case kI16: return 2;
      case kI32: return 4;
      case kDouble: case kI64: return 8;
      case kUuid: return 16;
      default: return 0;
    }
  }

  bool Elements(uint8_t type, int32_t count, size_t count_at, int depth) noexcept {
    if (count < 0) return Fail(count_at);
    const int width = FixedWidth(type);
    if (width > 0) return Advance(static_cast<size_t>(count) * static_cast<size_t>(width));
    for (int32_t i = 0; i < count; i++) {
      if (!Value(type, depth)) return false;
    }
    return true;
  }

  bool Value(uint8_t type, int depth) noexcept {
    if (const int width = FixedWidth(type); width > 0) return Advance(static_cast<size_t>(width));
    const size_t at = pos_;
    switch (type) {
      case kString:
        return SkipLengthPrefixed();
      case kStruct: {
        if (depth >= kMaxSkipDepth) return Fail(at);
        for (;;) {
          const size_t field_at = pos_;
          uint8_t field_type = 0;
          if (!ReadU8(&field_type)) return false;
          if (field_type == kStop) return true;
          if (!IsValueType(field_type)) return Fail(field_at);
          if (!Advance(2)) return false;  // field id
          if (!Value(field_type, depth + 1)) return false;
        }
      }
      case kMap: {
        if (depth >= kMaxSkipDepth) return Fail(at);
        uint8_t key = 0, value = 0;
        int32_t count = 0;
        if (!ReadU8(&key) || !ReadU8(&value)) return false;
        const size_t count_at = pos_;
        if (!ReadI32(&count)) return false;
        if (count < 0) return Fail(count_at);
        if (count == 0) return true;
        if (!IsValueType(key) || !IsValueType(value)) return Fail(at);
        for (int32_t i = 0; i < count; i++) {
          if (!Value(key, depth + 1) || !Value(value, depth + 1)) return false;
        }
        return true;
      }
      case kSet:
      case kList: {
        if (depth >= kMaxSkipDepth) return Fail(at);
        uint8_t element = 0;
        int32_t count = 0;
        if (!ReadU8(&element)) return false;
        const size_t count_at = pos_;
        if (!ReadI32(&count)) return false;
        if (count < 0) return Fail(count_at);
        if (count == 0) return true;
        if (!IsValueType(element)) return Fail(at);
        return Elements(element, count, count_at, depth + 1);
      }
      default:
        return Fail(at);
    }
  }

  static bool IsValueType(uint8_t type) noexcept {
    return FixedWidth(type) > 0 || type == kString || type == kStruct || type == kMap || type == kSet || type == kList;
  }
};

// Thrift Compact type ids: the low nibble of a field header, and container element types.
enum : uint8_t {
  kCompactStop = 0, kCompactTrue = 1, kCompactFalse = 2, kCompactByte = 3, kCompactI16 = 4,
  kCompactI32 = 5, kCompactI64 = 6, kCompactDouble = 7, kCompactBinary = 8, kCompactList = 9,
  kCompactSet = 10, kCompactMap = 11, kCompactStruct = 12, kCompactUuid = 13,
};
constexpr uint8_t kCompactProtocolId = 0x82;
constexpr uint8_t kCompactVersion = 1;
// The longest varint of a 32-bit value (i16, i32, lengths, sizes, sequence ids) and of an i64.
constexpr int kVarint32MaxBytes = 5;
constexpr int kVarint64MaxBytes = 10;

// The Compact skip scan. Every check happens in the same order and names the same offset as in
// the TypeScript scanner (src-ts/transport/thrift-compact-scan.ts): the differential test holds
// the two to it. A requirement to reach `end` bytes fails as kTooLarge (at the item being read)
// when `end` is past max_frame, whether or not the bytes arrived, else as kNeedMore.
class CompactSkipper : public SkipCursor {
 public:
  using SkipCursor::SkipCursor;

  SkipOutcome Message() noexcept {
    if (!Require(1, 0)) return outcome_;
    if (data_[0] != kCompactProtocolId) return Bad(0);
    if (!Require(2, 1)) return outcome_;
    const int message_type = data_[1] >> 5;
    if ((data_[1] & 0x1f) != kCompactVersion || message_type < 1 || message_type > 4) return Bad(1);
    pos_ = 2;
    if (!Varint(kVarint32MaxBytes, nullptr)) return outcome_;  // sequence id
    const size_t name_at = pos_;
    int32_t name_length = 0;
    if (!VarintI32(&name_length)) return outcome_;
    if (name_length < 0) return Bad(name_at);
    if (!Advance(static_cast<size_t>(name_length), name_at)) return outcome_;
    if (!Struct(0)) return outcome_;
    return SkipOutcome::kOk;
  }

 private:
  // Wire size of a value in a container position (a bool is one byte there), 0 when variable,
  // -1 for ids that are not types.
  static int FixedWidth(uint8_t type) noexcept {
    switch (type) {
      case kCompactTrue: case kCompactFalse: case kCompactByte: return 1;
      case kCompactDouble: return 8;
      case kCompactUuid: return 16;
      case kCompactI16: case kCompactI32: case kCompactI64: case kCompactBinary:
      case kCompactList: case kCompactSet: case kCompactMap: case kCompactStruct: return 0;
      default: return -1;
    }
  }

  // The fewest bytes one value takes: a varint, an empty string, container or struct is one byte.
  static uint64_t MinWidth(uint8_t type) noexcept {
    const int width = FixedWidth(type);
    return width > 0 ? static_cast<uint64_t>(width) : 1;
  }

  // Reads a varint of at most max_bytes, keeping its low 32 bits; the bits of an i64 beyond them
  // do not matter to a skip.
  bool Varint(int max_bytes, uint32_t* out) noexcept {
    const size_t start = pos_;
    uint32_t value = 0;
    for (int i = 0; i < max_bytes; i++) {
      if (!Require(pos_ + 1, start)) return false;
      const uint8_t byte = data_[pos_++];
      if (i < kVarint32MaxBytes) value |= static_cast<uint32_t>(byte & 0x7f) << (7 * i);
      if ((byte & 0x80) == 0) {
        if (out != nullptr) *out = value;
        return true;
      }
    }
    return Fail(start);
  }

  bool VarintI32(int32_t* out) noexcept {
    uint32_t value = 0;
    if (!Varint(kVarint32MaxBytes, &value)) return false;
    *out = static_cast<int32_t>(value);
    return true;
  }

  // `count` items of at least `unit` bytes each must fit between here and max_frame.
  bool CountFits(int64_t count, uint64_t unit, size_t count_at) noexcept {
    if (static_cast<uint64_t>(count) * unit > max_ - pos_) {
      outcome_ = SkipOutcome::kTooLarge;
      error_offset_ = count_at;
      return false;
    }
    return true;
  }

  // The fields of a struct whose own nesting depth is `depth`, up to its STOP.
  bool Struct(int depth) noexcept {
    for (;;) {
      const size_t field_at = pos_;
      if (!Require(pos_ + 1, field_at)) return false;
      const uint8_t header = data_[pos_++];
      if (header == kCompactStop) return true;
      const uint8_t type = header & 0x0f;
      if (FixedWidth(type) < 0) return Fail(field_at);
      // A zero delta means the field id follows as a zigzag varint.
      if ((header >> 4) == 0 && !Varint(kVarint32MaxBytes, nullptr)) return false;
      if (type == kCompactTrue || type == kCompactFalse) continue;  // the type nibble is the value
      if (!Value(type, depth + 1)) return false;
    }
  }

  bool Value(uint8_t type, int depth) noexcept {
    const size_t at = pos_;
    switch (type) {
      case kCompactTrue: case kCompactFalse: case kCompactByte:
        return Advance(1, at);
      case kCompactDouble:
        return Advance(8, at);
      case kCompactUuid:
        return Advance(16, at);
      case kCompactI16: case kCompactI32:
        return Varint(kVarint32MaxBytes, nullptr);
      case kCompactI64:
        return Varint(kVarint64MaxBytes, nullptr);
      case kCompactBinary: {
        int32_t length = 0;
        if (!VarintI32(&length)) return false;
        if (length < 0) return Fail(at);
        return Advance(static_cast<size_t>(length), at);
      }
      case kCompactStruct:
        if (depth >= kMaxSkipDepth) return Fail(at);
        return Struct(depth);
      case kCompactList:
      case kCompactSet:
        return List(depth, at);
      case kCompactMap:
        return Map(depth, at);
      default:
        return Fail(at);
    }
  }

  bool List(int depth, size_t at) noexcept {
    if (depth >= kMaxSkipDepth) return Fail(at);
    if (!Require(pos_ + 1, at)) return false;
    const uint8_t header = data_[pos_++];
    const uint8_t element = header & 0x0f;
    int64_t count = header >> 4;
    size_t count_at = at;
    // A size nibble of 15 means the size follows as a varint.
    if (count == 15) {
      count_at = pos_;
      int32_t size = 0;
      if (!VarintI32(&size)) return false;
      if (size < 0) return Fail(count_at);
      count = size;
    }
    if (count == 0) return true;
    const int width = FixedWidth(element);
    if (width < 0) return Fail(at);
    if (!CountFits(count, MinWidth(element), count_at)) return false;
    if (width > 0) return Advance(static_cast<size_t>(count) * static_cast<size_t>(width), at);
    for (int64_t i = 0; i < count; i++) {
      if (!Value(element, depth + 1)) return false;
    }
    return true;
  }

  bool Map(int depth, size_t at) noexcept {
    if (depth >= kMaxSkipDepth) return Fail(at);
    int32_t count = 0;
    if (!VarintI32(&count)) return false;
    if (count < 0) return Fail(at);
    if (count == 0) return true;  // an empty map has no key and value type byte
    const size_t types_at = pos_;
    if (!Require(pos_ + 1, types_at)) return false;
    const uint8_t key = data_[pos_] >> 4;
    const uint8_t value = data_[pos_] & 0x0f;
    pos_++;
    const int key_width = FixedWidth(key);
    const int value_width = FixedWidth(value);
    if (key_width < 0 || value_width < 0) return Fail(types_at);
    if (!CountFits(count, MinWidth(key) + MinWidth(value), at)) return false;
    if (key_width > 0 && value_width > 0) {
      return Advance(static_cast<size_t>(count) * static_cast<size_t>(key_width + value_width), at);
    }
    for (int32_t i = 0; i < count; i++) {
      if (!Value(key, depth + 1) || !Value(value, depth + 1)) return false;
    }
    return true;
  }
};

template <typename MessageSkipper>
ScanResult SkipMessage(const uint8_t* data, size_t size, size_t max_frame) noexcept {
  MessageSkipper skipper(data, size, max_frame);
  switch (skipper.Message()) {
    case SkipOutcome::kOk:
      return {ScanStatus::kComplete, skipper.pos(), 0, 0};
    case SkipOutcome::kNeedMore:
      return {ScanStatus::kNeedMore, 0, skipper.need(), 0};
    case SkipOutcome::kTooLarge:
      return {ScanStatus::kTooLarge, 0, 0, skipper.error_offset()};
    case SkipOutcome::kBad:
      break;
  }
  return {ScanStatus::kBadFrame, 0, 0, skipper.error_offset()};
}

}  // namespace

ScanResult ScanFrame(Framing framing, const uint8_t* data, size_t size, size_t max_frame) noexcept {
  if (framing == Framing::kLengthPrefixed) {
    if (size < 4) return {ScanStatus::kNeedMore, 0, 4, 0};
    const uint32_t length = LoadBE32(data);
    // A zero length cannot be a frame; a length with the top bit set is negative as an i32.
    if (length == 0 || (length & 0x80000000u) != 0) return {ScanStatus::kBadFrame, 0, 0, 0};
    const size_t total = size_t{length} + 4;
    if (total > max_frame) return {ScanStatus::kTooLarge, 0, 0, 0};
    if (size < total) return {ScanStatus::kNeedMore, 0, total, 0};
    return {ScanStatus::kComplete, total, 0, 0};
  }
  if (framing == Framing::kUnframedCompact) return SkipMessage<CompactSkipper>(data, size, max_frame);
  return SkipMessage<Skipper>(data, size, max_frame);
}

Framing SniffFraming(const uint8_t* data) noexcept {
  if ((LoadBE32(data) & 0xFFFF0000u) == 0x80010000u) return Framing::kUnframedBinary;
  if (data[0] == kCompactProtocolId) return Framing::kUnframedCompact;
  return Framing::kLengthPrefixed;
}

}  // namespace heddle::io
