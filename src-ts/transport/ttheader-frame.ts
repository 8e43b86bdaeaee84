import { LinkBuffer } from '../buffer/link-buffer.js';
import type { TTHeaderFrame } from './frame.js';
import { checkDeclaredLength } from './frame-length.js';
import { badFrame, type ResolvedLimits } from './limits.js';
import { envelopeOf, payloadProtocolOf } from './payload-protocol.js';
import { THRIFT_BINARY_VERSION_1, THRIFT_VERSION_MASK } from './thrift-binary-scan.js';
import { isThriftCompactStart } from './thrift-compact-scan.js';
import { decodeTTHeader, decodeTTHeaderAt } from './ttheader-decode.js';
import { TTHEADER_MAGIC, TTHEADER_MAX_LENGTH, TTHeaderLayout as L } from './ttheader-layout.js';

const KITEX_PROTOBUF_VERSION = 0x90010000;

/** LENGTH covers at least magic, flags, sequence id and header size. */
const MIN_LENGTH = L.FIXED_SIZE - 4;

/**
 * Reads one TTHeader or TTHeaderFramed frame from the start of `input` (stream offset `offset`),
 * or returns undefined, consuming nothing, until all of it has arrived. Every fixed field is
 * checked as soon as its bytes are present, so a bad LENGTH, magic or header size fails before
 * the body is buffered.
 */
export function readTTHeaderFrame(input: LinkBuffer, offset: number, limits: ResolvedLimits): TTHeaderFrame | undefined {
  if (input.length < 4) return undefined;
  const length = input.peekUint32At(L.LENGTH);
  checkLength(length, offset, limits);
  if (input.length < 8) return undefined;
  checkMagic(input.peekUint16At(L.MAGIC), offset);
  if (input.length < L.FIXED_SIZE) return undefined;
  const headerEnd = headerEndOf(input.peekUint16At(L.HEADER_SIZE), length, offset, limits);
  if (input.length < length + 4) return undefined;

  const header = decodeTTHeader(input.peek(headerEnd), offset);
  input.skip(headerEnd);
  const payloadLength = length + 4 - headerEnd;
  const innerFramed = payloadLength >= 8 && isInnerFramed(input.peekUint32At(0), input.peekUint32At(4), payloadLength, offset + headerEnd);
  if (innerFramed) input.skip(4);
  return assemble(header, input.slice(innerFramed ? payloadLength - 4 : payloadLength), innerFramed, offset, length + 4, headerEnd);
}

/**
 * Reads one TTHeader or TTHeaderFramed frame lying whole in `bytes` from `at` (stream offset
 * `offset`), or returns undefined when `bytes` ends first. The header is decoded from `bytes` in
 * place. The payload is written into `payloadSink` (copied, or linked from 4 KiB as
 * `LinkBuffer.writeBinary` does; always copied with `copy`, for bytes about to be reused), whose
 * slice becomes the frame's payload; without a sink, for bytes the frame may keep, it is linked
 * where it lies. The checks are
 * {@link readTTHeaderFrame}'s: this is its path for a chunk that starts with whole frames, which
 * skips buffering the header only to read it back.
 */
