/**
 * Kitex TTHeader wire layout (all big-endian). Offsets are from the first byte of the frame.
 *
 * ```
 *  0        4        6        8                12       14       15       16
 *  +--------+--------+--------+----------------+--------+--------+--------+-----------
 *  | LENGTH | MAGIC  | FLAGS  | SEQUENCE ID    | HEADER | PROTO  | NUM    | TRANSFORM IDS,
 *  | u32    | 0x1000 | u16    | i32            | SIZE/4 | ID u8  | TRANS  | INFO BLOCKS,
 *  |        |        |        |                | u16    |        | u8     | zero padding
 *  +--------+--------+--------+----------------+--------+--------+--------+-----------
 *  | PAYLOAD: LENGTH + 4 - (14 + HEADER SIZE * 4) bytes                               |
 * ```
 *
 * LENGTH counts every byte after itself. HEADER SIZE counts, in 4-byte units, the bytes from
 * offset 14 (protocol id) to the end of the padding. Info blocks: KEYVALUE (u16 count, then
 * (u16 len, key, u16 len, value) pairs), INTKEYVALUE (u16 count, then (u16 key, u16 len, value)),
 * ACL token (u16 len, token); a zero byte is padding.
 */
export const TTHeaderLayout = {
  LENGTH: 0,
  MAGIC: 4,
  FLAGS: 6,
  SEQ_ID: 8,
  HEADER_SIZE: 12,
  PROTOCOL_ID: 14,
  TRANSFORM_COUNT: 15,
  TRANSFORM_IDS: 16,
  /** Bytes before the variable header: LENGTH through HEADER SIZE. */
  FIXED_SIZE: 14,
} as const;

/** `u16` at offset 4. Kitex checks `u32@4 & 0xFFFF0000 == 0x10000000`; the low half is FLAGS. */
export const TTHEADER_MAGIC = 0x1000;
/** Largest LENGTH Kitex accepts: the top two bits must be clear. */
export const TTHEADER_MAX_LENGTH = 0x3fffffff;
/** Largest variable header (from offset 14, padding included) in bytes: what the u16 HEADER SIZE
 * field can express, and what Kitex (cloudwego/gopkg v0.2+) accepts and writes. Older Kitex
 * releases capped it at 65536; `FrameLimits.maxHeaderSize` can impose that. */
export const TTHEADER_MAX_HEADER_SIZE = 4 * 0xffff;

/** FLAGS bits. */
export const TTHeaderFlag = {
  SUPPORT_OUT_OF_ORDER: 0x01,
  STREAMING: 0x02,
  DUPLEX_REVERSE: 0x08,
  SASL: 0x10,
} as const;

/** PROTOCOL ID values. Kitex writes `THRIFT_BINARY` (0) even for Kitex Protobuf payloads, for
 * compatibility with old peers; the payload's own magic tells them apart. */
export const TTHeaderProtocol = {
  THRIFT_BINARY: 0x00,
  THRIFT_COMPACT: 0x02,
  THRIFT_COMPACT_V2: 0x03,
  KITEX_PROTOBUF: 0x04,
  /** TTHeader streaming: a bare Thrift struct, no message header. */
  THRIFT_STRUCT: 0x10,
  /** TTHeader streaming: a bare Protobuf message, no envelope. */
  PROTOBUF_STRUCT: 0x11,
} as const;

/** Info block ids. */
export const TTHeaderInfo = {
  PADDING: 0x00,
  KEY_VALUE: 0x01,
  INT_KEY_VALUE: 0x10,
  ACL_TOKEN: 0x11,
} as const;

const knownProtocols: ReadonlySet<number> = new Set(Object.values(TTHeaderProtocol));

/** Whether `id` is a PROTOCOL ID a TTHeader peer may send. */
export function isKnownProtocolId(id: number): boolean {
  return knownProtocols.has(id);
}
