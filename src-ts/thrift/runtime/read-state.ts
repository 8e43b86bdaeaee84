/** The cursor generated decoders share: the input, a position and the end of readable bytes. */
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
  /** Long strings read from this input so far (the first goes straight to a native slice). */
  longStrings = 0;

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
    this.longStrings = 0;
  }
}
