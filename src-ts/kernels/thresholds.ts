/**
 * Sizes from which a kernel runs its native implementation instead of the pure-TypeScript twin,
 * measured by the crossover benchmark: `npm run build && node bench/run.mjs kernels`
 * (bench/kernels/index.mjs prints a table of ts-time / native-time per size). `Infinity` means
 * native never won and is not used. Figures quoted: Node 20.20, x64 with AVX-512, 2 shared
 * cores, so single ratios are noisy; a threshold is where native wins from there on.
 */

/**
 * Big-endian doubles decoded natively from this many elements. ts/native: n=16 0.26,
 * n=64 1.25, n=256 1.25, n=1024 2.38, n=10240 2.70 (allocating the result dominates: 10k
 * doubles decode in ~40 µs of which ~21 µs is `new Float64Array`).
 */
export const DECODE_FLOAT64_BE_NATIVE_FROM = 64;
/** Big-endian int64s decoded natively from this many. ts/native: n=4 1.15, n=16 1.86, n=64 1.21, n=10240 5.74. */
export const DECODE_INT64_BE_NATIVE_FROM = 16;
/** Big-endian int32s decoded natively from this many. ts/native: n=16 0.38, n=64 1.28, n=256 4.24. */
export const DECODE_INT32_BE_NATIVE_FROM = 64;
/** Big-endian int16s decoded natively from this many. ts/native: n=16 0.50, n=64 2.95, n=256 7.17. */
export const DECODE_INT16_BE_NATIVE_FROM = 64;
/** Doubles encoded big-endian natively from this many. ts/native: n=16 0.91, n=64 1.59, n=1024 29.6. */
export const ENCODE_FLOAT64_BE_NATIVE_FROM = 64;
/**
 * Int64s encoded big-endian natively from this many: native won at every size (n=1 1.12,
 * n=16 1.53, n=1024 36.7), because the twin needs a 32-bit view of the BigInt64Array.
 */
export const ENCODE_INT64_BE_NATIVE_FROM = 1;
/** Int32s encoded big-endian natively from this many. ts/native: n=4 0.87, n=16 1.13, n=64 1.72. */
export const ENCODE_INT32_BE_NATIVE_FROM = 16;
/** Int16s encoded big-endian natively from this many. ts/native: n=4 0.92, n=16 1.16, n=64 1.90. */
export const ENCODE_INT16_BE_NATIVE_FROM = 16;
// Little-endian arrays on a little-endian host never go native: the twin is TypedArray#set, a
// memcpy already; a native memcpy measured ts/native 0.57-1.22 with no trend (f64 n=10240: 0.57).
// On a big-endian host they byte-swap natively with the thresholds of the same width above.

/**
 * Runs of this many varints (Thrift Compact lists) decode natively, 32- and 64-bit alike.
 * ts/native, ZigZag int32 of random lengths: n=16 0.44, n=64 1.88, n=1024 2.24, n=10240 1.59;
 * one-byte values: n=16 0.27, n=64 1.38, n=10240 3.28; int64: n=16 0.74-0.98, n=64 1.18-1.27,
 * n=10240 2.69-3.58. The benchmark cycles through 8 inputs so no branch predictor memorises one.
 */
export const DECODE_VARINTS_NATIVE_FROM = 64;
/**
 * Packed varint ranges of this many bytes decode natively (count pass + decode pass).
 * ts/native, int32 of random lengths (~3.4 bytes each): n=16 (~55 B) 0.65, n=64 (~220 B) 2.54;
 * int64 (~5 B each): n=16 (~80 B) 1.06, n=64 (~320 B) 3.94.
 */
export const DECODE_PACKED_VARINTS_NATIVE_FROM_BYTES = 128;

/** Int32 lists of this many encode as varints natively. ts/native: one-byte values n=16 0.17, n=64 1.94; random lengths n=64 0.74, n=256 2.06. */
export const ENCODE_VARINT32S_NATIVE_FROM = 256;
/** Int64 lists of this many encode as varints natively. ts/native, random lengths: n=16 0.68, n=64 2.44, n=10240 2.95. */
export const ENCODE_VARINT64S_NATIVE_FROM = 64;
/** Int32 lists of this many are sized natively. ts/native: n=1024 0.98, n=10240 2.21 (the JIT-compiled loop is hard to beat). */
export const VARINT32S_SIZE_NATIVE_FROM = 10240;
/** Int64 lists of this many are sized natively. ts/native: n=4 1.68, n=16 1.36, n=64 15.0 (the twin reads 32-bit halves). */
export const VARINT64S_SIZE_NATIVE_FROM = 16;

/**
 * UTF-8 ranges of this many bytes are validated natively (SIMD: ~36 GB/s on ASCII, ~6 GB/s on
 * mixed text at 10 KiB). ts/native, ASCII: n=64 0.56, n=256 2.27, n=1024 21.3; mixed text:
 * n=16 0.45, n=64 1.85, n=256 12.5.
 */
export const VALIDATE_UTF8_NATIVE_FROM_BYTES = 128;

/**
 * Strings of at most this many bytes are decoded by a JavaScript loop; longer ones by
 * TextDecoder {fatal: true}. At 1-4 bytes the loop takes 5-25 ns against 70-150 ns for
 * TextDecoder; at 16 bytes they are even (~110-160 ns). Native validation followed by
 * Buffer#utf8Slice never beat TextDecoder (ts/native 0.63-0.92 at every size, ASCII and mixed:
 * building the string dominates), so strict decoding stays in TypeScript.
 */
export const UTF8_JS_LOOP_MAX_BYTES = 12;
