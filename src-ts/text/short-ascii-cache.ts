/**
 * Short strings, decoded once and handed back when the same bytes come again: ASCII for every
 * caller ({@link cachedAscii}), strict UTF-8 for the decoders of text fields ({@link cachedText}).
 *
 * Creating a string costs more than reading its bytes (~70 ns for 30 ASCII bytes on Node 20,
 * whatever the method), and a fresh string used as a property key must be interned before the
 * store, several times the cost of storing with a key V8 already knows. The short strings
 * messages carry (map keys, tags, enum-like values, names) repeat from message to message, so the
 * Thrift and Protobuf decoders both look them up here first, hashing while they scan for ASCII,
 * as msgpack decoders cache map keys. A miss costs the hash and one store; a collision evicts.
 * Non-ASCII text repeats too (Chinese map keys such as 颜色, provinces, cities, sizes), and
 * decoding it costs more than ASCII, so it shares the slots.
 *
 * A string is stored only on its second miss in a row in its slot ({@link missedHashes}): the
 * strings of a stream that never repeats (nicknames, phone numbers, short titles) would otherwise
 * each sit in a slot of the old-space `cache` array while young, and every scavenge would copy
 * them and their remembered-set entries. On the realistic order stream (bench/realistic/) that
 * was most of the decoders' scavenge time: Thrift Binary's `scavenge.parallel` went from 20-30 ms
 * to 0.6 ms over 20 scavenges, Protobuf's from 39-54 ms to under 1 ms (node --single-threaded-gc
 * --trace-gc-nvp). A repeating string pays one more decode before it is cached.
 */
import { asciiText, latin1Slice } from './ascii-window.js';
import { decodeShortNonAscii } from './utf8-read.js';

/** Strings up to this many bytes are cached. */
export const CACHED_ASCII_BYTES = 32;
/** Strings up to this many bytes are built in JavaScript: below it a native call's fixed cost dominates. */
const BUILT_IN_JS = 8;
const CACHE_SLOTS = 4096;
/** Each slot's bytes as little-endian 32-bit words, then the 0-3 bytes left over (zero-padded). */
const WORDS_PER_SLOT = CACHED_ASCII_BYTES / 4 + 1;
const cache: string[] = new Array<string>(CACHE_SLOTS).fill('');
const cachedLengths = new Int32Array(CACHE_SLOTS).fill(-1);
const cachedWords = new Int32Array(CACHE_SLOTS * WORDS_PER_SLOT);

/** buf[i, i + 4) as a little-endian int32. */
function wordAt(buf: Uint8Array, i: number): number {
  return buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24);
}

/**
 * Per slot, the hash of the last string that missed there and was not stored: a miss with the
 * same hash (the same bytes, barring a collision, which costs only a needless store) is a
 * string seen twice, and is stored.
 */
const missedHashes = new Int32Array(CACHE_SLOTS);

/** Lookups that found their bytes in no slot; see {@link cacheMisses}. */
let misses = 0;

/**
 * How many lookups so far found their bytes in no slot and made a string: strings are values in
 * JavaScript, so this count is how tests (and anyone diagnosing a decoder) can tell a hit from a miss.
 */
export function cacheMisses(): number {
  return misses;
}

/** The words of the bytes being looked up, kept while hashing for the compare and the store. */
const scratchWords = new Int32Array(WORDS_PER_SLOT);

/**
 * buf[start, end), at most CACHED_ASCII_BYTES long, as a string when every byte is ASCII (the
 * cached string when these bytes were decoded before); undefined when a byte is 0x80 or above,
 * for the caller to decode and validate as UTF-8.
 */
export function cachedAscii(buf: Uint8Array, start: number, end: number): string | undefined {
  return lookup(buf, start, end, false);
}

/**
 * buf[start, end), at most CACHED_ASCII_BYTES long, decoded as strict UTF-8 (the cached string
 * when these bytes were decoded before). Invalid UTF-8 throws what decodeShortNonAscii throws
 * (ERR_BAD_VALUE with the offset of the first bad byte) and is not cached.
 */
export function cachedText(buf: Uint8Array, start: number, end: number): string {
  return lookup(buf, start, end, true)!;
}

/**
 * The bytes are hashed, tested for ASCII and compared with the slot's copy four at a time, as
 * words: comparing with the cached string itself, char by char, cost twice as much. The words are
 * read from `buf` once, into `scratchWords`: a hit on the decoders' short strings measured about
 * 15 ns that way, against 19.5 ns reading them again for the compare. Text that is not ASCII is
 * looked up only when `nonAscii`; a miss decodes it strictly before anything is stored, and
 * stores it only when its slot saw the same hash miss last. An ASCII miss not stored is cut from
 * the decoder's window when one is open (text/ascii-window.ts).
 */
function lookup(buf: Uint8Array, start: number, end: number, nonAscii: boolean): string | undefined {
  const length = end - start;
  let hash = length;
  let highBits = 0;
  let i = start;
  let words = 0;
  for (; i + 4 <= end; i += 4) {
    const word = wordAt(buf, i);
    scratchWords[words++] = word;
    highBits |= word;
    hash = Math.imul(hash ^ word, 0x01000193);
  }
  let tail = 0;
  for (let shift = 0; i < end; i++, shift += 8) tail |= buf[i]! << shift;
  highBits |= tail;
  const ascii = (highBits & 0x80808080) === 0;
  if (!ascii && !nonAscii) return undefined;
  hash = Math.imul(hash ^ tail, 0x01000193);
  // A product only carries a difference upwards, so one in a word's top byte stays in the top
  // byte: folding the high half down before taking slot bits is what lets keys that differ there
  // (simple-0 ... simple-9) have slots of their own instead of evicting each other.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  const slot = hash & (CACHE_SLOTS - 1);
  const base = slot * WORDS_PER_SLOT;
  if (cachedLengths[slot] === length) {
    let k = 0;
    while (k < words && cachedWords[base + k] === scratchWords[k]) k++;
    if (k === words && cachedWords[base + k] === tail) return cache[slot];
  }
  misses++;
  const store = missedHashes[slot] === hash;
  missedHashes[slot] = hash;
  let text: string;
  if (!ascii) {
    text = decodeShortNonAscii(buf, start, end);
  } else if (length <= BUILT_IN_JS || latin1Slice === undefined) {
    text = '';
    for (let j = start; j < end; j++) text += String.fromCharCode(buf[j]!);
  } else {
    // A string kept in the cache is made alone: a slice of a window would keep the window alive.
    text = store ? latin1Slice.call(buf, start, end) : asciiText(buf, start, end);
  }
  if (!store) return text;
  for (let k = 0; k < words; k++) cachedWords[base + k] = scratchWords[k]!;
  cachedWords[base + words] = tail;
  cachedLengths[slot] = length;
  cache[slot] = text;
  return text;
}

/** How many slots hold a string: for tests of what the cache keeps. */
export function cachedStringCount(): number {
  let count = 0;
  for (let slot = 0; slot < CACHE_SLOTS; slot++) if (cachedLengths[slot] !== -1) count++;
  return count;
}
