/**
 * Sizes above which a kernel switches implementation, measured by the crossover benchmark
 * (`node bench/run.mjs kernels`, bench/kernels/index.mjs). Below a threshold the pure-TypeScript
 * twin runs; `Infinity` means the native kernel never won and is not used.
 */

/**
 * Strings of at most this many bytes are decoded by a JavaScript loop; longer ones by
 * TextDecoder. Measured on Node 20 / x64: at 4 bytes the loop takes ~40 ns against ~80 ns for
 * Buffer#utf8Slice and ~150 ns for TextDecoder; at 16 bytes they are even (~150-200 ns each).
 */
export const UTF8_JS_LOOP_MAX_BYTES = 12;
