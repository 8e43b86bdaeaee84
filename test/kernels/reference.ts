// Obviously-correct (slow, BigInt-based) reference codecs that the kernels are checked against.

/** ZigZag-decodes a 64-bit unsigned value into a signed one. */
export function unzigzag64(n: bigint): bigint {
  return (n >> 1n) ^ -(n & 1n);
}

/** ZigZag-encodes a signed 64-bit value into its unsigned form. */
export function zigzag64(v: bigint): bigint {
  return BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
}

/** Encodes one unsigned value (< 2^64) as a varint. */
export function varintBytes(n: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, n);
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

/** Decodes one varint at `p`, keeping bits 0..63; undefined when it does not end within 10 bytes / the input. */
export function readVarint(bytes: ArrayLike<number>, p: number): { value: bigint; next: number } | undefined {
  let value = 0n;
  for (let i = 0; i < 10 && p + i < bytes.length; i++) {
    const b = bytes[p + i]!;
    value |= BigInt(b & 0x7f) << BigInt(7 * i);
    if (b < 0x80) return { value: BigInt.asUintN(64, value), next: p + i + 1 };
  }
  return undefined;
}

/** The varint encoding an int32 gets on the wire (10 bytes when negative and not zigzag). */
export function int32VarintBytes(v: number, zigzag: boolean): number[] {
  return zigzag ? varintBytes(zigzag64(BigInt(v))) : varintBytes(BigInt.asUintN(64, BigInt(v)));
}

/** A Uint8Array copy of `bytes` placed at `offset` inside a larger buffer with `slack` bytes after. */
export function placed(bytes: ArrayLike<number>, offset: number, slack = 0): Uint8Array {
  const buffer = new Uint8Array(offset + bytes.length + slack);
  buffer.set(bytes, offset);
  return buffer;
}
