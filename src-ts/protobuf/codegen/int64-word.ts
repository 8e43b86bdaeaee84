import { HOST_LITTLE_ENDIAN } from '../../kernels/fixed-width.js';

/**
 * One 64-bit scratch word shared by the Protobuf readers, writers and generated encoders, seen as
 * int64, uint64 and two uint32 halves. Assigning a bigint keeps its low 64 bits (two's
 * complement) and `word32[LOW]`, `word32[HIGH]` are then its halves; storing halves and reading
 * `word64[0]` (or `wordU64[0]`) is V8's cheapest way to make a bigint from 64 bits. Each use
 * stores and reads back without a call in between, so sharing it is safe.
 */
export const word64 = new BigInt64Array(1);
export const wordU64 = new BigUint64Array(word64.buffer);
export const word32 = new Uint32Array(word64.buffer);
export const LOW = HOST_LITTLE_ENDIAN ? 0 : 1;
export const HIGH = 1 - LOW;
