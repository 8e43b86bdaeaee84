import { LinkCursor } from '../buffer/link-cursor.js';
import type { LinkBuffer } from '../buffer/link-buffer.js';
import { ErrorCode, HeddleError } from '../errors.js';
import { COMPACT_PROTOCOL_ID, COMPACT_VERSION } from '../thrift/wire-types.js';
import { badFrame } from './limits.js';
import { DONE, FIELD, LIST, MAP, MORE, STRUCT, ThriftScanState } from './thrift-scan-state.js';

/** First byte of every Thrift Compact message (the codecs' constant, under the transport's name). */
export const THRIFT_COMPACT_PROTOCOL_ID = COMPACT_PROTOCOL_ID;
/** The Compact version in the low five bits of a message's second byte. */
export const THRIFT_COMPACT_VERSION = COMPACT_VERSION;
const VERSION_MASK = 0x1f;

/** True when the first two bytes of a message, big-endian in `u16`, begin a Thrift Compact
 * message: protocol id 0x82, then version 1 in the low five bits (the message type sits above). */
export function isThriftCompactStart(u16: number): boolean {
  return u16 >>> 8 === THRIFT_COMPACT_PROTOCOL_ID && (u16 & VERSION_MASK) === THRIFT_COMPACT_VERSION;
}

/** Compact type ids: the low nibble of a field header, and container element types. */
const C = { STOP: 0, TRUE: 1, FALSE: 2, BYTE: 3, I16: 4, I32: 5, I64: 6, DOUBLE: 7, BINARY: 8, LIST: 9, SET: 10, MAP: 11, STRUCT: 12, UUID: 13 } as const;

/** Wire size of a value of each type in a container position (a bool is one byte there), 0 for
 * variable-size types, -1 for ids that are not types. */
const FIXED_SIZE = new Int8Array(16).fill(-1);
for (const [type, size] of [
  [C.TRUE, 1], [C.FALSE, 1], [C.BYTE, 1], [C.DOUBLE, 8], [C.UUID, 16],
  [C.I16, 0], [C.I32, 0], [C.I64, 0], [C.BINARY, 0], [C.LIST, 0], [C.SET, 0], [C.MAP, 0], [C.STRUCT, 0],
] as const) {
  FIXED_SIZE[type] = size;
}
/** The fewest bytes one value of each type takes in a container, to reject impossible counts: a
 * varint, an empty string, an empty container and an empty struct are all one byte. */
const MIN_SIZE = new Uint8Array(16).fill(1);
MIN_SIZE[C.DOUBLE] = 8;
MIN_SIZE[C.UUID] = 16;

/** Longest varint of a 32-bit value (i16, i32, lengths, sizes, sequence ids) and of an i64. */
const VARINT32_MAX_BYTES = 5;
const VARINT64_MAX_BYTES = 10;

/**
 * Finds where a Thrift Compact message ends by skipping its structure, as PurePayload (unframed)
 * framing needs: the `0x82` header with its varint sequence id and method name, then the body
 * struct field by field. Resumable like {@link ThriftBinaryScanner}: when the bytes run out it
 * answers "need more" and the next call continues from the last value boundary.
 *
 * Every declared length and count is checked before it is trusted: a negative one is
 * `ERR_BAD_FRAME` at its offset; one whose bytes (counted at the fewest each element can take)
 * would carry the message past the frame limit is `ERR_BAD_FRAME` too, at the length or count.
 * Nesting deeper than the depth limit is `ERR_DEPTH_LIMIT` at the offset of the value that goes
 * too deep. The native scanner (src-native/io/frame_scan.cc) follows the same rules, so both
 * report the same offsets and ask for the same number of bytes.
 */
export class ThriftCompactScanner extends ThriftScanState {
  /** The low 32 bits, as an i32, of the varint {@link varint} last read whole. */
  private varintValue = 0;

