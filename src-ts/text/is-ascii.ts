/** Whether buf[start, end) is ASCII, eight bytes per step. */
export function isAscii(buf: Uint8Array, start: number, end: number): boolean {
  let bits = 0;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    bits |= buf[i]! | buf[i + 1]! | buf[i + 2]! | buf[i + 3]! | buf[i + 4]! | buf[i + 5]! | buf[i + 6]! | buf[i + 7]!;
  }
  for (; i < end; i++) bits |= buf[i]!;
  return bits < 0x80;
}
