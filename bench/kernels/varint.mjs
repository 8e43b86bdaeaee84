// Varint run kernels: count-driven runs (Thrift Compact lists) and packed ranges (Protobuf).
import { createRequire } from 'node:module';
import { SIZES } from './crossover.mjs';

const require = createRequire(import.meta.url);
const kernels = require('../../dist/kernels/index.js');
const decodeTwin = require('../../dist/kernels/varint-decode.js');
const encodeTwin = require('../../dist/kernels/varint-encode.js');
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

/** INPUTS distinct value lists, and a function returning the next one each call. */
function rotating(kind, n, wide) {
  const all = Array.from({ length: INPUTS }, (_, seed) => values(kind, n, wide, seed));
  let k = 0;
  const average = (size) => Math.round(all.reduce((sum, list) => sum + size(list), 0) / INPUTS);
  return {
    next: () => all[(k = (k + 1) % INPUTS)],
    get bytes32() { return average((list) => kernels.varint32sSize(list, true)); },
    get bytes64() { return average((list) => kernels.varint64sSize(list, true)); },
  };
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
    for (const kind of ['small', 'mixed']) {
      const lists32 = rotating(kind, size, false);
      const dst32 = new Uint8Array(OFFSET + 5 * size);
      await crossover.measure(`encode varint32s zigzag ${kind}`, size, {
        heddle: () => kernels.encodeVarint32s(lists32.next(), true, dst32, OFFSET),
        native: () => native.nativeEncodeVarints(lists32.next(), true, dst32, OFFSET),
        ts: () => encodeTwin.encodeVarint32s(lists32.next(), true, dst32, OFFSET),
      }, lists32.bytes32);
    }
    const lists64 = rotating('mixed', size, true);
    const dst64 = new Uint8Array(OFFSET + 10 * size);
    await crossover.measure('encode varint64s zigzag mixed', size, {
      heddle: () => kernels.encodeVarint64s(lists64.next(), true, dst64, OFFSET),
      native: () => native.nativeEncodeVarints(lists64.next(), true, dst64, OFFSET),
      ts: () => encodeTwin.encodeVarint64s(lists64.next(), true, dst64, OFFSET),
    }, lists64.bytes64);
    const sizeLists32 = rotating('mixed', size, false);
    await crossover.measure('varint32sSize mixed', size, {
      heddle: () => kernels.varint32sSize(sizeLists32.next(), false),
      native: () => native.nativeVarintsSize(sizeLists32.next(), false),
      ts: () => encodeTwin.varint32sSize(sizeLists32.next(), false),
    }, size * 4);
    await crossover.measure('varint64sSize mixed', size, {
      heddle: () => kernels.varint64sSize(lists64.next(), true),
      native: () => native.nativeVarintsSize(lists64.next(), true),
      ts: () => encodeTwin.varint64sSize(lists64.next(), true),
    }, size * 8);
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
