import { cachedAscii, CACHED_ASCII_BYTES } from '../text/short-ascii-cache.js';
import { badFrame } from './limits.js';
import type { TTHeader } from './ttheader.js';
import { isKnownProtocolId, TTHeaderInfo, TTHeaderLayout as L } from './ttheader-layout.js';

/**
 * Decoded variable headers (protocol id to padding), looked up by their bytes. A connection's
 * frames repeat the same header but for the sequence id, which lies before it (a Kitex client
 * writes caller, callee, method and message type on every call): a hit compares the bytes as
 * words and fills fresh maps from the entries, instead of walking the blocks and looking each
 * string up. Direct-mapped; a collision evicts.
 */
const MEMO_SLOTS = 64;
/** Variable headers up to this many bytes are remembered (a Kitex call's is about 100). */
const MEMO_MAX_BYTES = 256;

interface MemoEntry {
  /** The variable header's bytes as 32-bit words (its length is a multiple of 4). */
  readonly words: Int32Array;
  readonly protocolId: number;
  readonly transforms: readonly number[];
  readonly intKeys: readonly number[];
  readonly intValues: readonly string[];
  readonly strKeys: readonly string[];
  readonly strValues: readonly string[];
  readonly aclToken: string | undefined;
}

const memo: Array<MemoEntry | undefined> = new Array<MemoEntry | undefined>(MEMO_SLOTS).fill(undefined);
/** The words of the header being looked up, read once for the hash, the compare and the store. */
const scratchWords = new Int32Array(MEMO_MAX_BYTES / 4);

/** bytes[at, at + 4) as an int32 (byte order does not matter: only compared and hashed). */
function wordAt(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24);
}

/** The header of the frame at `bytes[start]`, built from a remembered decoding of the same
 * variable-header bytes. */
function fromMemo(entry: MemoEntry, bytes: Uint8Array, start: number): TTHeader {
  const intInfo = new Map<number, string>();
  const strInfo = new Map<string, string>();
  for (let i = 0; i < entry.intKeys.length; i++) intInfo.set(entry.intKeys[i]!, entry.intValues[i]!);
  for (let i = 0; i < entry.strKeys.length; i++) strInfo.set(entry.strKeys[i]!, entry.strValues[i]!);
  const header: TTHeader = {
    flags: fixedFlags(bytes, start),
    seqId: fixedSeqId(bytes, start),
    protocolId: entry.protocolId,
    transforms: entry.transforms.length === 0 ? [] : [...entry.transforms],
    intInfo,
    strInfo,
  };
  if (entry.aclToken !== undefined) header.aclToken = entry.aclToken;
  return header;
}

function fixedFlags(bytes: Uint8Array, start = 0): number {
  return ((bytes[start + L.FLAGS] as number) << 8) | (bytes[start + L.FLAGS + 1] as number);
}

function fixedSeqId(bytes: Uint8Array, start = 0): number {
  const at = start + L.SEQ_ID;
  return ((bytes[at] as number) << 24) | ((bytes[at + 1] as number) << 16) | ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number);
}

/**
 * Decodes the fixed fields and the variable header of one TTHeader frame. `header` holds the
 * frame's first `14 + HEADER SIZE * 4` bytes, whose LENGTH, magic and size the caller has checked;
 * parsing never reads past its end. `frameOffset` is the frame's stream offset, for errors. The
 * maps returned are the caller's own, whether decoded or filled from an earlier decoding.
 */
export function decodeTTHeader(header: Uint8Array, frameOffset: number): TTHeader {
  return decodeTTHeaderAt(header, 0, header.length, frameOffset);
}

/** {@link decodeTTHeader} of the header lying in `bytes[start, end)`, read in place. */
export function decodeTTHeaderAt(bytes: Uint8Array, start: number, end: number, frameOffset: number): TTHeader {
  const variableBytes = end - start - L.PROTOCOL_ID;
  if (variableBytes > MEMO_MAX_BYTES || (variableBytes & 3) !== 0) return decodeFresh(bytes.subarray(start, end), frameOffset);
  const count = variableBytes >>> 2;
  let hash = variableBytes;
  for (let k = 0, at = start + L.PROTOCOL_ID; k < count; k++, at += 4) {
    const word = wordAt(bytes, at);
    scratchWords[k] = word;
    hash = Math.imul(hash ^ word, 0x01000193);
  }
  const slot = (hash >>> 16) & (MEMO_SLOTS - 1);
  const entry = memo[slot];
  if (entry !== undefined && entry.words.length === count) {
    const words = entry.words;
    let k = 0;
    while (k < count && words[k] === scratchWords[k]) k++;
    if (k === count) return fromMemo(entry, bytes, start);
  }
  const decoded = decodeFresh(bytes.subarray(start, end), frameOffset);
  const words = scratchWords.slice(0, count);
  memo[slot] = {
    words,
    protocolId: decoded.protocolId,
    transforms: [...decoded.transforms],
    intKeys: [...decoded.intInfo.keys()],
    intValues: [...decoded.intInfo.values()],
    strKeys: [...decoded.strInfo.keys()],
    strValues: [...decoded.strInfo.values()],
    aclToken: decoded.aclToken,
  };
  return decoded;
}

/** Walks the variable header block by block, checking every length against its end. */
function decodeFresh(bytes: Uint8Array, frameOffset: number): TTHeader {
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
    flags: fixedFlags(bytes),
    seqId: fixedSeqId(bytes),
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
  /** `bytes` as a Buffer, for the strings the ASCII cache does not hold: one view a header. */
  private readonly text: Buffer;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly frameOffset: number,
  ) {
    this.text = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

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
    return ascii ?? this.text.toString('utf8', start, this.at);
  }
}
