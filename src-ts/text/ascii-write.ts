/**
 * Writes `text` into `buf` at `pos` one byte per char, as if it were ASCII, and says whether it
 * was: the OR of all chars is checked once at the end instead of a branch per char, and chars
 * are stored four at a time through `view` (over the same memory as `buf`, little-endian, so the
 * bytes land in text order). Measured on Node 20: 13 chars about 21 ns against 42 ns for a loop
 * branching per char, 38 chars about 50 ns against 83 ns for Buffer#utf8Write. When it answers
 * false, the bytes written are garbage and the caller writes the text again as UTF-8. The caller
 * guarantees `text.length` bytes of room.
 */
export function writeAsIfAscii(buf: Uint8Array, view: DataView, pos: number, text: string): boolean {
  const length = text.length;
  let bits = 0;
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const a = text.charCodeAt(i);
    const b = text.charCodeAt(i + 1);
    const c = text.charCodeAt(i + 2);
    const d = text.charCodeAt(i + 3);
    bits |= a | b | c | d;
    view.setUint32(pos + i, a | (b << 8) | (c << 16) | (d << 24), true);
  }
  for (; i < length; i++) {
    const c = text.charCodeAt(i);
    bits |= c;
    buf[pos + i] = c;
  }
  return bits < 0x80;
}