  /**
   * Scans the message starting at `input`'s read position, continuing where the previous call
   * stopped. Returns the message's length once it is complete, or -1 when more bytes are needed.
   * `streamOffset` is the message's stream offset, for errors (`ERR_BAD_FRAME`, `ERR_DEPTH_LIMIT`).
   */
  scan(input: LinkBuffer, streamOffset: number): number {
    const cursor = new LinkCursor(input, Math.min(this.position, input.length));
    if (!this.inBody && !this.scanHeader(cursor, streamOffset)) return MORE;
    for (;;) {
      let type = this.nextElementType();
      if (type === DONE) break;
      let headerBytes = 0;
      if (type === FIELD) {
        if (!this.require(cursor, 1, 0, streamOffset)) return MORE;
        const fieldHeader = cursor.u8At(0);
        if (fieldHeader === C.STOP) {
          this.leaveStruct(cursor);
          continue;
        }
        type = fieldHeader & 0x0f;
        if ((FIXED_SIZE[type] as number) < 0) {
          throw badFrame(`Thrift Compact field type ${type} is not a valid type`, streamOffset + this.position);
        }
        headerBytes = 1;
        // A zero delta means the field id follows as a zigzag varint.
        if (fieldHeader >>> 4 === 0) {
          const idBytes = this.varint(cursor, 1, VARINT32_MAX_BYTES, streamOffset);
          if (idBytes === 0) return MORE;
          headerBytes += idBytes;
        }
        // A bool field's value is its header's type nibble.
        if (type === C.TRUE || type === C.FALSE) {
          this.commit(cursor, headerBytes);
          continue;
        }
      }
      if (!this.scanValue(cursor, type, headerBytes, this.depth - 1, streamOffset)) return MORE;
    }
    return this.position;
  }

  /** The message header, taken whole or not at all. */
  private scanHeader(cursor: LinkCursor, streamOffset: number): boolean {
    if (!this.require(cursor, 1, 0, streamOffset)) return false;
    const protocolId = cursor.u8At(0);
    if (protocolId !== THRIFT_COMPACT_PROTOCOL_ID) {
      throw badFrame(`0x${protocolId.toString(16).padStart(2, '0')} is not the Thrift Compact protocol id 0x82`, streamOffset);
    }
    if (!this.require(cursor, 2, 1, streamOffset)) return false;
    const versionAndType = cursor.u8At(1);
    const messageType = versionAndType >>> 5;
    if ((versionAndType & VERSION_MASK) !== THRIFT_COMPACT_VERSION || messageType < 1 || messageType > 4) {
      throw badFrame(
        `Thrift Compact version ${versionAndType & VERSION_MASK} and message type ${messageType} are not version 1 and call, reply, exception or oneway`,
        streamOffset + 1,
      );
    }
    const seqIdBytes = this.varint(cursor, 2, VARINT32_MAX_BYTES, streamOffset);
    if (seqIdBytes === 0) return false;
    const nameAt = 2 + seqIdBytes;
    const nameLengthBytes = this.varint(cursor, nameAt, VARINT32_MAX_BYTES, streamOffset);
    if (nameLengthBytes === 0) return false;
    const nameLength = this.varintValue;
    if (nameLength < 0) throw badFrame(`Thrift Compact method name length ${nameLength} is negative`, streamOffset + nameAt);
    if (!this.require(cursor, nameAt + nameLengthBytes + nameLength, nameAt, streamOffset)) return false;
    this.commit(cursor, nameAt + nameLengthBytes + nameLength);
    this.inBody = true;
    this.push(STRUCT, 0, 0, 0);
    return true;
  }

  /**
   * One step: an optional field header (`at` bytes, already read) plus a value. Scalars and
   * strings are taken whole, containers of fixed-size elements too; a struct or other container is
   * entered. Nothing is committed unless all of the step is present.
   */
  private scanValue(cursor: LinkCursor, type: number, at: number, parent: number, streamOffset: number): boolean {
    const fixed = FIXED_SIZE[type] as number;
    let size: number;
    let enter = -1;
    let keyType = 0;
    let valueType = 0;
    let count = 0;
    if (fixed > 0) {
      size = at + fixed;
    } else if (type === C.I16 || type === C.I32 || type === C.I64) {
      const bytes = this.varint(cursor, at, type === C.I64 ? VARINT64_MAX_BYTES : VARINT32_MAX_BYTES, streamOffset);
      if (bytes === 0) return false;
      size = at + bytes;
    } else if (type === C.BINARY) {
      const bytes = this.varint(cursor, at, VARINT32_MAX_BYTES, streamOffset);
      if (bytes === 0) return false;
      const length = this.varintValue;
      if (length < 0) throw badFrame(`Thrift Compact string length ${length} is negative`, streamOffset + this.position + at);
      size = at + bytes + length;
    } else if (type === C.STRUCT) {
      this.checkDepth(at, streamOffset);
      size = at;
      enter = STRUCT;
    } else if (type === C.LIST || type === C.SET) {
      this.checkDepth(at, streamOffset);
      if (!this.require(cursor, at + 1, at, streamOffset)) return false;
      const listHeader = cursor.u8At(at);
      valueType = listHeader & 0x0f;
      count = listHeader >>> 4;
      let countAt = at;
      size = at + 1;
      // A size nibble of 15 means the size follows as a varint.
      if (count === 15) {
        countAt = at + 1;
        const bytes = this.varint(cursor, countAt, VARINT32_MAX_BYTES, streamOffset);
        if (bytes === 0) return false;
        count = this.varintValue;
        if (count < 0) throw badFrame(`Thrift Compact list size ${count} is negative`, streamOffset + this.position + countAt);
        size += bytes;
      }
      if (count > 0) {
        const elementSize = this.elementSize(valueType, streamOffset, at);
        this.checkCount(count, MIN_SIZE[valueType] as number, size, countAt, streamOffset);
        if (elementSize > 0) size += count * elementSize;
        else enter = LIST;
      }
    } else if (type === C.MAP) {
      this.checkDepth(at, streamOffset);
      const bytes = this.varint(cursor, at, VARINT32_MAX_BYTES, streamOffset);
      if (bytes === 0) return false;
      count = this.varintValue;
      if (count < 0) throw badFrame(`Thrift Compact map size ${count} is negative`, streamOffset + this.position + at);
      size = at + bytes;
      // An empty map has no key and value type byte.
      if (count > 0) {
        if (!this.require(cursor, size + 1, size, streamOffset)) return false;
        const types = cursor.u8At(size);
        keyType = types >>> 4;
        valueType = types & 0x0f;
        const keySize = this.elementSize(keyType, streamOffset, size);
        const valueSize = this.elementSize(valueType, streamOffset, size);
        size += 1;
        this.checkCount(count, (MIN_SIZE[keyType] as number) + (MIN_SIZE[valueType] as number), size, at, streamOffset);
        if (keySize > 0 && valueSize > 0) size += count * (keySize + valueSize);
        else enter = MAP;
      }
    } else {
      throw badFrame(`Thrift Compact type id ${type} is not a valid type`, streamOffset + this.position + at);
    }
    if (!this.require(cursor, size, at, streamOffset)) return false;
    if (enter >= 0) this.push(enter, keyType, valueType, enter === MAP ? count * 2 : count);
    this.commitValue(cursor, size, parent);
    return true;
  }

