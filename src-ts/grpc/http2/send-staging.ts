/** Bytes in a staging block. */
const STAGING_BLOCK = 16 * 1024;
/** Larger copies get a buffer of their own: a block holds at least four of the ones it takes. */
const MAX_STAGED = STAGING_BLOCK / 4;
/** Blocks a stream keeps, filled or spare: a writer stops at 64 KiB queued (the stream's
 * high-water mark), which with the partly sent blocks before it spans up to six. */
const MAX_OWNED_BLOCKS = 8;

/** A staging block and how far into its stream's queue its last bytes lie. */
interface StagingBlock {
  /** A plain Uint8Array: a view of it costs less than a Buffer's (no species constructor). */
  readonly bytes: Uint8Array;
  /** The stream's enqueue position (bytes ever queued) at the end of the last copy carved here. */
  lastEnd: number;
}

/**
 * Memory a stream copies outgoing messages into until they are sent, reused once they are: a
 * server streaming small messages then fills the same few blocks instead of allocating memory
 * per message. Allocating per message (an ArrayBuffer slab every few dozen messages) made V8,
 * once a busy server had grown its young generation, count the dead slabs against the old
 * generation and run a full mark-compact every few tens of milliseconds.
 *
 * Copies are carved in queue order, so a block is free again once the stream has sent up to the
 * end of the last copy carved in it.
 */
export class SendStaging {
  /** Blocks queued bytes may still point into, oldest first; the last one is being filled. */
  private readonly live: StagingBlock[] = [];
  private readonly spare: StagingBlock[] = [];
  private used = 0;

  /**
   * Room for `length` bytes that will be queued to end at enqueue position `end`, given that the
   * stream has sent everything before position `sent`. The view is the caller's to fill and queue.
   */
  take(length: number, sent: number, end: number): Uint8Array {
    if (length > MAX_STAGED) return new Uint8Array(length);
    this.reclaim(sent);
    let current = this.live[this.live.length - 1];
    if (current === undefined || this.used + length > STAGING_BLOCK) {
      current = this.spare.pop() ?? { bytes: new Uint8Array(STAGING_BLOCK), lastEnd: 0 };
      this.live.push(current);
      this.used = 0;
    }
    const view = current.bytes.subarray(this.used, this.used + length);
    this.used += length;
    current.lastEnd = end;
    return view;
  }

  /** Frees the blocks whose copies were all sent; the block being filled starts over when its
   * copies were. */
  private reclaim(sent: number): void {
    while (this.live.length > 0 && this.live[0]!.lastEnd <= sent) {
      if (this.live.length === 1) {
        this.used = 0;
        return;
      }
      const block = this.live.shift()!;
      if (this.live.length + this.spare.length < MAX_OWNED_BLOCKS) this.spare.push(block);
    }
  }
}
