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

// A cursor over the buffered bytes that records, on running out, how many bytes would have been
// needed, so the caller rescans only once that many have arrived.
class Skipper {
 public:
  Skipper(const uint8_t* data, size_t size, size_t max_frame) noexcept
      : data_(data), size_(size), max_(max_frame) {}

  enum class Outcome { kOk, kNeedMore, kBad, kTooLarge };

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

  size_t pos() const noexcept { return pos_; }
  size_t need() const noexcept { return need_; }
  size_t error_offset() const noexcept { return error_offset_; }

 private:
  bool Require(size_t n) noexcept {
    if (n > max_) {
      outcome_ = Outcome::kTooLarge;
      error_offset_ = pos_;
      return false;
    }
    if (n > size_) {
      outcome_ = Outcome::kNeedMore;
      need_ = n;
      return false;
    }
    return true;
  }

  // n is at most 2^31 * 16, so pos_ + n cannot wrap a 64-bit size_t.
  bool Advance(size_t n) noexcept {
    if (!Require(pos_ + n)) return false;
    pos_ += n;
    return true;
  }

  Outcome Bad(size_t offset) noexcept {
    outcome_ = Outcome::kBad;
    error_offset_ = offset;
    return outcome_;
  }

  bool Fail(size_t offset) noexcept {
    Bad(offset);
    return false;
  }

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

  const uint8_t* data_;
  size_t size_;
  size_t max_;
  size_t pos_ = 0;
  size_t need_ = 0;
  size_t error_offset_ = 0;
  Outcome outcome_ = Outcome::kOk;
};

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
  Skipper skipper(data, size, max_frame);
  switch (skipper.Message()) {
    case Skipper::Outcome::kOk:
      return {ScanStatus::kComplete, skipper.pos(), 0, 0};
    case Skipper::Outcome::kNeedMore:
      return {ScanStatus::kNeedMore, 0, skipper.need(), 0};
    case Skipper::Outcome::kTooLarge:
      return {ScanStatus::kTooLarge, 0, 0, skipper.error_offset()};
    case Skipper::Outcome::kBad:
      break;
  }
  return {ScanStatus::kBadFrame, 0, 0, skipper.error_offset()};
}

Framing SniffFraming(const uint8_t* data) noexcept {
  return (LoadBE32(data) & 0xFFFF0000u) == 0x80010000u ? Framing::kUnframedBinary : Framing::kLengthPrefixed;
}

}  // namespace heddle::io
