/**
 * The shmipc layouts, mirrored from src-native/shm/layout.h (see the byte diagrams there).
 * test/shm/layout.test.ts checks every value against the addon's `shmLayout()`; the hostile-peer
 * test uses them to forge queue elements and slice headers.
 *
 * Shared memory is little-endian; control messages are big-endian.
 */
export const ShmLayout = Object.freeze({
  /** Control message header: length u32 (including the header), magic u16, version u8, type u8. */
  controlHeaderSize: 8,
  controlMagic: 0x7758,
  protocolV2: 2,
  protocolV3: 3,
  /** FallbackData body: stream id u32, status u32, then the payload. */
  fallbackMetaSize: 8,
  /** Buffer manager header: list count u16, reserved u16, used length u32. */
  managerHeaderSize: 8,
  managerUsedLengthOffset: 4,
  /** Buffer list header: free count, capacity, head, tail, slice capacity, two counters. */
  listHeaderSize: 36,
  listFreeCountOffset: 0,
  listCapacityOffset: 4,
  listHeadOffset: 8,
  listTailOffset: 12,
  listSliceCapacityOffset: 16,
  /** Slice header: capacity, size, start, next, flags; then the data. */
  sliceHeaderSize: 20,
  sliceCapacityOffset: 0,
  sliceSizeOffset: 4,
  sliceStartOffset: 8,
  sliceNextOffset: 12,
  sliceFlagsOffset: 16,
  sliceFlagHasNext: 1,
  sliceFlagInUse: 2,
  /** Queue header (x86-64): capacity u32 @0, head i64 @4, tail i64 @12, working flag u32 @20. */
  queueHeaderSize: 24,
  queueCapacityOffset: 0,
  queueHeadOffset: process.arch === 'arm64' ? 8 : 4,
  queueTailOffset: process.arch === 'arm64' ? 16 : 12,
  queueWorkingOffset: process.arch === 'arm64' ? 4 : 20,
  /** Queue element: stream id u32, first slice offset u32, status u32. */
  queueElementSize: 12,
  streamOpened: 0,
  streamClosed: 1,
  defaultBufferSize: 32 * 1024 * 1024,
  defaultQueueCapacity: 8192,
  /** Event records the addon hands over: [kind, stream, a, b, c, d]. */
  eventRecordWords: 6,
  eventEstablished: 1,
  eventData: 2,
  eventFallbackData: 3,
  eventStreamClosed: 4,
  /** What shmAllocate returns when no slice is free (the chunk goes as FallbackData instead). */
  allocatePoolExhausted: -100,
  /** What shmAllocate returns when no slice is free and FallbackData would be refused too. */
  allocateOutputFull: -101,
});

/** Control message types (the byte at offset 7 of the header). */
export const MessageType = Object.freeze({
  ShareMemoryByFilePath: 0,
  Polling: 1,
  StreamClose: 2,
  FallbackData: 3,
  ExchangeProtoVersion: 4,
  ShareMemoryByMemfd: 5,
  AckShareMemory: 6,
  AckReadyRecvFD: 7,
  HotRestart: 8,
  HotRestartAck: 9,
});

/**
 * The pool a protocol-v3 client creates by default (memfds; v2 files keep shmipc-go's 32 MiB, as
 * /dev/shm is often small in containers): 256 MiB, of which the kernel backs only the pages of
 * slices in use. Besides shmipc-go's sizes it has 1 MiB and 4 MiB slots (plus 4 KiB for the frame
 * headers), so a frame of up to 4 MiB travels in one slice and is decoded in place, and 64 callers
 * of 1 MiB fit without FallbackData. Measured in bench/ipc (README): the 1 MiB slots gave 1.8x the
 * RPC echo throughput of the 32 MiB shmipc-go layout at 1 MiB and 4 callers, 3.3x at 64 callers;
 * the 4 MiB slots took the receive-side copy of 4 MiB frames away (it was the largest item of their
 * profile). There are 30 of those (122.88 MiB; every other size keeps at least the bytes it had in
 * the 192 MiB pool before): a received 4 MiB slice is lent to the values decoded from it until the
 * collector reclaims them, which on a loaded machine takes tens of milliseconds, and with the 15 of
 * the 192 MiB pool a 4 MiB echo at 4 callers ran out of them for 30-45% of its frames (sent over
 * 1 MiB slices and copied out instead); with 30, 1-5%.
 */
export const DEFAULT_V3_BUFFER_SIZE = 256 * 1024 * 1024;
export const DEFAULT_V3_SLICE_SIZES: ReadonlyArray<{ size: number; percent: number }> = Object.freeze([
  { size: 8192 - 20, percent: 8 },
  { size: 32 * 1024 - 20, percent: 6 },
  { size: 128 * 1024 - 20, percent: 8 },
  { size: (1 << 20) + 4096 - 20, percent: 30 },
  { size: (4 << 20) + 4096 - 20, percent: 48 },
]);

/** shmipc-go's default slice sizes: 8 KiB, 32 KiB and 128 KiB slots (20 bytes of header each). */
export const DEFAULT_SLICE_CAPACITIES: readonly number[] = Object.freeze([8192 - 20, 32 * 1024 - 20, 128 * 1024 - 20]);
/** The share of the buffer each default slice size gets, in percent. */
export const DEFAULT_SLICE_PERCENTS: readonly number[] = Object.freeze([50, 30, 20]);
