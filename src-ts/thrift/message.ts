/**
 * Thrift message envelopes: `(name, type, seqId)` then one struct (a method's args or result, or
 * a TApplicationException). Binary writes the strict header `0x80010000 | type`, name, seqId and
 * reads the old non-strict form too; Compact writes `0x82`, version|type, varint seqId, name.
 */
import { ErrorCode, HeddleError } from '../errors.js';
import type { Codec } from './codec.js';
import { badLength, badValue, toHeddleError, truncated } from './runtime/codec-failure.js';
import { ReadState } from './runtime/read-state.js';
import { writeStringBinary, writeStringCompact } from './runtime/strings.js';
import { readVarint32, writeVarint32 } from './runtime/varint.js';
import { acquireWriteBuffer, releaseWriteBuffer, type WriteBuffer } from './runtime/write-buffer.js';
import { decodeUtf8 } from '../kernels/index.js';
import {
  BINARY_VERSION_1,
  BINARY_VERSION_MASK,
  COMPACT_PROTOCOL_ID,
  COMPACT_VERSION,
  MessageType,
} from './wire-types.js';

/** The envelope of a message. */
export interface MessageHeader {
  /** Method name. */
  name: string;
  /** CALL (1), REPLY (2), EXCEPTION (3) or ONEWAY (4). */
  type: MessageType;
  /** Sequence id pairing a reply with its call; an int32. */
  seqId: number;
}

/** A decoded envelope and where its body starts. */
export interface DecodedMessageHeader extends MessageHeader {
  /** Offset of the body struct in the input. */
  bodyOffset: number;
}

/** A decoded message: envelope and body. */
export interface DecodedMessage<T> {
  header: DecodedMessageHeader;
  body: T;
}

function checkHeader(header: MessageHeader): void {
  const { name, type, seqId } = header;
  if (typeof name !== 'string') throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'message name must be a string');
  if (type !== 1 && type !== 2 && type !== 3 && type !== 4) {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `message type must be 1..4, got ${String(type)}`);
  }
  if ((seqId | 0) !== seqId) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `seqId must be an int32, got ${String(seqId)}`);
}

function writeHeader(writer: WriteBuffer, protocol: 'binary' | 'compact', header: MessageHeader): void {
  let pos = writer.pos;
  let buf = writer.buf;
  if (pos + 16 > buf.length) buf = writer.grow(pos, 16);
  if (protocol === 'binary') {
    const first = BINARY_VERSION_1 | header.type;
    buf[pos] = first >>> 24;
    buf[pos + 1] = first >>> 16;
    buf[pos + 2] = first >>> 8;
    buf[pos + 3] = first;
    pos = writeStringBinary(writer, pos + 4, header.name);
    buf = writer.buf;
    if (pos + 4 > buf.length) buf = writer.grow(pos, 4);
    buf[pos] = header.seqId >>> 24;
    buf[pos + 1] = header.seqId >>> 16;
    buf[pos + 2] = header.seqId >>> 8;
    buf[pos + 3] = header.seqId;
    pos += 4;
  } else {
    buf[pos] = COMPACT_PROTOCOL_ID;
    buf[pos + 1] = COMPACT_VERSION | (header.type << 5);
    pos = writeVarint32(buf, pos + 2, header.seqId);
    pos = writeStringCompact(writer, pos, header.name);
  }
  writer.pos = pos;
}

/**
 * Encodes a whole message: `header`, then `body` with `bodyCodec` (its protocol is the
 * message's). Errors are HeddleErrors as from `codec.encode`.
 */
export function encodeMessage<T>(header: MessageHeader, bodyCodec: Codec<T>, body: T): Uint8Array {
  return encodeMessageWith(header, bodyCodec, body, Infinity, (writer, maxSize) => writer.finish(maxSize));
}

/**
 * Encodes a whole message as {@link encodeMessage} does, as parts to write out in order: `binary`
 * values of at least `linkFrom` bytes are parts of their own, the values themselves, not copies
 * (the encoder copies only the bytes around them). Those values are read when the parts are
 * written, so they must not change until then. Used by RPC over shared memory, whose write copies
 * every part once into the shared slices anyway.
 */
export function encodeMessageParts<T>(header: MessageHeader, bodyCodec: Codec<T>, body: T, linkFrom: number): Uint8Array[] {
  return encodeMessageWith(header, bodyCodec, body, linkFrom, (writer, maxSize) => writer.finishParts(maxSize));
}

function encodeMessageWith<T, R>(header: MessageHeader, bodyCodec: Codec<T>, body: T, linkFrom: number, finish: (writer: WriteBuffer, maxSize: number) => R): R {
  checkHeader(header);
  const writer = acquireWriteBuffer(linkFrom);
  try {
    writeHeader(writer, bodyCodec.protocol, header);
    bodyCodec.writeInto(writer, body);
    return finish(writer, bodyCodec.options.maxSize);
  } catch (error) {
    // The body's errors already name their field (`add_args.num1`): keep that path.
    if (error instanceof HeddleError && error.path !== undefined) throw error;
    throw toHeddleError(error, `message '${header.name}'`);
  } finally {
    releaseWriteBuffer(writer);
  }
}

/** The envelope of a message alone, for a body whose bytes already exist (`client.callRaw`). */
export function encodeMessageHeader(header: MessageHeader, protocol: 'binary' | 'compact'): Uint8Array {
  checkHeader(header);
  const writer = acquireWriteBuffer();
  try {
    writeHeader(writer, protocol, header);
    return writer.finish(Number.MAX_SAFE_INTEGER);
  } finally {
    releaseWriteBuffer(writer);
  }
}

