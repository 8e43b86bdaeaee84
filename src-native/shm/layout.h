// Shared-memory and control-socket layouts of CloudWeGo shmipc (protocol versions 2 and 3), as
// shmipc-go lays them out, so a Go peer can share the same memory. Every constant here is mirrored
// in src-ts/shm/layout.ts; test/shm/layout.test.ts compares the two through shmLayout().
//
// Shared memory is native-endian (little-endian on the two architectures shmipc supports); the
// control socket is big-endian.
#pragma once

#include <bit>
#include <cstdint>

namespace heddle::shm {

// ---- Control message (Unix socket), big-endian -------------------------------------------------
//
//  0               4       6       7       8
//  +---------------+-------+-------+-------+------------------------+
//  | length (u32)  | magic | ver   | type  | body (length - 8)      |
//  +---------------+-------+-------+-------+------------------------+
//  length counts the header too; magic is 0x7758.
inline constexpr uint32_t kControlHeaderSize = 8;
inline constexpr uint32_t kControlLengthOffset = 0;
inline constexpr uint32_t kControlMagicOffset = 4;
inline constexpr uint32_t kControlVersionOffset = 6;
inline constexpr uint32_t kControlTypeOffset = 7;
inline constexpr uint16_t kControlMagic = 0x7758;

// Version 2 shares memory by file path (no acknowledgement); version 3 first exchanges versions and
// can pass memfds with SCM_RIGHTS.
inline constexpr uint8_t kProtocolV2 = 2;
inline constexpr uint8_t kProtocolV3 = 3;

enum class MessageType : uint8_t {
  kShareMemoryByFilePath = 0,  // body: u16 len + queue path, u16 len + buffer path
  kPolling = 1,                // empty: "the queue I produce into has work"
  kStreamClose = 2,            // body: u32 stream id
  kFallbackData = 3,           // body: u32 stream id, u32 status, payload
  kExchangeProtoVersion = 4,   // empty: the sender's highest version is in the header
  kShareMemoryByMemfd = 5,     // body as kShareMemoryByFilePath, the names only label the memfds
  kAckShareMemory = 6,         // empty
  kAckReadyRecvFd = 7,         // empty
  kHotRestart = 8,             // body: u64 epoch
  kHotRestartAck = 9,          // body: u64 epoch
};
inline constexpr uint8_t kMaxMessageType = 9;

inline constexpr uint32_t kStreamCloseBodySize = 4;
inline constexpr uint32_t kFallbackMetaSize = 8;  // stream id + status
inline constexpr uint32_t kHotRestartBodySize = 8;
// SCM_RIGHTS carries [buffer fd, queue fd] with one dummy 0x00 data byte.
inline constexpr uint32_t kMemfdCount = 2;

// ---- Buffer manager (the slice pool), native-endian --------------------------------------------
//
//  0          2          4                  8
//  +----------+----------+------------------+-------------+-------------+---
//  | listNum  | reserved | usedLength (u32) | buffer list | buffer list | ...
//  +----------+----------+------------------+-------------+-------------+---
//  usedLength = bytes of all lists after this header. Lists are sorted by slice capacity.
inline constexpr uint32_t kManagerHeaderSize = 8;
inline constexpr uint32_t kManagerListCountOffset = 0;
inline constexpr uint32_t kManagerUsedLengthOffset = 4;

// Buffer list: a 36-byte header, then `capacity` slices of (20 + sliceCapacity) bytes each.
//
//  0          4          8          12         16             20         24         28     36
//  +----------+----------+----------+----------+--------------+----------+----------+------+
//  | freeCnt  | capacity | head     | tail     | sliceCapacity| creator  | mapper   | (0)  |
//  | i32      | u32      | u32      | u32      | u32          | counter  | counter  |      |
//  +----------+----------+----------+----------+--------------+----------+----------+------+
//  head/tail: offsets of the first/last free slice, relative to the list's slice region (the byte
//  after this header). Allocation pops at head, recycling pushes at tail; the last free slice is
//  never allocated, so pop and push never touch the same slice. The counters are monitoring only:
//  shmipc-go counts allocations minus recycles at +20 in the process that created the memory and
//  at +24 in the one that mapped it; heddle does the same.
inline constexpr uint32_t kListHeaderSize = 36;
inline constexpr uint32_t kListFreeCountOffset = 0;
inline constexpr uint32_t kListCapacityOffset = 4;
inline constexpr uint32_t kListHeadOffset = 8;
inline constexpr uint32_t kListTailOffset = 12;
inline constexpr uint32_t kListSliceCapacityOffset = 16;
inline constexpr uint32_t kListCreatorCounterOffset = 20;
inline constexpr uint32_t kListMapperCounterOffset = 24;

// Slice: a 20-byte header, then sliceCapacity data bytes.
//
//  0          4          8          12         16         17         20
//  +----------+----------+----------+----------+----------+----------+----------------+
//  | capacity | size     | start    | next     | flags u8 | (unused) | data ...       |
//  +----------+----------+----------+----------+----------+----------+----------------+
//  Data occupies [start, start + size) of the data area. `next` is only meaningful with the
//  hasNext flag: in a free list it is relative to the list's slice region; in a message chain it
//  is the absolute offset of the next slice's header in the buffer memory.
inline constexpr uint32_t kSliceHeaderSize = 20;
inline constexpr uint32_t kSliceCapacityOffset = 0;
inline constexpr uint32_t kSliceSizeOffset = 4;
inline constexpr uint32_t kSliceStartOffset = 8;
inline constexpr uint32_t kSliceNextOffset = 12;
inline constexpr uint32_t kSliceFlagsOffset = 16;
inline constexpr uint8_t kSliceFlagHasNext = 1;
inline constexpr uint8_t kSliceFlagInUse = 2;

// ---- IO queues, native-endian ------------------------------------------------------------------
//
// The queue memory holds two queues of equal size: the first is the client's send queue (the
// server's receive queue), the second the server's send queue.
//
// x86-64 header (24 bytes; head and tail are deliberately unaligned, as in shmipc-go):
//  0          4                    12                   20           24
//  +----------+--------------------+--------------------+------------+
//  | capacity | head (i64)         | tail (i64)         | working u32|
//  +----------+--------------------+--------------------+------------+
// arm64 header (24 bytes, aligned):
//  | capacity | working u32 | head (i64) @8 | tail (i64) @16 |
//
// Then `capacity` elements of 12 bytes:
//  0            4            8            12
//  +------------+------------+------------+
//  | stream id  | offset     | status     |
//  +------------+------------+------------+
//  offset: the first slice of the message in the buffer memory; status: stream state (low byte).
inline constexpr uint32_t kQueueHeaderSize = 24;
inline constexpr uint32_t kQueueCapacityOffset = 0;
#if defined(__aarch64__)
inline constexpr uint32_t kQueueWorkingOffset = 4;
inline constexpr uint32_t kQueueHeadOffset = 8;
inline constexpr uint32_t kQueueTailOffset = 16;
#else
inline constexpr uint32_t kQueueHeadOffset = 4;
inline constexpr uint32_t kQueueTailOffset = 12;
inline constexpr uint32_t kQueueWorkingOffset = 20;
#endif
inline constexpr uint32_t kQueueElementSize = 12;
inline constexpr uint32_t kElementStreamIdOffset = 0;
inline constexpr uint32_t kElementOffsetOffset = 4;
inline constexpr uint32_t kElementStatusOffset = 8;
inline constexpr uint32_t kQueueCount = 2;

// Stream states carried in queue elements and FallbackData (only the low byte counts).
inline constexpr uint32_t kStreamOpened = 0;
inline constexpr uint32_t kStreamClosed = 1;
inline constexpr uint32_t kStreamHalfClosed = 2;
inline constexpr uint32_t kStreamStatusMask = 0xff;

// ---- shmipc-go defaults ------------------------------------------------------------------------
inline constexpr uint32_t kDefaultBufferSize = 32u * 1024 * 1024;
inline constexpr uint32_t kDefaultQueueCapacity = 8192;
inline constexpr uint32_t kMinBufferSize = 1u << 20;
inline constexpr uint32_t kDefaultSliceCapacities[3] = {8192 - kSliceHeaderSize, 32 * 1024 - kSliceHeaderSize,
                                                       128 * 1024 - kSliceHeaderSize};
inline constexpr uint32_t kDefaultSlicePercents[3] = {50, 30, 20};

// Limits heddle applies to what a peer asks it to map or parse.
inline constexpr uint32_t kMaxLists = 32;
inline constexpr uint32_t kMaxQueueCapacity = 1u << 20;

static_assert(std::endian::native == std::endian::little, "shmipc shares memory between little-endian peers");
static_assert(kControlTypeOffset + 1 == kControlHeaderSize);
static_assert(kManagerUsedLengthOffset + 4 == kManagerHeaderSize);
static_assert(kListMapperCounterOffset + 4 <= kListHeaderSize);
static_assert(kSliceFlagsOffset + 4 == kSliceHeaderSize);
static_assert(kQueueElementSize == 3 * 4);
static_assert(kQueueTailOffset + 8 <= kQueueHeaderSize && kQueueWorkingOffset + 4 <= kQueueHeaderSize);
static_assert(kDefaultSliceCapacities[0] + kSliceHeaderSize == 8192);
static_assert(kDefaultSlicePercents[0] + kDefaultSlicePercents[1] + kDefaultSlicePercents[2] == 100);

}  // namespace heddle::shm
