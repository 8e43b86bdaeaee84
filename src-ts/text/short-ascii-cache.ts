/**
 * Short ASCII strings, decoded once and handed back when the same bytes come again.
 *
 * Creating a string costs more than reading its bytes (~70 ns for 30 ASCII bytes on Node 20,
 * whatever the method), and a fresh string used as a property key must be interned before the
 * store, several times the cost of storing with a key V8 already knows. The short strings
 * messages carry (map keys, tags, enum-like values, names) repeat from message to message, so the
 * Thrift and Protobuf decoders both look them up here first, hashing while they scan for ASCII,
 * as msgpack decoders cache map keys. A miss costs the hash and one store; a collision evicts.
 */
interface NodeBufferSlices {
  latin1Slice(this: Uint8Array, start: number, end: number): string;
}

/** Strings up to this many bytes are cached. */
export const CACHED_ASCII_BYTES = 16;
/** Strings up to this many bytes are built in JavaScript: below it a native call's fixed cost dominates. */
const BUILT_IN_JS = 8;
const CACHE_SLOTS = 4096;
const cache: string[] = new Array<string>(CACHE_SLOTS).fill('');
/** Node's native Latin-1 decoder, identical to the bytes on ASCII; undefined outside Node. */
const latin1Slice = (globalThis as { Buffer?: { prototype: NodeBufferSlices } }).Buffer?.prototype.latin1Slice;

/**
 * buf[start, end), at most CACHED_ASCII_BYTES long, as a string when every byte is ASCII (the
 * cached string when these bytes were decoded before); undefined when a byte is 0x80 or above,
 * for the caller to decode and validate as UTF-8.
 */
export function cachedAscii(buf: Uint8Array, start: number, end: number): string | undefined {
  const length = end - start;
  let hash = length;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c >= 0x80) return undefined;
    hash = Math.imul(hash ^ c, 0x01000193);
  }
  const slot = (hash >>> 8) & (CACHE_SLOTS - 1);
  const cached = cache[slot]!;
  if (cached.length === length) {
    let i = 0;
    while (i < length && cached.charCodeAt(i) === buf[start + i]) i++;
    if (i === length) return cached;
  }
  let text: string;
  if (length <= BUILT_IN_JS || latin1Slice === undefined) {
    text = '';
    for (let i = start; i < end; i++) text += String.fromCharCode(buf[i]!);
  } else {
    text = latin1Slice.call(buf, start, end);
  }
  cache[slot] = text;
  return text;
}