export function readWholeTTHeaderFrame(bytes: Uint8Array, at: number, offset: number, limits: ResolvedLimits, payloadSink: LinkBuffer | undefined, copy = false): TTHeaderFrame | undefined {
  const available = bytes.length - at;
  if (available < L.FIXED_SIZE) return undefined;
  const length = u32(bytes, at + L.LENGTH);
  checkLength(length, offset, limits);
  checkMagic((bytes[at + L.MAGIC]! << 8) | bytes[at + L.MAGIC + 1]!, offset);
  const headerEnd = headerEndOf((bytes[at + L.HEADER_SIZE]! << 8) | bytes[at + L.HEADER_SIZE + 1]!, length, offset, limits);
  if (available < length + 4) return undefined;

  const header = decodeTTHeaderAt(bytes, at, at + headerEnd, offset);
  const payloadLength = length + 4 - headerEnd;
  const payloadAt = at + headerEnd;
  const innerFramed = payloadLength >= 8 && isInnerFramed(u32(bytes, payloadAt), u32(bytes, payloadAt + 4), payloadLength, offset + headerEnd);
  const messageAt = innerFramed ? payloadAt + 4 : payloadAt;
  const messageLength = at + length + 4 - messageAt;
  // A plain view: Buffer#subarray costs several times more on a small frame.
  const message = new Uint8Array(bytes.buffer, bytes.byteOffset + messageAt, messageLength);
  if (payloadSink === undefined) return assemble(header, LinkBuffer.from(message), innerFramed, offset, length + 4, headerEnd);
  if (copy) payloadSink.writeCopy(message);
  else payloadSink.writeBinary(message);
  payloadSink.flush();
  return assemble(header, payloadSink.slice(messageLength), innerFramed, offset, length + 4, headerEnd);
}

function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

function checkLength(length: number, offset: number, limits: ResolvedLimits): void {
  checkDeclaredLength(length, offset, limits, 'TTHeader LENGTH', { max: TTHEADER_MAX_LENGTH });
  if (length < MIN_LENGTH) throw badFrame(`TTHeader LENGTH ${length} is too small for the fixed header`, offset);
}

function checkMagic(magic: number, offset: number): void {
  if (magic !== TTHEADER_MAGIC) throw badFrame(`TTHeader magic 0x${magic.toString(16)} is not 0x1000`, offset + L.MAGIC);
}

/** Where the variable header ends, from the HEADER SIZE field (in 4-byte units), checked against
 * the limit and the frame's LENGTH. */
function headerEndOf(headerSizeUnits: number, length: number, offset: number, limits: ResolvedLimits): number {
  const headerSize = headerSizeUnits * 4;
  if (headerSize === 0) throw badFrame('TTHeader HEADER SIZE is zero: no room for the protocol id', offset + L.HEADER_SIZE);
  if (headerSize > limits.maxHeaderSize) {
    throw badFrame(`TTHeader header of ${headerSize} bytes exceeds the ${limits.maxHeaderSize}-byte limit`, offset + L.HEADER_SIZE);
  }
  const headerEnd = L.FIXED_SIZE + headerSize;
  if (headerEnd > length + 4) {
    throw badFrame(`TTHeader header of ${headerSize} bytes runs past the ${length + 4}-byte frame`, offset + L.HEADER_SIZE);
  }
  return headerEnd;
}

/** Whether a payload whose first two words are `first` and `second` is TTHeaderFramed: a u32
 * length, then a message, where the payload does not itself start like a bare message. */
function isInnerFramed(first: number, second: number, payloadLength: number, payloadOffset: number): boolean {
  const secondMagic = (second & THRIFT_VERSION_MASK) >>> 0;
  const bareThrift = (first & THRIFT_VERSION_MASK) >>> 0 === THRIFT_BINARY_VERSION_1 || isThriftCompactStart(first >>> 16);
  if (bareThrift || !(secondMagic === THRIFT_BINARY_VERSION_1 || secondMagic === KITEX_PROTOBUF_VERSION || isThriftCompactStart(second >>> 16))) return false;
  if (first !== payloadLength - 4) {
    throw badFrame(`TTHeaderFramed inner length ${first} contradicts the ${payloadLength - 4}-byte payload`, payloadOffset);
  }
  return true;
}

function assemble(header: TTHeaderFrame['header'], payload: LinkBuffer, innerFramed: boolean, offset: number, size: number, headerEnd: number): TTHeaderFrame {
  const frame: TTHeaderFrame = {
    kind: innerFramed ? 'ttheader-framed' : 'ttheader',
    offset,
    size,
    header,
    payload,
    payloadProtocol: payloadProtocolOf(payload),
  };
  if (frame.payloadProtocol === 'kitex-protobuf') frame.envelope = envelopeOf(payload, offset + headerEnd + (innerFramed ? 4 : 0));
  return frame;
}
