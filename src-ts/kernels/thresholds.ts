/**
 * Sizes from which a kernel runs its native implementation instead of the pure-TypeScript twin,
 * measured by the crossover benchmark: `npm run build && node bench/run.mjs kernels`
 * (bench/kernels/index.mjs prints ts-time / native-time per size; > 1 means native is faster).
 * `Infinity` means native never won and is not used. Figures: Node 20.20, x64 with AVX-512, two
 * cores shared with other work, so single ratios are noisy; where a ratio dips below 1 between
 * wins, the threshold follows the trend and the comment says so.
 */

/**
 * Big-endian doubles decode natively from this many elements. ts/native: n=64 0.70, n=256 1.38,
 * n=1024 2.33, n=10240 1.22. Allocating the result dominates large decodes: the swap itself
 * runs at ~22 GB/s, `new Float64Array(10240)` costs about as much as the rest of the call.
 */
export const DECODE_FLOAT64_BE_NATIVE_FROM = 256;
/** Big-endian int64s decode natively from this many. ts/native: n=4 0.50, n=16 1.43, n=64 1.34, n=10240 8.10. */
export const DECODE_INT64_BE_NATIVE_FROM = 16;
/** Big-endian int32s decode natively from this many. ts/native: n=64 0.85, n=256 1.39, n=10240 2.92. */
export const DECODE_INT32_BE_NATIVE_FROM = 256;
/** Big-endian int16s decode natively from this many. ts/native: n=16 0.42, n=64 2.07, n=10240 8.08. */
export const DECODE_INT16_BE_NATIVE_FROM = 64;
/** Doubles encode big-endian natively from this many. ts/native: n=16 0.93, n=64 1.50, n=1024 20.9. */
export const ENCODE_FLOAT64_BE_NATIVE_FROM = 64;
/**
 * Int64s encode big-endian natively from this many: native won at every size (n=1 1.06,
 * n=16 1.36, n=10240 20.4), because the twin needs a 32-bit view of the BigInt64Array.
 */
export const ENCODE_INT64_BE_NATIVE_FROM = 1;
/** Int32s encode big-endian natively from this many. ts/native: n=4 0.83, n=16 1.02, n=64 1.56, n=10240 22.8. */
export const ENCODE_INT32_BE_NATIVE_FROM = 16;
/** Int16s encode big-endian natively from this many. ts/native: n=4 0.91, n=16 1.11, n=64 1.76, n=10240 54.3. */
export const ENCODE_INT16_BE_NATIVE_FROM = 16;
// Little-endian arrays on a little-endian host never go native: the twin is TypedArray#set, a
// memcpy already; a native memcpy measured ts/native 0.2-1.5 with no trend (f64 n=10240: 0.91).
// On a big-endian host they byte-swap natively with the thresholds of the same width above.

/**
 * Runs of this many varints (Thrift Compact lists) decode natively, 32- and 64-bit alike.
 * ts/native at n=16 / 64 / 10240: int32 one-byte values 0.23 / 1.38 / 2.16, int32 of random
 * lengths 0.37 / 1.25 / 1.22, int64 one-byte 1.33 / 1.65 / 1.95, int64 random 1.05 / 1.58 / 2.62
 * (0.95 at n=256); with the AVX-512 VBMI decoder (a quick run) int64 random 0.98 / 1.50 / 15.9,
 * one-byte 0.72 / 1.20 / 10.1. The benchmark cycles through 8 inputs so no branch predictor memorises one.
 */
export const DECODE_VARINTS_NATIVE_FROM = 64;
/**
 * Packed varint ranges of this many bytes decode natively (count pass + decode pass).
 * ts/native, int32 of random lengths (~3.4 bytes each): n=16 (~55 B) 0.23, n=64 (~220 B) 1.01,
 * n=256 2.52; int64 (~5 B each): n=4 (~20 B) 0.75, n=16 (~80 B) 1.72.
 */
export const DECODE_PACKED_VARINTS_NATIVE_FROM_BYTES = 128;
/**
 * Int32 lists of this many encode as varints natively. ts/native, one-byte values: n=16 0.33,
 * n=64 1.74, n=256 5.91, n=10240 42.6; random lengths: n=64 1.15, n=256 0.79, n=1024 1.36,
 * n=10240 2.07 (an earlier run: n=64 0.74, n=256 2.06).
 */
export const ENCODE_VARINT32S_NATIVE_FROM = 256;
/**
 * Int64 lists of this many encode as varints natively. ts/native, random lengths: n=4 0.62, n=16 1.29,
 * n=64 2.97, n=10240 16.2 (branch-free loop with pdep; 3.00 at n=10240 before it).
 */
