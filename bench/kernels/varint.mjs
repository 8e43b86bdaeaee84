// Varint run kernels: count-driven runs (Thrift Compact lists) and packed ranges (Protobuf).
import { createRequire } from 'node:module';
import { SIZES } from './crossover.mjs';

const require = createRequire(import.meta.url);
const kernels = require('../../dist/kernels/index.js');
const decodeTwin = require('../../dist/kernels/varint-decode.js');
const native = require('../../dist/kernels/native-kernels.js');

const OFFSET = 3;

/**
 * Values whose varints are all one byte (small ids, enums, flags) or of every length (random).
 * `seed` varies the data: a branch predictor learns one short input replayed in a loop, which
 * flatters branchy decoders; the benchmarks cycle through several inputs instead.
 */
function values(kind, n, wide, seed = 0) {
  let x = 0x9e3779b9 + seed;
  const next = () => (x = (Math.imul(x, 1664525) + 1013904223) | 0);
  const make = () => {
    if (kind === 'small') return (next() >>> 26) - 32; // -32..31: one byte under ZigZag
    const v = next() >> (next() >>> 27); // magnitudes of every size
    return v;
  };
  return wide ? BigInt64Array.from({ length: n }, () => BigInt(make()) * (kind === 'small' ? 1n : BigInt(next() >>> 12))) : Int32Array.from({ length: n }, make);
}

function wire(list, zigzag) {
  const size = list instanceof Int32Array ? kernels.varint32sSize(list, zigzag) : kernels.varint64sSize(list, zigzag);
  const bytes = new Uint8Array(OFFSET + size);
  if (list instanceof Int32Array) kernels.encodeVarint32s(list, zigzag, bytes, OFFSET);
  else kernels.encodeVarint64s(list, zigzag, bytes, OFFSET);
  return bytes;
}

const INPUTS = 8;

/** INPUTS distinct encodings of `kind` values, and a function returning the next one each call. */
function inputs(kind, n, wide, zigzag) {
  const all = Array.from({ length: INPUTS }, (_, seed) => wire(values(kind, n, wide, seed), zigzag));
  let k = 0;
  return { bytes: Math.round(all.reduce((sum, b) => sum + b.length - OFFSET, 0) / INPUTS), next: () => all[(k = (k + 1) % INPUTS)] };
}

const newInt32Array = (n) => new Int32Array(n);
const newBigInt64Array = (n) => new BigInt64Array(n);

/** @param {import('./crossover.mjs').Crossover} crossover */
export async function run(crossover) {
  for (const size of SIZES) {
    for (const kind of ['small', 'mixed']) {
      const in32 = inputs(kind, size, false, true);
      await crossover.measure(`varint32s zigzag ${kind}`, size, {
        heddle: () => kernels.decodeVarint32s(in32.next(), OFFSET, size, true),
        native: () => {
          const src = in32.next();
          const out = new Int32Array(size);
          return { values: out, end: native.nativeDecodeVarints(src, OFFSET, src.length, out, true) };
        },
        ts: () => decodeTwin.decodeVarint32s(in32.next(), OFFSET, size, true),
      }, in32.bytes);
      const in64 = inputs(kind, size, true, true);
      await crossover.measure(`varint64s zigzag ${kind}`, size, {
        heddle: () => kernels.decodeVarint64s(in64.next(), OFFSET, size, true),
        native: () => {
          const src = in64.next();
          const out = new BigInt64Array(size);
          return { values: out, end: native.nativeDecodeVarints(src, OFFSET, src.length, out, true) };
        },
        ts: () => decodeTwin.decodeVarint64s(in64.next(), OFFSET, size, true),
      }, in64.bytes);
    }
    const packed32 = inputs('mixed', size, false, false);
    await crossover.measure('packed int32 mixed', size, {
      heddle: () => { const src = packed32.next(); return kernels.decodePackedVarint32(src, OFFSET, src.length, false); },
      native: () => { const src = packed32.next(); return native.nativeDecodePacked(src, OFFSET, src.length, false, newInt32Array); },
      ts: () => { const src = packed32.next(); return decodeTwin.decodePackedVarint32(src, OFFSET, src.length, false); },
    }, packed32.bytes);
    const packed64 = inputs('mixed', size, true, false);
    await crossover.measure('packed int64 mixed', size, {
      heddle: () => { const src = packed64.next(); return kernels.decodePackedVarint64(src, OFFSET, src.length, false); },
      native: () => { const src = packed64.next(); return native.nativeDecodePacked(src, OFFSET, src.length, false, newBigInt64Array); },
      ts: () => { const src = packed64.next(); return decodeTwin.decodePackedVarint64(src, OFFSET, src.length, false); },
    }, packed64.bytes);
  }
}
