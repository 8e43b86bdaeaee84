/**
 * ASCII strings of a message cut with `substring` from one Latin-1 copy of its input, the
 * Protobuf decoders' twin of the Thrift read state's window (thrift/runtime/read-text.ts): one
 * native call (Buffer#latin1Slice, about 75-80 ns for 12-50 bytes on Node 20 under load) for all
 * the short ASCII strings of a message instead of one each, where `substring` costs 6-13 ns.
 * That holds on values that never repeat (phone numbers, tracking numbers, URLs), where the
 * short-string cache only adds a miss.
 *
 * A window exists only while a decoder has it open ({@link openAsciiWindow} to
 * {@link closeAsciiWindow}, around one decode), so no string is ever cut from a copy of bytes
 * the caller has since changed, and no input is kept after its decode. Only strings under
 * {@link SLICED_MIN} characters are cut: V8 copies those out of the window, where a longer cut
 * would be a slice that keeps the whole window (up to WINDOW_BYTES) alive for as long as the
 * caller keeps the string, a cost a decoded id or email must not carry by default (20,000 kept
 * 21-character ids held 121 MB of windows before this rule).
 */

interface NodeBufferSlices {
  latin1Slice(this: Uint8Array, start: number, end: number): string;
}

/** Node's Latin-1 decoder, identical to the bytes on ASCII; undefined outside Node. */
export const latin1Slice = (globalThis as { Buffer?: { prototype: NodeBufferSlices } }).Buffer?.prototype.latin1Slice;

/** Bytes of input one window copies (the Thrift read state's windows too). */
export const WINDOW_BYTES = 8192;
/** V8's shortest sliced string (SlicedString::kMinLength): a `substring` shorter than this is a copy. */
export const SLICED_MIN = 13;

let open = false;
/** Strings made while the window was open: the first is made alone, as a message with one string would not reuse a window. */
let made = 0;
/** The input the window was copied from, or undefined when there is none. */
let windowBuf: Uint8Array | undefined;
let windowText = '';
let windowStart = 0;
let windowEnd = 0;

/** Lets the decode about to start cut strings from windows of its input. */
export function openAsciiWindow(): void {
  open = true;
  made = 0;
  windowBuf = undefined;
}

/** Ends the decode's windows, letting go of its input and of the last copy. */
export function closeAsciiWindow(): void {
  open = false;
  windowBuf = undefined;
  windowText = '';
}

/**
 * buf[start, end), which the caller has checked is ASCII, as a string: made alone when it is
 * {@link SLICED_MIN} characters or longer; else cut from the open window when it holds the bytes,
 * else from a new window of the input from `start` (the second string on), else made alone. Needs Node's latin1Slice ({@link latin1Slice} defined).
 */
export function asciiText(buf: Uint8Array, start: number, end: number): string {
  if (end - start >= SLICED_MIN) return latin1Slice!.call(buf, start, end);
  if (buf === windowBuf && start >= windowStart && end <= windowEnd) return windowText.substring(start - windowStart, end - windowStart);
  if (!open || made++ === 0) return latin1Slice!.call(buf, start, end);
  const stop = Math.max(end, Math.min(buf.length, start + WINDOW_BYTES));
  windowText = latin1Slice!.call(buf, start, stop);
  windowBuf = buf;
  windowStart = start;
  windowEnd = stop;
  return windowText.substring(0, end - start);
}
