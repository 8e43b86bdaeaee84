import { cachedAscii, CACHED_ASCII_BYTES } from '../text/short-ascii-cache.js';
import { badFrame } from './limits.js';
import type { TTHeader } from './ttheader.js';
import { isKnownProtocolId, TTHeaderInfo, TTHeaderLayout as L } from './ttheader-layout.js';

/**
 * Decodes the fixed fields and the variable header of one TTHeader frame. `header` holds the
 * frame's first `14 + HEADER SIZE * 4` bytes, whose LENGTH, magic and size the caller has checked;
 * parsing never reads past its end. `frameOffset` is the frame's stream offset, for errors.
 */
export function decodeTTHeader(header: Uint8Array, frameOffset: number): TTHeader {
  const bytes = Buffer.isBuffer(header) ? header : Buffer.from(header.buffer, header.byteOffset, header.byteLength);
  const end = bytes.length;
  const protocolId = bytes[L.PROTOCOL_ID] as number;
  if (!isKnownProtocolId(protocolId)) {
    throw badFrame(`TTHeader protocol id 0x${protocolId.toString(16)} is not one TTHeader defines`, frameOffset + L.PROTOCOL_ID);
  }
  const transformCount = bytes[L.TRANSFORM_COUNT] as number;
  if (L.TRANSFORM_IDS + transformCount > end) {
    throw badFrame(`TTHeader lists ${transformCount} transforms but the header ends first`, frameOffset + L.TRANSFORM_COUNT);
  }
  const transforms: number[] = [];
  for (let i = 0; i < transformCount; i++) transforms.push(bytes[L.TRANSFORM_IDS + i] as number);
  const result: TTHeader = {
    flags: ((bytes[L.FLAGS] as number) << 8) | (bytes[L.FLAGS + 1] as number),
    seqId: ((bytes[L.SEQ_ID] as number) << 24) | ((bytes[L.SEQ_ID + 1] as number) << 16) | ((bytes[L.SEQ_ID + 2] as number) << 8) | (bytes[L.SEQ_ID + 3] as number),
    protocolId,
    transforms,
    intInfo: new Map(),
    strInfo: new Map(),
  };

  const reader = new HeaderReader(bytes, frameOffset);
  reader.at = L.TRANSFORM_IDS + transformCount;
  while (reader.at < end) {
    const infoAt = reader.at;
    const id = bytes[reader.at++] as number;
    switch (id) {
      case TTHeaderInfo.PADDING:
        break;
      case TTHeaderInfo.KEY_VALUE: {
        const count = reader.u16('KEYVALUE count');
        for (let i = 0; i < count; i++) {
          const key = reader.string('KEYVALUE key');
          result.strInfo.set(key, reader.string('KEYVALUE value'));
        }
        break;
      }
      case TTHeaderInfo.INT_KEY_VALUE: {
        const count = reader.u16('INTKEYVALUE count');
        for (let i = 0; i < count; i++) {
          const key = reader.u16('INTKEYVALUE key');
          result.intInfo.set(key, reader.string('INTKEYVALUE value'));
        }
        break;
      }
      case TTHeaderInfo.ACL_TOKEN:
        result.aclToken = reader.string('ACL token');
        break;
      default:
        throw badFrame(`TTHeader info block id 0x${id.toString(16)} is unknown`, frameOffset + infoAt);
    }
  }
  return result;
}

/** Bounds-checked reads inside one header. */
class HeaderReader {
  at = 0;

  constructor(
    private readonly bytes: Buffer,
    private readonly frameOffset: number,
  ) {}

  u16(what: string): number {
    if (this.at + 2 > this.bytes.length) throw badFrame(`TTHeader ${what} runs past the header end`, this.frameOffset + this.at);
    const value = ((this.bytes[this.at] as number) << 8) | (this.bytes[this.at + 1] as number);
    this.at += 2;
    return value;
  }

  string(what: string): string {
    const lengthAt = this.at;
    const length = this.u16(`${what} length`);
    if (this.at + length > this.bytes.length) {
      throw badFrame(`TTHeader ${what} of ${length} bytes runs past the header end`, this.frameOffset + lengthAt);
    }
    const start = this.at;
    this.at += length;
    // Header keys and most values are short ASCII repeated on every frame of a connection
    // (method, service names, metainfo keys): the shared cache hands back the same strings.
    const ascii = length <= CACHED_ASCII_BYTES ? cachedAscii(this.bytes, start, this.at) : undefined;
    return ascii ?? this.bytes.toString('utf8', start, this.at);
  }
}
