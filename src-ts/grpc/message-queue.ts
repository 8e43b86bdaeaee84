/**
 * The messages arriving on one gRPC stream as an async iterable, with back-pressure: once
 * `highWater` decoded messages wait unread, `pause` is called (the HTTP/2 stream stops being read,
 * so its flow-control window stays closed and the peer stops sending); when the reader catches up
 * below half of it, `resume`. One reader only.
 */
export class MessageQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private head = 0;
  private waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  private ended = false;
  private failure: unknown;
  private paused = false;
  private iterated = false;

  constructor(
    private readonly highWater: number,
    private readonly pause: () => void,
    private readonly resume: () => void,
    /** Called when the reader stops early (break, return): the stream's rest is unwanted. */
    private readonly abandon: () => void = () => {},
  ) {}

  /** Messages waiting to be read. */
  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    if (this.ended) return;
    if (this.waiter !== undefined) {
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter.resolve({ value: item, done: false });
      return;
    }
    this.items.push(item);
    if (!this.paused && this.size >= this.highWater) {
      this.paused = true;
      this.pause();
    }
  }

  /** No more messages; with `error`, the reader gets it after the messages already queued. */
  end(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    if (this.waiter !== undefined && this.size === 0) {
      const waiter = this.waiter;
      this.waiter = undefined;
      if (error === undefined) waiter.resolve({ value: undefined, done: true });
      else waiter.reject(error);
    }
  }

  /** Fails the reader now, dropping queued messages (a cancelled or broken stream). */
  fail(error: unknown): void {
    this.items.length = 0;
    this.head = 0;
    this.ended = false;
    this.end(error);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.size > 0) {
      const item = this.items[this.head]!;
      this.items[this.head++] = undefined as T;
      if (this.head === this.items.length) {
        this.items.length = 0;
        this.head = 0;
      }
      if (this.paused && this.size <= this.highWater >> 1) {
        this.paused = false;
        this.resume();
      }
      return Promise.resolve({ value: item, done: false });
    }
    if (this.ended) {
      if (this.failure !== undefined) {
        const failure = this.failure;
        return Promise.reject(failure);
      }
      return Promise.resolve({ value: undefined, done: true });
    }
    if (this.paused) {
      this.paused = false;
      this.resume();
    }
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.iterated) {
      // A second for-await would silently split the messages between two readers.
      throw new TypeError('a gRPC message stream can be iterated only once');
    }
    this.iterated = true;
    return {
      next: () => this.next(),
      return: (value?: unknown) => {
        if (!this.ended) {
          this.ended = true;
          this.items.length = 0;
          this.head = 0;
          this.abandon();
        }
        return Promise.resolve({ value: value as T, done: true });
      },
    };
  }
}
