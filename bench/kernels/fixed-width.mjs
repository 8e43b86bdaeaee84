// Fixed-width array kernels: big-endian (byte swap) and little-endian (copy) decode and encode.
import { createRequire } from 'node:module';
import { SIZES } from './crossover.mjs';

const require = createRequire(import.meta.url);
const kernels = require('../../dist/kernels/index.js');
const twin = require('../../dist/kernels/fixed-width.js');
const native = require('../../dist/kernels/native-kernels.js');

// Thrift list headers put elements at odd offsets; measure that, not the aligned best case.
const OFFSET = 5;

const TYPES = [
  { name: 'f64', Array: Float64Array, be: ['decodeFloat64BE', 'encodeFloat64BE'], le: ['decodeFloat64LE', 'encodeFloat64LE'] },
  { name: 'i64', Array: BigInt64Array, be: ['decodeInt64BE', 'encodeInt64BE'], le: ['decodeInt64LE', 'encodeInt64LE'] },
  { name: 'i32', Array: Int32Array, be: ['decodeInt32BE', 'encodeInt32BE'], le: ['decodeInt32LE', 'encodeInt32LE'] },
  { name: 'i16', Array: Int16Array, be: ['decodeInt16BE', 'encodeInt16BE'] },
];

function randomBytes(n) {
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i++) bytes[i] = (i * 2654435761) >>> 24;
  return bytes;
}

/** @param {import('./crossover.mjs').Crossover} crossover */
export async function run(crossover) {
  for (const { name, Array: T, be, le } of TYPES) {
    const width = T.BYTES_PER_ELEMENT;
    for (const size of SIZES) {
      const bytes = size * width;
      const src = randomBytes(OFFSET + bytes);
      const values = new T(src.slice(OFFSET, OFFSET + bytes).buffer);
      const dst = new Uint8Array(OFFSET + bytes);
      await crossover.measure(`decode ${name} BE`, size, {
        heddle: () => kernels[be[0]](src, OFFSET, size),
        native: () => native.swapDecode(src, OFFSET, new T(size)),
        ts: () => twin.decodeFixed(src, OFFSET, new T(size), false),
      }, bytes);
      await crossover.measure(`encode ${name} BE`, size, {
        heddle: () => kernels[be[1]](values, dst, OFFSET),
        native: () => native.swapEncode(values, dst, OFFSET),
        ts: () => twin.encodeFixed(values, dst, OFFSET, false),
      }, bytes);
      if (le === undefined) continue;
      // Same byte order as the host: the twin is TypedArray#set, the native side a memcpy.
      await crossover.measure(`decode ${name} LE`, size, {
        heddle: () => kernels[le[0]](src, OFFSET, size),
        native: () => native.copyDecode(src, OFFSET, new T(size)),
        ts: () => twin.decodeFixed(src, OFFSET, new T(size), true),
      }, bytes);
    }
  }
}