  /**
   * Reads the varint `at` bytes past the scan position: returns how many bytes it takes, leaving
   * its low 32 bits (as an i32) in `varintValue`, or 0 after asking for its next byte when it is cut
   * off. A varint longer than `maxBytes` is `ERR_BAD_FRAME` at its first byte.
   */
  private varint(cursor: LinkCursor, at: number, maxBytes: number, streamOffset: number): number {
    let value = 0;
    for (let i = 0; i < maxBytes; i++) {
      if (!this.require(cursor, at + i + 1, at, streamOffset)) return 0;
      const byte = cursor.u8At(at + i);
      // Bits past the 32nd only matter to i64 values, whose value a skip never needs.
      if (i < VARINT32_MAX_BYTES) value |= (byte & 0x7f) << (7 * i);
      if ((byte & 0x80) === 0) {
        this.varintValue = value;
        return i + 1;
      }
    }
    throw badFrame(`Thrift Compact varint runs past ${maxBytes} bytes`, streamOffset + this.position + at);
  }

  /** Fixed wire size of a container element type, 0 when variable, throwing for invalid ids;
   * `at` locates the byte that declared it. */
  private elementSize(type: number, streamOffset: number, at: number): number {
    const size = FIXED_SIZE[type] as number;
    if (size < 0) throw badFrame(`Thrift Compact container element type id ${type} is not a valid type`, streamOffset + this.position + at);
    return size;
  }

  /** Rejects counts of `unitSize`-byte items that cannot fit between `end` and the frame limit. */
  private checkCount(count: number, unitSize: number, end: number, countAt: number, streamOffset: number): void {
    if (count * unitSize > this.maxSize - (this.position + end)) {
      throw badFrame(`Thrift Compact count ${count} cannot fit in the ${this.maxSize}-byte frame limit`, streamOffset + this.position + countAt);
    }
  }

  /** A struct or container `at` bytes past the scan position would nest too deep. */
  private checkDepth(at: number, streamOffset: number): void {
    if (this.depth >= this.maxDepth) {
      throw new HeddleError(ErrorCode.ERR_DEPTH_LIMIT, `Thrift Compact message nests deeper than ${this.maxDepth} levels`, {
        offset: streamOffset + this.position + at,
      });
    }
  }

  /**
   * Whether `n` bytes past the scan position are present. An item (starting `itemAt` bytes past
   * the scan position) that would end past the frame limit is `ERR_BAD_FRAME` at once, whether or
   * not its bytes arrived; otherwise missing bytes are recorded in `needed`.
   */
  private require(cursor: LinkCursor, n: number, itemAt: number, streamOffset: number): boolean {
    if (this.position + n > this.maxSize) {
      throw badFrame(`Thrift Compact message is larger than the ${this.maxSize}-byte frame limit`, streamOffset + this.position + itemAt);
    }
    if (cursor.available >= n) return true;
    this.needed = this.position + n;
    return false;
  }

}
