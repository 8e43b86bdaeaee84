/**
 * How generated decoders reach their input. Two forms are generated from the same templates:
 *
 * - in place (the default): `buf[0, end)` is the whole message, so one bounds check per read is
 *   enough, and a count checked against the bytes left covers every fixed-width element after it;
 * - segmented (`Codec.decodeFrom` on a message spread over LinkBuffer slabs): `buf` is a window
 *   onto one piece, and a read running past `end` first asks `r.need` to move the window (see
 *   SegmentedReadState), reloading `buf` and `end`. Every read is checked, and lengths and counts
 *   are checked against `r.left(...)`, the bytes left in the message rather than in the window.
 *
 * The in-place snippets are exactly what the decoders had before the segmented form existed.
 */

/** The snippets one form of input access supplies to the dialects and the decoder generator. */
export interface InputAccess {
  readonly segmented: boolean;
  /** How `buf` and `end` are declared: constants in place, variables when the window moves. */
  readonly declare: string;
  /** A bounds check for `width` bytes at pos; in place, none when the caller already `checked` them. */
  check(width: number, what: string, checked: boolean): string[];
  /** Makes up to `width` bytes readable before a reader that checks its own end (varints). */
  prefetch(width: number): string[];
  /** Makes the `length` bytes at pos (already checked against what is left) readable in `buf`. */
  span(length: string): string[];
  /** The bytes left in the message after `base + plus` (both expressions of pos). */
  left(base: string, plus?: number): string;
  /** Reloads `buf` and `end` after a call that may have moved the window. */
  readonly reload: string[];
}

const IN_PLACE: InputAccess = {
  segmented: false,
  declare: 'const',
  check: (width, what, checked) => (checked ? [] : [`if (pos + ${width} > end) throw truncated(pos, '${what}');`]),
  prefetch: () => [],
  span: () => [],
  left: (base, plus = 0) => `end - ${base}${plus === 0 ? '' : ` - ${plus}`}`,
  reload: [],
};

const moveWindow = (width: string): string => `if (pos + ${width} > end) { pos = r.need(pos, ${width}); buf = r.buf; end = r.end; }`;

const SEGMENTED: InputAccess = {
  segmented: true,
  declare: 'let',
  check: (width, what) => [
    `if (pos + ${width} > end && (pos = r.need(pos, ${width}), buf = r.buf, end = r.end, pos + ${width} > end)) throw truncated(pos, '${what}');`,
  ],
  prefetch: (width) => [moveWindow(String(width))],
  span: (length) => [moveWindow(length)],
  left: (base, plus = 0) => `r.left(${base}${plus === 0 ? '' : ` + ${plus}`})`,
  reload: ['buf = r.buf;', 'end = r.end;'],
};

/** The input access of the in-place or the segmented form. */
export function inputAccess(segmented: boolean): InputAccess {
  return segmented ? SEGMENTED : IN_PLACE;
}
