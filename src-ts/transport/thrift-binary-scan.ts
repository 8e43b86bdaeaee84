import { LinkCursor } from '../buffer/link-cursor.js';
import type { LinkBuffer } from '../buffer/link-buffer.js';
import { ErrorCode, HeddleError } from '../errors.js';
import { badFrame } from './limits.js';
import { DONE, FIELD, LIST, MAP, MORE, STRUCT, ThriftScanState } from './thrift-scan-state.js';

/** Strict Thrift Binary message header: `0x8001` in the top half of the first word. */
export const THRIFT_BINARY_VERSION_1 = 0x80010000;
/** The same marker as the first two bytes of a message (`0x8001`), for sniffing payloads. */
export const THRIFT_BINARY_MAGIC = THRIFT_BINARY_VERSION_1 >>> 16;
export const THRIFT_VERSION_MASK = 0xffff0000;

/** Thrift type ids as they appear on the wire. */
const T = { STOP: 0, BOOL: 2, BYTE: 3, DOUBLE: 4, I16: 6, I32: 8, I64: 10, STRING: 11, STRUCT: 12, MAP: 13, SET: 14, LIST: 15, UUID: 16 } as const;

/** Wire size of each fixed-size type, 0 for variable-size ones, -1 for ids that are not types. */
const FIXED_SIZE = new Int8Array(256).fill(-1);
for (const [type, size] of [[T.BOOL, 1], [T.BYTE, 1], [T.DOUBLE, 8], [T.I16, 2], [T.I32, 4], [T.I64, 8], [T.UUID, 16], [T.STRING, 0], [T.STRUCT, 0], [T.MAP, 0], [T.SET, 0], [T.LIST, 0]] as const) {
  FIXED_SIZE[type] = size;
}
/** The fewest bytes one value of each variable-size type takes, to reject impossible counts. */
const MIN_SIZE: Record<number, number> = { [T.STRING]: 4, [T.STRUCT]: 1, [T.MAP]: 6, [T.SET]: 5, [T.LIST]: 5 };

function minSizeOf(type: number): number {
  return (FIXED_SIZE[type] as number) > 0 ? (FIXED_SIZE[type] as number) : (MIN_SIZE[type] as number);
}

/**
 * Finds where a strict Thrift Binary message ends by skipping its structure, as PurePayload
 * framing needs: message header, then the body struct field by field. The scan is resumable:
 * when the bytes run out it returns "need more" and the next call continues from the last value
 * boundary instead of starting over, so a message arriving in many chunks is scanned once.
 * Depth-limited and bounds-checked; reads through a {@link LinkCursor}, so it never joins slabs.
 */
