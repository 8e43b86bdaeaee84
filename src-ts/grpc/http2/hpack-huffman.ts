import { ErrorCode, HeddleError } from '../../errors.js';

/**
 * The bit length of each symbol's code in RFC 7541 Appendix B (symbols 0..255, then EOS = 256),
 * transcribed from the "len" column of the RFC's table. The Appendix B code is canonical: codes
 * of one length are consecutive in symbol order and each length continues where the shorter one
 * ended, so the lengths alone determine every code; `huffmanCodes` rebuilds them and
 * test/grpc/http2/hpack.test.ts checks rows of the RFC's "code as hex" column against it.
 */
const CODE_LENGTHS: readonly number[] = [
  // 0..31: control characters
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28,
  28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
  // 32..63: ' ' .. '?'
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6,
  5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
  // 64..95: '@' .. '_'
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
  7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
  // 96..127: '`' .. DEL
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,
  6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
  // 128..255
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23,
  24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23,
  21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,
  19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23,
  26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
  // 256: EOS
  30,
];

const SYMBOLS = 257;
const EOS = 256;

/** Each symbol's code, right-aligned (RFC 7541 "code as hex"), and its length. */
export const huffmanCodes: { readonly codes: Uint32Array; readonly lengths: Uint8Array } = (() => {
  const lengths = Uint8Array.from(CODE_LENGTHS);
  if (lengths.length !== SYMBOLS) throw new Error(`HPACK Huffman table has ${lengths.length} lengths, not ${SYMBOLS}`);
  const codes = new Uint32Array(SYMBOLS);
  let code = 0;
  let length = 0;
  for (let bits = 1; bits <= 30; bits++) {
    for (let symbol = 0; symbol < SYMBOLS; symbol++) {
      if (lengths[symbol] !== bits) continue;
      code <<= bits - length;
      length = bits;
      codes[symbol] = code;
      code++;
    }
  }
  // A complete prefix code ends exactly at 2^30 after the 30-bit EOS.
  if (code !== 2 ** 30) throw new Error('HPACK Huffman lengths do not form a complete prefix code');
  return { codes, lengths };
})();

/**
 * The decoding tree as flat arrays: node n's children are `tree[2n]` (bit 0) and `tree[2n+1]`
 * (bit 1); a child >= 0 is a node, a child < 0 is the leaf of symbol `-child - 1`.
 */
const tree: Int32Array = (() => {
  const children = new Int32Array(2 * SYMBOLS * 2);
  let nodes = 1;
  for (let symbol = 0; symbol < SYMBOLS; symbol++) {
    const code = huffmanCodes.codes[symbol]!;
    const length = huffmanCodes.lengths[symbol]!;
    let node = 0;
    for (let bit = length - 1; bit > 0; bit--) {
      const slot = 2 * node + ((code >>> bit) & 1);
      if (children[slot] === 0) children[slot] = nodes++;
      node = children[slot]!;
    }
    children[2 * node + (code & 1)] = -symbol - 1;
  }
  return children;
})();

/** Bytes the Huffman encoding of `input` takes. */
export function huffmanEncodedLength(input: Uint8Array): number {
  let bits = 0;
  for (let i = 0; i < input.length; i++) bits += huffmanCodes.lengths[input[i]!]!;
  return (bits + 7) >>> 3;
}

/** Writes the Huffman encoding of `input` at `out[at]` (padded with EOS's leading 1 bits);
 * returns the offset after it. `out` must hold `huffmanEncodedLength(input)` bytes from `at`. */
export function huffmanEncode(input: Uint8Array, out: Uint8Array, at: number): number {
  const { codes, lengths } = huffmanCodes;
  // Bits wait in `pending` (at most 7 + 30 of them, so split the accumulator to stay below 2^53).
  let pending = 0;
  let pendingBits = 0;
  for (let i = 0; i < input.length; i++) {
    const symbol = input[i]!;
    const length = lengths[symbol]!;
    pending = pending * 2 ** length + codes[symbol]!;
    pendingBits += length;
    while (pendingBits >= 8) {
      pendingBits -= 8;
      const byte = Math.floor(pending / 2 ** pendingBits);
      out[at++] = byte;
      pending -= byte * 2 ** pendingBits;
    }
  }
  if (pendingBits > 0) out[at++] = (pending << (8 - pendingBits)) | (0xff >>> pendingBits);
  return at;
}

/**
 * Decodes Huffman-coded `input`. Per RFC 7541 5.2, padding longer than 7 bits, padding that is
 * not the most significant bits of EOS, and an EOS symbol in the data are decoding errors
 * (ERR_BAD_FRAME, with the string's byte offset).
 */
export function huffmanDecode(input: Uint8Array, offset = 0): string {
  const out = Buffer.allocUnsafe(Math.floor((input.length * 8) / 5));
  let written = 0;
  let node = 0;
  // Bits read since the last complete symbol, and whether they were all 1s (valid padding).
  let depth = 0;
  let allOnes = true;
  for (let i = 0; i < input.length; i++) {
    const byte = input[i]!;
    for (let bit = 7; bit >= 0; bit--) {
      const one = (byte >>> bit) & 1;
      const next = tree[2 * node + one]!;
      depth++;
      allOnes &&= one === 1;
      if (next < 0) {
        const symbol = -next - 1;
        if (symbol === EOS) throw new HeddleError(ErrorCode.ERR_BAD_FRAME, 'HPACK: Huffman-coded string contains EOS', { offset: offset + i });
        out[written++] = symbol;
        node = 0;
        depth = 0;
        allOnes = true;
      } else {
        node = next;
      }
    }
  }
  if (depth > 7) throw new HeddleError(ErrorCode.ERR_BAD_FRAME, `HPACK: Huffman padding of ${depth} bits (at most 7 allowed)`, { offset: offset + input.length });
  if (!allOnes) throw new HeddleError(ErrorCode.ERR_BAD_FRAME, 'HPACK: Huffman padding is not a prefix of EOS', { offset: offset + input.length });
  return out.toString('latin1', 0, written);
}
