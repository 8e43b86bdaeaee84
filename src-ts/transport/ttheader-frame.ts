import type { LinkBuffer } from '../buffer/link-buffer.js';
import type { TTHeaderFrame } from './frame.js';
import { checkDeclaredLength } from './frame-length.js';
import { badFrame, type ResolvedLimits } from './limits.js';
import { envelopeOf, payloadProtocolOf } from './payload-protocol.js';
import { THRIFT_BINARY_VERSION_1, THRIFT_VERSION_MASK } from './thrift-binary-scan.js';
import { isThriftCompactStart } from './thrift-compact-scan.js';
import { decodeTTHeader } from './ttheader-decode.js';
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
  checkDeclaredLength(length, offset, limits, 'TTHeader LENGTH', { max: TTHEADER_MAX_LENGTH });
  if (length < MIN_LENGTH) throw badFrame(`TTHeader LENGTH ${length} is too small for the fixed header`, offset);
  if (input.length < 8) return undefined;
  const magic = input.peekUint16At(L.MAGIC);
  if (magic !== TTHEADER_MAGIC) throw badFrame(`TTHeader magic 0x${magic.toString(16)} is not 0x1000`, offset + L.MAGIC);
  if (input.length < L.FIXED_SIZE) return undefined;
  const headerSize = input.peekUint16At(L.HEADER_SIZE) * 4;
  if (headerSize === 0) throw badFrame('TTHeader HEADER SIZE is zero: no room for the protocol id', offset + L.HEADER_SIZE);
  if (headerSize > limits.maxHeaderSize) {
    throw badFrame(`TTHeader header of ${headerSize} bytes exceeds the ${limits.maxHeaderSize}-byte limit`, offset + L.HEADER_SIZE);
  }
  const headerEnd = L.FIXED_SIZE + headerSize;
  if (headerEnd > length + 4) {
    throw badFrame(`TTHeader header of ${headerSize} bytes runs past the ${length + 4}-byte frame`, offset + L.HEADER_SIZE);
  }
  if (input.length < length + 4) return undefined;

  const header = decodeTTHeader(input.peek(headerEnd), offset);
  input.skip(headerEnd);
  const payloadOffset = offset + headerEnd;
  const payloadLength = length + 4 - headerEnd;
  let innerFramed = false;
  if (payloadLength >= 8) {
    const first = input.peekUint32At(0);
    const second = input.peekUint32At(4);
    const secondMagic = (second & THRIFT_VERSION_MASK) >>> 0;
    const bareThrift = (first & THRIFT_VERSION_MASK) >>> 0 === THRIFT_BINARY_VERSION_1 || isThriftCompactStart(first >>> 16);
    if (!bareThrift && (secondMagic === THRIFT_BINARY_VERSION_1 || secondMagic === KITEX_PROTOBUF_VERSION || isThriftCompactStart(second >>> 16))) {
      if (first !== payloadLength - 4) {
        throw badFrame(`TTHeaderFramed inner length ${first} contradicts the ${payloadLength - 4}-byte payload`, payloadOffset);
      }
      innerFramed = true;
      input.skip(4);
    }
  }
  const messageOffset = innerFramed ? payloadOffset + 4 : payloadOffset;
  const payload = input.slice(innerFramed ? payloadLength - 4 : payloadLength);
  const frame: TTHeaderFrame = {
    kind: innerFramed ? 'ttheader-framed' : 'ttheader',
    offset,
    size: length + 4,
    header,
    payload,
    payloadProtocol: payloadProtocolOf(payload),
  };
  if (frame.payloadProtocol === 'kitex-protobuf') frame.envelope = envelopeOf(payload, messageOffset);
  return frame;
}
