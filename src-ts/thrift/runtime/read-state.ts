/** The cursor generated decoders share: the input, a position and the end of readable bytes. */
export class ReadState {
  /** Position; generated code keeps it in a local and synchronises it around calls. */
  pos = 0;

  constructor(
    public buf: Uint8Array,
    pos: number,
    /** One past the last byte decoders may read. */
    public end: number,
  ) {
    this.pos = pos;
  }
}