export const ENCODE_VARINT64S_NATIVE_FROM = 16;
/** Int32 lists of this many are sized natively. ts/native: n=256 1.31, n=1024 0.58, n=10240 2.06: the JIT-compiled loop is hard to beat. */
export const VARINT32S_SIZE_NATIVE_FROM = 10240;
/**
 * Int64 lists of this many are sized natively. ts/native: n=4 0.79, n=16 1.48, n=64 4.24, n=10240 163
 * (AVX-512 lzcnt; the twin reads 32-bit halves).
 */
export const VARINT64S_SIZE_NATIVE_FROM = 16;

/**
 * UTF-8 ranges of this many bytes are validated natively (SIMD; at 10 KiB 17-36 GB/s on ASCII
 * and 6-14 GB/s on mixed text across runs). ts/native, ASCII: n=64 0.57, n=256 2.08, n=10240 53.8; mixed text:
 * n=16 0.75, n=64 1.77, n=256 5.37.
 */
export const VALIDATE_UTF8_NATIVE_FROM_BYTES = 128;

/**
 * Strings of at most this many bytes are decoded by a JavaScript loop; longer ones by
 * TextDecoder {fatal: true}. At 1-4 bytes the loop takes 5-25 ns against 70-150 ns for
 * TextDecoder; at 16 bytes they are even (~110-150 ns). Native validation followed by
 * Buffer#utf8Slice never won consistently (ts/native, ASCII 0.70-0.87 from n=16; mixed text
 * 0.73-1.69 with no trend), because building the string dominates: strict decoding stays in
 * TypeScript.
 */
export const UTF8_JS_LOOP_MAX_BYTES = 12;

/**
 * Text that is not ASCII decodes with a JavaScript loop rather than Buffer#utf8Slice (plus the
 * U+FFFD scan that makes it strict) up to {@link UTF8_UNITS_MAX_BYTES}: up to this many bytes the
 * concatenating loop (decodeUtf8Short), above it the loop into a Uint16Array (decodeUtf8Units),
 * whose string is built eight units per String.fromCharCode call. Chinese text, distinct strings,
 * each read once afterwards (so a rope is flattened), ns per string, concatenating / units /
 * utf8Slice+scan: 6 B 59/270/268, 9 B 43/38/228, 12 B 55/59/123, 18 B 90/70/303, 24 B 276/54/327,
 * 33 B 228/135/363, 48 B 423/252/523 (Node 20, shared machine, /tmp micro-benchmark of the
 * dist functions). Earlier figures, with the string flattened, utf8Slice+scan / concatenating /
 * units built by `apply`: 12 B 121/52/106, 99 B 463/478/304, 2000 B 8680/13382/7076. On text
 * that is mostly ASCII with a few multi-byte characters the loops lose (utf8Slice copies ASCII
 * runs with SIMD): 0.55-0.94x, hence {@link looksMultibyte}. Figures of the decoders' reader
 * against utf8Slice: `HEDDLE_BENCH_KERNELS=text node bench/run.mjs kernels`.
 */
export const UTF8_CONCAT_MAX_BYTES = 8;
/**
 * Strings of this many UTF-16 units or more, decoded by the units loop, are made by Node's
 * Buffer#ucs2Slice over the units (one native call and one copy) instead of eight units per
 * String.fromCharCode. Chinese text (1 char in 8 ASCII), the decoders' reader against
 * Buffer#utf8Slice, median / sustained, with eight-unit pieces throughout: 48 B 1.33x/1.25x,
 * 64 B 1.46x/1.25x, 128 B 2.00x/1.33x, 256 B 1.24x/1.29x; with ucs2Slice from 24 units: 128 B
 * 2.37x/2.17x, 256 B 3.50x/2.02x; from 12 units: 48 B 1.80x/1.67x, 64 B 1.85x/1.76x, 128 B
 * 3.29x/2.19x (`HEDDLE_BENCH_KERNELS=text node bench/run.mjs kernels`, load 8-12). A timed
 * micro-benchmark of the two builders alone: 85 chars 5295/1381 ns, 200 chars 10551/4751 ns.
 */
export const UCS2_SLICE_FROM_UNITS = 12;
/** See {@link UTF8_CONCAT_MAX_BYTES}; above this the units loop's lead shrinks (1.23x at 2000 B) and its scratch grows. */
export const UTF8_UNITS_MAX_BYTES = 4096;
