// Finding frame boundaries in a byte stream, natively, so complete frames reach JavaScript in
// batches. Pure C++: no napi.h, so it can be fuzzed and sanitized on its own.
//
// Three framings cover every Kitex and Apache Thrift transport on a stream socket:
//   - length-prefixed: a u32 big-endian length, then that many bytes. Framed Thrift (length of
//     the message), TTHeader and TTHeaderFramed (LENGTH = total - 4) and the Kitex Protobuf
//     envelope all start this way, so one rule finds all of their ends.
//   - unframed Thrift Binary (PurePayload / "buffered"): a strict message whose end is found by
//     skipping its header and its struct field by field.
//   - unframed Thrift Compact (the `thrift` package's TBufferedTransport with TCompactProtocol):
//     the same skip over Compact's varints, field-id deltas and nibble-packed headers. Its rules
//     (what is checked, in which order, at which offset) are those of the TypeScript twin,
//     src-ts/transport/thrift-compact-scan.ts, so both report the same offsets and needs.
#pragma once

#include <cstddef>
#include <cstdint>

namespace heddle::io {

// The values are the framing codes NativeSocket's constructor takes; kSniffFramingCode (2) is
// the fourth, which chooses one of these from the first bytes.
enum class Framing : uint8_t {
  kLengthPrefixed = 0,
  kUnframedBinary = 1,
  kUnframedCompact = 3,
};
inline constexpr int32_t kSniffFramingCode = 2;

enum class ScanStatus : uint8_t {
  kComplete = 0,    // frame_length bytes at the start form one frame
  kNeedMore = 1,    // no complete frame yet; at least `need` bytes must be buffered first
  kBadFrame = 2,    // malformed: error_offset names the byte
  kTooLarge = 3,    // the declared or scanned size exceeds max_frame
};

struct ScanResult {
  ScanStatus status;
  size_t frame_length;  // kComplete: the frame's size, prefix included
  size_t need;          // kNeedMore: the smallest buffer size worth rescanning at
  size_t error_offset;  // kBadFrame/kTooLarge: offset of the offending field
};

// Nesting limit for the unframed skip scans (structs, lists, sets, maps): a value nested deeper
// is kBadFrame at its first byte.
inline constexpr int kMaxSkipDepth = 64;

// Examines the frame starting at data[0]. Never reads past data[size - 1].
ScanResult ScanFrame(Framing framing, const uint8_t* data, size_t size, size_t max_frame) noexcept;

// Chooses the framing from the first bytes a client sent: a strict Thrift Binary version word at
// offset 0 means unframed Binary, the Compact protocol id 0x82 unframed Compact (no length prefix
// starts with 0x82: as an i32 it would be negative); anything else is length-prefixed (Framed,
// TTHeader, Kitex Protobuf), whose own magic JavaScript checks per frame. Needs 4 bytes.
Framing SniffFraming(const uint8_t* data) noexcept;

}  // namespace heddle::io
