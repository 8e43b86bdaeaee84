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
 * the caller has since changed, and no input is kept after its decode. Strings of 13 characters
 * or more are slices of their window in V8 and keep it alive (at most WINDOW_BYTES), as a
 * `bytes: 'view'` value keeps its input.
 */

interface NodeBufferSlices {
  latin1Slice(this: Uint8Array, start: number, end: number): string;
}

/** Node's Latin-1 decoder, identical to the bytes on ASCII; undefined outside Node. */
export const latin1Slice = (globalThis as { Buffer?: { prototype: NodeBufferSlices } }).Buffer?.prototype.latin1Slice;

/** Bytes of input one window copies: what a retained string can keep alive at most. */
const WINDOW_BYTES = 8192;

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
 * buf[start, end), which the caller has checked is ASCII, as a string: cut from the open window
 * when it holds the bytes, else from a new window of the input from `start` (the second string
 * on), else made alone. Needs Node's latin1Slice ({@link latin1Slice} defined).
 */
export function asciiText(buf: Uint8Array, start: number, end: number): string {
  if (buf === windowBuf && start >= windowStart && end <= windowEnd) return windowText.substring(start - windowStart, end - windowStart);
  if (!open || made++ === 0) return latin1Slice!.call(buf, start, end);
  const stop = Math.max(end, Math.min(buf.length, start + WINDOW_BYTES));
  windowText = latin1Slice!.call(buf, start, stop);
  windowBuf = buf;
  windowStart = start;
  windowEnd = stop;
  return windowText.substring(0, end - start);
}
