import { keepLoopPolling } from './busy-poll.js';
import type { FrameConnection } from './frame-connection.js';

/**
 * Coalesces the frames a connection sends within one turn of the event loop into a single write
 * (one writev on the native path), and tracks backpressure: `blocked` from a write the kernel did
 * not fully take until the connection reports it drained. With a busy-poll budget, each write keeps
 * the event loop polling for the answer (see busy-poll.ts).
 */
export class Outbox {
  private pending: Uint8Array[] = [];
  /** One past the index in `pending` of each frame's last chunk. */
  private frameEnds: number[] = [];
  private scheduled = false;
  private isBlocked = false;

  constructor(
    private readonly connection: () => FrameConnection | undefined,
    private readonly onBlockedChange: (blocked: boolean) => void = () => {},
    private readonly busyPollMicros = 0,
  ) {}

  /** Whether the connection still holds bytes the kernel refused. */
  get blocked(): boolean {
    return this.isBlocked;
  }

  /** Queues the chunks of one frame; they go out, in order, at the end of this microtask turn. */
  push(chunks: readonly Uint8Array[]): void {
    for (const chunk of chunks) this.pending.push(chunk);
    this.frameEnds.push(this.pending.length);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Writes what is queued now. */
  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const chunks = this.pending;
    const frameEnds = this.frameEnds;
    this.pending = [];
    this.frameEnds = [];
    const connection = this.connection();
    // A closed connection fails its calls through its close event; its frames go nowhere.
    if (connection === undefined) return;
    if (!connection.write(chunks, frameEnds) && !this.isBlocked) {
      this.isBlocked = true;
      this.onBlockedChange(true);
    }
    if (this.busyPollMicros > 0) keepLoopPolling(this.busyPollMicros);
  }

  /** The connection drained what it held. */
  drained(): void {
    if (!this.isBlocked) return;
    this.isBlocked = false;
    this.onBlockedChange(false);
  }
}
