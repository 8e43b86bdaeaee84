/**
 * JSON text output shared by the transcoders: strings escaped exactly as JSON.stringify escapes
 * them (so output is byte-identical to a JSON.stringify-based peer) and 64-bit integers as exact
 * decimals.
 */
import type { ByteSink } from './byte-sink.js';
import { utf8Length } from './json-reader.js';

const HEX = '0123456789abcdef';
/** For each ASCII byte: 0 copy, 1 short escape, 2 \u00XX escape. */
const ESCAPE = new Uint8Array(128);
for (let i = 0; i < 0x20; i++) ESCAPE[i] = 2;
for (const c of [0x08, 0x09, 0x0a, 0x0c, 0x0d, 0x22, 0x5c]) ESCAPE[c] = 1;
const SHORT: Record<number, number> = { 0x08: 0x62, 0x09: 0x74, 0x0a: 0x6e, 0x0c: 0x66, 0x0d: 0x72, 0x22: 0x22, 0x5c: 0x5c };

/**
 * Writes UTF-8 bytes `b[start, end)` as a quoted JSON string. Returns -1, or the offset of the
 * first invalid UTF-8 sequence (the sink then holds a partial string the caller discards).
 */
export function writeJsonString(sink: ByteSink, b: Uint8Array, start: number, end: number): number {
  sink.ensure(end - start + 2);
  sink.byte(0x22);
  let run = start;
  let i = start;
  while (i < end) {
    const c = b[i]!;
    if (c >= 0x80) {
      const n = utf8Length(b, i, end);
      if (n === 0) return i;
      i += n;
      continue;
    }
    const e = ESCAPE[c]!;
    if (e === 0) {
      i++;
      continue;
    }
    sink.bytes(b, run, i);
    if (e === 1) {
      sink.byte(0x5c);
      sink.byte(SHORT[c]!);
    } else sink.ascii(`\\u00${HEX[c >> 4]}${HEX[c & 15]}`);
    i++;
    run = i;
  }
  sink.bytes(b, run, end);
  sink.byte(0x22);
  return -1;
}

/** Decimal text of the signed 64-bit integer with halves `hi`, `lo`: exact, through a double only when it is safe. */
export function i64Text(hi: number, lo: number): string {
  if (hi >= -0x200000 && hi < 0x200000) return String(hi * 4294967296 + (lo >>> 0));
  return ((BigInt(hi) << 32n) | BigInt(lo >>> 0)).toString();
}

/** Decimal text of the unsigned 64-bit integer with halves `hi`, `lo`. */
export function u64Text(hi: number, lo: number): string {
  hi >>>= 0;
  if (hi < 0x200000) return String(hi * 4294967296 + (lo >>> 0));
  return ((BigInt(hi) << 32n) | BigInt(lo >>> 0)).toString();
}

/** Writes the decimal digits of the safe integer `v` (|v| < 2^53), as String(v) would, without making the string. */
export function writeSafeInteger(sink: ByteSink, v: number): void {
  sink.ensure(17);
  const b = sink.buf;
  if (v < 0) {
    b[sink.pos++] = 0x2d;
    v = -v;
  }
  if (v < 10) {
    b[sink.pos++] = 0x30 + v;
    return;
  }
  let digits = 1;
  for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++;
  let p = sink.pos + digits;
  sink.pos = p;
  while (v >= 10) {
    const q = Math.floor(v / 10);
    b[--p] = 0x30 + (v - q * 10);
    v = q;
  }
  b[--p] = 0x30 + v;
}
