// libFuzzer target for the frame scanner (io/frame_scan.h): every framing, under frame limits
// below, around and far above the input's size. Besides the sanitizers' checks (no read past the
// input, no overflow, no unbounded recursion), each answer must be one a caller can trust:
//   kComplete  the frame fits in the input and the limit, and the same bytes without what follows
//              give the same frame, while one byte fewer asks for exactly that byte;
//   kNeedMore  asks for more than the input holds, never more than the limit;
//   kBadFrame  names a byte inside the input (or just past it, for a depth or count decided
//              before the value's first byte);
//   kTooLarge  names an offset within the limit.
// Built and run by test/fuzz/run.sh with the other targets.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "io/frame_scan.h"

namespace {

using heddle::io::Framing;
using heddle::io::ScanFrame;
using heddle::io::ScanResult;
using heddle::io::ScanStatus;

#define HEDDLE_FRAME_CHECK(condition, framing, max_frame)                                         \
  do {                                                                                          \
    if (!(condition)) {                                                                         \
      std::fprintf(stderr, "%s:%d: framing %d, max_frame %zu: %s\n", __FILE__, __LINE__,        \
                   static_cast<int>(framing), static_cast<size_t>(max_frame), #condition);     \
      std::abort();                                                                             \
    }                                                                                           \
  } while (0)

void CheckScan(Framing framing, const uint8_t* data, size_t size, size_t max_frame) {
  const ScanResult result = ScanFrame(framing, data, size, max_frame);
  switch (result.status) {
    case ScanStatus::kComplete: {
      HEDDLE_FRAME_CHECK(result.frame_length > 0, framing, max_frame);
      HEDDLE_FRAME_CHECK(result.frame_length <= size, framing, max_frame);
      HEDDLE_FRAME_CHECK(result.frame_length <= max_frame, framing, max_frame);
      const ScanResult exact = ScanFrame(framing, data, result.frame_length, max_frame);
      HEDDLE_FRAME_CHECK(exact.status == ScanStatus::kComplete, framing, max_frame);
      HEDDLE_FRAME_CHECK(exact.frame_length == result.frame_length, framing, max_frame);
      const ScanResult short_by_one = ScanFrame(framing, data, result.frame_length - 1, max_frame);
      HEDDLE_FRAME_CHECK(short_by_one.status == ScanStatus::kNeedMore, framing, max_frame);
      HEDDLE_FRAME_CHECK(short_by_one.need == result.frame_length, framing, max_frame);
      return;
    }
    case ScanStatus::kNeedMore:
      HEDDLE_FRAME_CHECK(result.need > size, framing, max_frame);
      HEDDLE_FRAME_CHECK(result.need <= max_frame, framing, max_frame);
      return;
    case ScanStatus::kBadFrame:
      HEDDLE_FRAME_CHECK(result.error_offset <= size, framing, max_frame);
      return;
    case ScanStatus::kTooLarge:
      HEDDLE_FRAME_CHECK(result.error_offset <= max_frame, framing, max_frame);
      return;
  }
  std::fprintf(stderr, "unknown ScanStatus %d\n", static_cast<int>(result.status));
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr Framing kFramings[] = {Framing::kLengthPrefixed, Framing::kUnframedBinary, Framing::kUnframedCompact};
  // NativeFrameConnection never passes a limit under 8 bytes (a length prefix must fit, at least).
  const size_t limits[] = {std::max<size_t>(size, 8), std::max<size_t>(size / 2, 8), size + 8, size_t{64} << 20};
  for (const Framing framing : kFramings) {
    for (const size_t max_frame : limits) CheckScan(framing, data, size, max_frame);
  }
  if (size >= 4) {
    // A server connection scans with whatever framing it sniffed.
    const Framing sniffed = heddle::io::SniffFraming(data);
    if (data[0] == 0x82) {
      HEDDLE_FRAME_CHECK(sniffed == Framing::kUnframedCompact, sniffed, size);
    } else if (data[0] == 0x80 && data[1] == 0x01) {
      HEDDLE_FRAME_CHECK(sniffed == Framing::kUnframedBinary, sniffed, size);
    } else {
      HEDDLE_FRAME_CHECK(sniffed == Framing::kLengthPrefixed, sniffed, size);
    }
    CheckScan(sniffed, data, size, size_t{64} << 20);
  }
  return 0;
}
