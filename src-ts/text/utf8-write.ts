/**
 * Writing JavaScript strings as UTF-8 bytes in JavaScript, shared by the Thrift and Protobuf
 * encoders: short strings, where a native call's fixed cost (about 40 ns for Buffer#utf8Write)
 * is more than the bytes.
 */

/**
 * Writes the leading ASCII chars of `text` into `buf` at `pos`, one byte each, and returns how
 * many it wrote: `text.length` when the text is ASCII, else the index of the first group of four
 * (or, near the end, the first char) that is not, from where the caller writes the rest as UTF-8
 * ({@link writeUtf8} with that index). Chars are stored four at a time through `view` (over the
 * same memory as `buf`, little-endian, so the bytes land in text order), and the group's OR is
 * checked before it is stored, so text that is not ASCII costs one group, not a pass over it
 * written as garbage and written again (Chinese text, the common kind of non-ASCII, stops at its
 * first group). The caller guarantees `text.length` bytes of room.
 */
export function writeAsciiPrefix(buf: Uint8Array, view: DataView, pos: number, text: string): number {
  const length = text.length;
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const a = text.charCodeAt(i);
    const b = text.charCodeAt(i + 1);
    const c = text.charCodeAt(i + 2);
    const d = text.charCodeAt(i + 3);
    if ((a | b | c | d) >= 0x80) return i;
    view.setUint32(pos + i, a | (b << 8) | (c << 16) | (d << 24), true);
  }
  for (; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return i;
    buf[pos + i] = c;
  }
  return length;
}

/**
 * Writes `text` from char `from` on as UTF-8 into `buf` at `pos` (the caller guarantees 3 bytes of
 * room per char) and returns the position after it. A lone surrogate has no UTF-8 form, and
 * writing U+FFFD instead would change the value: it throws what `loneSurrogate` makes of its index.
 */
export function writeUtf8(buf: Uint8Array, pos: number, text: string, from: number, loneSurrogate: (index: number) => unknown): number {
  const length = text.length;
  for (let i = from; i < length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      buf[pos++] = c;
    } else if (c < 0x800) {
      buf[pos++] = (c >> 6) | 0xc0;
      buf[pos++] = (c & 0x3f) | 0x80;
    } else if (c < 0xd800 || c > 0xdfff) {
      buf[pos++] = (c >> 12) | 0xe0;
      buf[pos++] = ((c >> 6) & 0x3f) | 0x80;
      buf[pos++] = (c & 0x3f) | 0x80;
    } else {
      const low = text.charCodeAt(i + 1);
      if (c > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) throw loneSurrogate(i);
      c = 0x10000 + ((c & 0x3ff) << 10) + (low & 0x3ff);
      i++;
      buf[pos++] = (c >> 18) | 0xf0;
      buf[pos++] = ((c >> 12) & 0x3f) | 0x80;
      buf[pos++] = ((c >> 6) & 0x3f) | 0x80;
      buf[pos++] = (c & 0x3f) | 0x80;
    }
  }
  return pos;
}

const isWellFormed = (String.prototype as { isWellFormed?: () => boolean }).isWellFormed;

/**
 * The index of the first lone surrogate in `text`, or -1 when it has none and so has a UTF-8 form
 * (String#isWellFormed answers the common case where the engine has it).
 */
export function loneSurrogateAt(text: string): number {
  if (isWellFormed !== undefined && isWellFormed.call(text)) return -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const low = text.charCodeAt(i + 1);
      if (c > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) return i;
      i++;
    }
  }
  return -1;
}
