/**
 * Reading one message that lies in several pieces (the slabs of a LinkBuffer) without joining it.
 *
 * The decoders generated for this state (`segmented: true` in the generator) read through `buf`
 * as a window: normally one piece, viewed in place. When a read needs bytes past the window's end
 * they call `need`, which moves the window on: to the next piece if the bytes lie inside it, or,
 * when they straddle pieces, to a fresh copy of just those bytes (at least STITCH_BYTES, so a run
 * of small values across a boundary costs one small copy, after which reading is back in place).
 * A string or binary value that straddles pieces is copied alone; nothing ever copies the message.
 *
 * Offsets inside the window are window coordinates; `base` turns them into message offsets, for
 * errors and for the end check.
 */
import { decodeVarint32s, decodeVarint64s } from '../../kernels/index.js';
import { toInt16Array } from './helpers.js';
import { ReadState } from './read-state.js';

/** The smallest window `need` stitches across a piece boundary. */
const STITCH_BYTES = 256;

const EMPTY = new Uint8Array(0);

/** Copies up to this many bytes with a loop: below it, subarray + set costs more than the bytes. */
const SMALL_COPY = 64;
/**
 * Stitched windows are cut from shared arenas of this size: a fresh Uint8Array of a few hundred
 * bytes costs an off-heap allocation each, and measured as most of a boundary crossing. A
 * stitched window is never reused (binary fields may view it), so an arena is only dropped when
 * full, and stays alive while any view into it does, as Node's Buffer pool does.
 */
const ARENA_BYTES = 16 * 1024;
let arena = new ArrayBuffer(ARENA_BYTES);
let arenaUsed = 0;

/** `n` bytes of fresh memory for a stitched window. */
function stitchSpace(n: number): Uint8Array {
  if (n > ARENA_BYTES / 4) return new Uint8Array(n);
  if (arenaUsed + n > ARENA_BYTES) {
    arena = new ArrayBuffer(ARENA_BYTES);
    arenaUsed = 0;
  }
  const space = new Uint8Array(arena, arenaUsed, n);
  arenaUsed += n;
  return space;
}

/** A {@link ReadState} whose `buf` is a moving window onto a message held in pieces. */
export class SegmentedReadState extends ReadState {
  private pieces: readonly Uint8Array[] = [];
  /** Message offset at which each piece starts. */
  private starts: number[] = [];
  /** The piece holding the window's first byte (or the stitched copy's first byte). */
  private piece = 0;
  /** The message length. */
  total = 0;
  /** The message offset of `buf[0]`. */
  base = 0;

  constructor() {
    super(EMPTY, 0, 0);
  }

  /** Starts reading the message made of `pieces`, in order (none empty). */
  load(pieces: readonly Uint8Array[]): void {
    this.pieces = pieces;
    const starts: number[] = [];
    let total = 0;
    for (const piece of pieces) {
      starts.push(total);
      total += piece.length;
    }
    this.starts = starts;
    this.total = total;
    this.piece = 0;
    this.base = 0;
    const first = pieces[0] ?? EMPTY;
    this.reset(first, 0, first.length);
  }

  /** Forgets the message (its pieces may be reused). */
  clear(): void {
    this.pieces = [];
    this.starts = [];
    this.total = 0;
    this.base = 0;
    this.reset(EMPTY, 0, 0);
  }

  /** The message offset of window position `pos`. */
  offsetOf(pos: number): number {
    return this.base + pos;
  }

  override left(pos: number): number {
    return this.total - this.base - pos;
  }

  override need(pos: number, k: number): number {
    const at = this.base + pos;
    const want = Math.min(k, this.total - at);
    if (want <= 0 || pos + want <= this.end) return pos;
    const index = this.pieceAt(at);
    const piece = this.pieces[index]!;
    const offset = at - this.starts[index]!;
    if (piece.length - offset >= want) {
      this.show(index, piece, this.starts[index]!);
      return offset;
    }
    const copy = stitchSpace(Math.min(Math.max(want, STITCH_BYTES), this.total - at));
    let filled = 0;
    for (let i = index, from = offset; filled < copy.length; i++, from = 0) {
      const source = this.pieces[i]!;
      const take = Math.min(source.length - from, copy.length - filled);
      if (take <= SMALL_COPY) {
        for (let k = 0; k < take; k++) copy[filled + k] = source[from + k]!;
      } else {
        copy.set(source.subarray(from, from + take), filled);
      }
      filled += take;
    }
    this.show(index, copy, at);
    return 0;
  }

  override advance(pos: number, n: number): number {
    if (pos + n <= this.end) return pos + n;
    const at = this.base + pos + n;
    if (at === this.total) {
      // The message's end: the last piece's end is as good a window as any.
      const last = this.pieces.length - 1;
      this.show(last, this.pieces[last]!, this.starts[last]!);
      return this.end;
    }
    const index = this.pieceAt(at);
    this.show(index, this.pieces[index]!, this.starts[index]!);
    return at - this.base;
  }

  /** The piece holding message offset `at` (< total): reading only moves forward, so search on from the current one. */
  private pieceAt(at: number): number {
    let index = this.piece;
    while (index + 1 < this.starts.length && this.starts[index + 1]! <= at) index++;
    return index;
  }

  private show(index: number, window: Uint8Array, base: number): void {
    this.piece = index;
    this.base = base;
    // reset() also drops the latin1 text window, which belonged to the previous bytes.
    this.reset(window, 0, window.length);
  }
}

/** Varints a window should hold whole before the kernel is called on them. */
const KERNEL_RUN = 64;

/**
 * Reads the `count` zigzag varints of a Compact numeric list at `pos` from an input in pieces, as
 * the TypedArray of `element`; leaves the position after them in `r.pos`. The whole-buffer kernel
 * reads them, a window at a time: on the varints the window certainly holds (10 bytes per varint
 * at most), or, near its end, on a window moved on to hold the next KERNEL_RUN whole. Errors are
 * the kernel's, as when the list is read in place.
 */
export function readVarintRunInPieces(r: SegmentedReadState, pos: number, count: number, element: 'i64' | 'i32' | 'i16'): BigInt64Array | Int32Array | Int16Array {
  const start = r.offsetOf(pos);
  const wide = element === 'i64';
  const values = wide ? new BigInt64Array(count) : new Int32Array(count);
  let i = 0;
  while (i < count) {
    const rest = count - i;
    let fit = Math.min(rest, Math.floor((r.end - pos) / 10));
    if (fit < rest && fit < KERNEL_RUN) {
      pos = r.need(pos, 10 * Math.min(rest, KERNEL_RUN));
      // A window reaching the message's end takes the rest: the kernel reports a cut-off varint.
      fit = r.left(r.end) === 0 ? rest : Math.min(rest, Math.floor((r.end - pos) / 10));
    }
    const run = wide ? decodeVarint64s(r.buf, pos, fit, true) : decodeVarint32s(r.buf, pos, fit, true);
    (values as Int32Array).set(run.values as Int32Array, i);
    pos = run.end;
    i += fit;
  }
  r.pos = pos;
  // toInt16Array reports the list's start, in the coordinates of the window it ends in.
  return element === 'i16' ? toInt16Array(values as Int32Array, start - r.offsetOf(0)) : values;
}