export class ThriftBinaryScanner extends ThriftScanState {
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
        if (cursor.available < 1) return this.more(1);
        type = cursor.u8At(0);
        if (type === T.STOP) {
          this.leaveStruct(cursor);
          continue;
        }
        headerBytes = 3;
      }
      if (!this.scanValue(cursor, type, headerBytes, this.depth - 1, streamOffset)) return MORE;
    }
    return this.position;
  }

  /** The message header, taken whole or not at all. */
  private scanHeader(cursor: LinkCursor, streamOffset: number): boolean {
    if (cursor.available < 4) return this.wait(4);
    const version = cursor.u32At(0);
    if ((version & THRIFT_VERSION_MASK) >>> 0 !== THRIFT_BINARY_VERSION_1) {
      throw badFrame(`0x${version.toString(16).padStart(8, '0')} is not a strict Thrift Binary message header`, streamOffset);
    }
    const messageType = version & 0xff;
    if (messageType < 1 || messageType > 4) throw badFrame(`Thrift message type ${messageType} is not call, reply, exception or oneway`, streamOffset + 3);
    if (cursor.available < 8) return this.wait(8);
    const nameLength = cursor.i32At(4);
    if (nameLength < 0 || nameLength > this.maxSize - 12) {
      throw badFrame(`Thrift method name length ${nameLength} is negative or over the frame limit`, streamOffset + 4);
    }
    if (cursor.available < 12 + nameLength) return this.wait(12 + nameLength);
    this.commit(cursor, 12 + nameLength);
    this.inBody = true;
    this.enter(STRUCT, 0, 0, 0, streamOffset + this.position);
    return true;
  }

  /**
   * One step: an optional field header plus the start of a value. Scalars and strings are taken
   * whole; a struct or container is entered. Nothing is committed unless all of it is present.
   */
  private scanValue(cursor: LinkCursor, type: number, headerBytes: number, parent: number, streamOffset: number): boolean {
    const at = headerBytes;
    const fixed = FIXED_SIZE[type] as number;
    if (fixed < 0) throw badFrame(`Thrift type id ${type} is not a valid type`, streamOffset + this.position);
    let size: number;
    let enter = -1;
    let keyType = 0;
    let valueType = 0;
    let count = 0;
    if (fixed > 0) {
      size = at + fixed;
    } else if (type === T.STRING) {
      if (cursor.available < at + 4) return this.wait(at + 4);
      const length = cursor.i32At(at);
      this.checkLength(length, 1, streamOffset, at);
      size = at + 4 + length;
    } else if (type === T.STRUCT) {
      size = at;
      enter = STRUCT;
    } else if (type === T.MAP) {
      if (cursor.available < at + 6) return this.wait(at + 6);
      keyType = cursor.u8At(at);
      valueType = cursor.u8At(at + 1);
      count = cursor.i32At(at + 2);
      const keySize = this.elementSize(keyType, streamOffset, at);
      const valueSize = this.elementSize(valueType, streamOffset, at + 1);
      this.checkLength(count, minSizeOf(keyType) + minSizeOf(valueType), streamOffset, at + 2);
      if (keySize > 0 && valueSize > 0) {
        size = at + 6 + count * (keySize + valueSize);
      } else {
        size = at + 6;
        if (count > 0) enter = MAP;
      }
    } else {
      if (cursor.available < at + 5) return this.wait(at + 5);
      valueType = cursor.u8At(at);
      count = cursor.i32At(at + 1);
      const elementSize = this.elementSize(valueType, streamOffset, at);
      this.checkLength(count, minSizeOf(valueType), streamOffset, at + 1);
      if (elementSize > 0) {
        size = at + 5 + count * elementSize;
      } else {
        size = at + 5;
        if (count > 0) enter = LIST;
      }
    }
    if (this.position + size > this.maxSize) {
      throw badFrame(`Thrift message is larger than the ${this.maxSize}-byte frame limit`, streamOffset + this.position);
    }
    if (cursor.available < size) return this.wait(size);
    const valueOffset = streamOffset + this.position;
    if (enter >= 0) this.enter(enter, keyType, valueType, enter === MAP ? count * 2 : count, valueOffset);
    this.commitValue(cursor, size, parent);
    return true;
  }

  /** Fixed wire size of a container element type, 0 when variable, throwing for invalid ids. */
  private elementSize(type: number, streamOffset: number, at: number): number {
    const size = FIXED_SIZE[type] as number;
    if (size < 0 || type === T.STOP) throw badFrame(`Thrift container element type id ${type} is not a valid type`, streamOffset + this.position + at);
    return size;
  }

  /** Rejects negative lengths, and counts of `unitSize`-byte items that cannot fit the frame limit. */
  private checkLength(length: number, unitSize: number, streamOffset: number, at: number): void {
    if (length < 0 || length * unitSize > this.maxSize - this.position) {
      throw badFrame(`Thrift length or count ${length} is negative or over the frame limit`, streamOffset + this.position + at);
    }
  }

  /** Enters a struct or container; `offset` (the stream offset of the value) names it in errors. */
  private enter(kind: number, keyType: number, valueType: number, count: number, offset: number): void {
    if (this.depth >= this.maxDepth) {
      throw new HeddleError(ErrorCode.ERR_DEPTH_LIMIT, `Thrift message nests deeper than ${this.maxDepth} levels`, { offset });
    }
    this.push(kind, keyType, valueType, count);
  }

  /** Records that `n` bytes past the scan position must be present to go on; returns false. */
  private wait(n: number): false {
    this.needed = this.position + n;
    return false;
  }

  /** {@link wait}, answering "need more" from `scan`. */
  private more(n: number): number {
    this.wait(n);
    return MORE;
  }

}

/** A Thrift message header: what a call is about. */
export interface ThriftMessageHeader {
  name: string;
  /** 1 call, 2 reply, 3 exception, 4 oneway. */
  type: number;
  seqId: number;
  /** Bytes the header takes; the body struct starts here. */
  size: number;
}

/**
 * Parses the strict Thrift Binary message header at the start of `payload` without consuming it.
 * Throws `ERR_BAD_FRAME` (with `messageOffset` added to the offset) when it is not one.
 */
export function peekThriftMessageHeader(payload: LinkBuffer, messageOffset = 0): ThriftMessageHeader {
  const cursor = new LinkCursor(payload);
  if (payload.length < 12) throw badFrame(`Thrift message of ${payload.length} bytes is shorter than a message header`, messageOffset);
  const version = cursor.u32At(0);
  if ((version & THRIFT_VERSION_MASK) >>> 0 !== THRIFT_BINARY_VERSION_1) {
    throw badFrame(`0x${version.toString(16).padStart(8, '0')} is not a strict Thrift Binary message header`, messageOffset);
  }
  const nameLength = cursor.i32At(4);
  if (nameLength < 0 || nameLength > payload.length - 12) {
    throw badFrame(`Thrift method name length ${nameLength} runs past the message`, messageOffset + 4);
  }
  return {
    name: Buffer.from(cursor.bytesAt(8, nameLength)).toString('utf8'),
    type: version & 0xff,
    seqId: cursor.i32At(8 + nameLength),
    size: 12 + nameLength,
  };
}