function readI32(buf: Uint8Array, pos: number): number {
  return (buf[pos]! << 24) | (buf[pos + 1]! << 16) | (buf[pos + 2]! << 8) | buf[pos + 3]!;
}

function readBinaryName(state: ReadState, pos: number, length: number): string {
  if (length < 0 || length > state.end - pos) throw badLength(pos - 4, 'message name length', length, state.end - pos);
  return decodeUtf8(state.buf, pos, pos + length);
}

function messageType(type: number, offset: number): MessageType {
  if (type < MessageType.CALL || type > MessageType.ONEWAY) throw badValue(offset, `message type ${type} is not 1..4`);
  return type as MessageType;
}

function readHeader(state: ReadState, protocol: 'binary' | 'compact'): DecodedMessageHeader {
  const buf = state.buf;
  const end = state.end;
  if (protocol === 'binary') {
    if (end < 4) throw truncated(0, 'a message header');
    const first = readI32(buf, 0);
    if (first < 0) {
      if ((first & BINARY_VERSION_MASK) !== BINARY_VERSION_1) {
        throw badValue(0, `bad Binary message version 0x${(first >>> 16).toString(16)}`);
      }
      const type = messageType(first & 0xff, 3);
      if (end < 8) throw truncated(4, 'a message name length');
      const length = readI32(buf, 4);
      const name = readBinaryName(state, 8, length);
      const at = 8 + length;
      if (at + 4 > end) throw truncated(at, 'a seqId');
      return { name, type, seqId: readI32(buf, at), bodyOffset: at + 4 };
    }
    // Non-strict (pre-0.9) form: the first i32 is the name's length, then a type byte.
    const name = readBinaryName(state, 4, first);
    const at = 4 + first;
    if (at + 5 > end) throw truncated(at, 'a message type and seqId');
    return { name, type: messageType(buf[at]!, at), seqId: readI32(buf, at + 1), bodyOffset: at + 5 };
  }
  if (end < 2) throw truncated(0, 'a message header');
  if (buf[0] !== COMPACT_PROTOCOL_ID) throw badValue(0, `bad Compact protocol id 0x${buf[0]!.toString(16)}`);
  if ((buf[1]! & 0x1f) !== COMPACT_VERSION) throw badValue(1, `bad Compact version ${buf[1]! & 0x1f}`);
  const type = messageType(buf[1]! >> 5, 1);
  const seqId = readVarint32(state, 2);
  const lengthAt = state.pos;
  const length = readVarint32(state, lengthAt);
  const nameAt = state.pos;
  if (length < 0 || length > end - nameAt) throw badLength(lengthAt, 'message name length', length, end - nameAt);
  return { name: decodeUtf8(buf, nameAt, nameAt + length), type, seqId, bodyOffset: nameAt + length };
}

/** Decodes only the envelope of a message in `protocol`, e.g. to pick the method before the body. */
export function decodeMessageHeader(bytes: Uint8Array, protocol: 'binary' | 'compact' = 'binary'): DecodedMessageHeader {
  checkBytes(bytes);
  try {
    return readHeader(new ReadState(bytes, 0, bytes.length), protocol);
  } catch (error) {
    throw toHeddleError(error, 'message');
  }
}

/**
 * Decodes a whole message: the envelope, then the body with `bodyCodec` (or the codec a function
 * picks from the envelope, e.g. args for a CALL, a TApplicationException for an EXCEPTION). The
 * body must end exactly at the end of `bytes`.
 */
export function decodeMessage<T>(
  bytes: Uint8Array,
  bodyCodec: Codec<T> | ((header: DecodedMessageHeader) => Codec<T>),
  protocol?: 'binary' | 'compact',
): DecodedMessage<T> {
  checkBytes(bytes);
  const fixed = typeof bodyCodec === 'function' ? undefined : bodyCodec;
  const wire = protocol ?? fixed?.protocol ?? 'binary';
  const header = decodeMessageHeader(bytes, wire);
  const codec = fixed ?? (bodyCodec as (header: DecodedMessageHeader) => Codec<T>)(header);
  return { header, body: decodeMessageBody(bytes, header, codec, wire) };
}

/**
 * The body of a message whose envelope, `header`, was read already (in `protocol`), decoded with
 * `codec`; it must end exactly at the end of `bytes`. For callers that read the envelope first to
 * route the message (the RPC client and server), so it is not read twice.
 */
export function decodeMessageBody<T>(bytes: Uint8Array, header: DecodedMessageHeader, codec: Codec<T>, protocol: 'binary' | 'compact'): T {
  if (codec.protocol !== protocol) {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `body codec speaks ${codec.protocol}, message is ${protocol}`);
  }
  if (bytes.length > codec.options.maxSize) {
    throw new HeddleError(ErrorCode.ERR_SIZE_LIMIT, `size ${bytes.length} exceeds maxSize ${codec.options.maxSize}`, { offset: 0 });
  }
  const state = new ReadState(bytes, header.bodyOffset, bytes.length);
  const body = codec.readFrom(state);
  if (state.pos !== bytes.length) {
    throw new HeddleError(ErrorCode.ERR_BAD_VALUE, `${bytes.length - state.pos} bytes after the end of the message`, {
      offset: state.pos,
    });
  }
  return body;
}

function checkBytes(bytes: unknown): void {
  if (!(bytes instanceof Uint8Array)) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'expected a Uint8Array');
}
