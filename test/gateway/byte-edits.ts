// Random damage for the native-against-TypeScript differential tests (thrift-json-native.test.ts,
// paths-native-index.test.ts): one edit of a valid input, so most of it still parses.
import fc from 'fast-check';

/**
 * `bytes` with one random edit: truncated, or a byte replaced, inserted or deleted. The byte is
 * one of `interesting` half of the time, any byte from 0x80 up otherwise.
 */
export const oneEdit = (bytes: Uint8Array, interesting: readonly number[]): fc.Arbitrary<Buffer> =>
  fc.tuple(fc.nat(), fc.constantFrom(...interesting), fc.integer({ min: 0, max: 3 }), fc.nat(255)).map(([at, chosen, kind, any]) => {
    const b = Buffer.from(bytes);
    const i = b.length === 0 ? 0 : at % b.length;
    const byte = any < 128 ? chosen : any;
    if (kind === 0) return b.subarray(0, i);
    if (kind === 1) {
      if (b.length > 0) b[i] = byte;
      return b;
    }
    if (kind === 2) return Buffer.concat([b.subarray(0, i), Buffer.from([byte]), b.subarray(i)]);
    return Buffer.concat([b.subarray(0, i), b.subarray(i + 1)]);
  });
