/** What {@link ReadState.view} is until a window needs a view of the input. */
export const EMPTY_VIEW: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
const NO_BYTES = new Uint8Array(0);
/**
 * NO_BYTES' ArrayBuffer, read once: `reset` runs twice a decode, and reading `.buffer` there each
 * time (a builtin call, not a field load) was ~10% of a compat Binary decode of the baseline Simple.
 */
const NO_BYTES_BUFFER = NO_BYTES.buffer;

/**
 * The cursor generated decoders share: the input, a position and the end of readable bytes.
 *
 * This base form reads one contiguous input: `buf[0, end)` is the whole message. Its subclass
 * {@link SegmentedReadState} reads a message lying in several pieces (LinkBuffer slabs) through
 * `buf` as a window onto one piece at a time; `left`, `need` and `advance` are what code that
 * must work on both calls (skipping, the segmented decoders).
 */
export class ReadState {
  /** Position; generated code keeps it in a local and synchronises it around calls. */
  pos = 0;
  /**
   * A latin1 copy of input[textStart, textEnd), cut into string fields with `substring` (see
   * read-text.ts): one native call for many ASCII strings instead of one each.
   */
  text = '';
  textStart = 0;
  textEnd = 0;
  /** A DataView of `buf`, made with its first window, for word-at-a-time ASCII checks. */
  view = EMPTY_VIEW;
  /** Strings with an ASCII first byte read from this input so far (the first is made alone, without a window). */
  strings = 0;
  /**
   * The ArrayBuffer and byte offset of `viewsOf`, for views of `binary` values: read once per
   * input by {@link viewInput}, since `buf.buffer` costs about as much as the view itself (~30 ns).
   */
  viewsOf: Uint8Array = NO_BYTES;
  ab: ArrayBufferLike = NO_BYTES_BUFFER;
  abOffset = 0;

  constructor(
    public buf: Uint8Array,
    pos: number,
    /** One past the last byte decoders may read. */
    public end: number,
  ) {
    this.pos = pos;
  }

  /**
   * Points the state at a new input, forgetting everything derived from the previous one: the
   * same Uint8Array may come back with other bytes in it.
   */
  reset(buf: Uint8Array, pos: number, end: number): void {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    this.text = '';
    this.textStart = 0;
    this.textEnd = 0;
    this.view = EMPTY_VIEW;
    this.strings = 0;
    this.viewsOf = NO_BYTES;
    this.ab = NO_BYTES_BUFFER;
  }

  /** Bytes of the message from `pos` (window coordinates) to its end. */
  left(pos: number): number {
    return this.end - pos;
  }

  /**
   * Makes the next `k` bytes (or all that are left, if fewer) readable at `buf[pos', pos' + k)`
   * and returns pos', the same place in the window it may have switched to (`buf` and `end`
   * change then). Contiguous input already has every byte it will ever have, so here it is `pos`:
   * callers check `pos + k > end` afterwards and report the truncation.
   */
  need(pos: number, k: number): number {
    void k;
    return pos;
  }

  /** The position `n` bytes after `pos`, which the caller checked are there (`n <= left(pos)`). */
  advance(pos: number, n: number): number {
    return pos + n;
  }
}

/** Points `r.ab` and `r.abOffset` at `buf`'s memory (generated code calls it when `r.viewsOf !== buf`). */
export function viewInput(r: ReadState, buf: Uint8Array): void {
  r.viewsOf = buf;
  r.ab = buf.buffer;
  r.abOffset = buf.byteOffset;
}
