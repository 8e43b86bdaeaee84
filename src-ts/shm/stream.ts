import { ErrorCode, HeddleError } from '../errors.js';
import type { ShmChunk } from './chunk.js';
import type { ShmWriteBuffer } from './write-buffer.js';

/** How a stream's bytes travel: shared memory, or the fallback Unix socket / TCP connection. */
export type ShmTransport = 'shm' | 'unix' | 'tcp';

/**
 * A bidirectional stream of raw bytes between two processes: a shmipc stream over shared memory,
 * or one fallback socket connection. Both look the same to the code above (framing and RPC).
 *
 * Receiving: pull with {@link ShmStream.read} / `for await`, or push with
 * {@link ShmStream.setDataHandler}; every chunk must be released. Sending: {@link ShmStream.write}
 * copies; {@link ShmStream.allocate} hands out space to encode into without a copy.
 */
export interface ShmStream extends AsyncIterable<ShmChunk> {
  /** The stream id (shmipc stream id, or a connection counter for sockets). */
  readonly id: number;
  readonly transport: ShmTransport;
  /** True once the stream can no longer send: closed locally or by the peer, or failed. */
  readonly closed: boolean;
  /** Chunks received and not yet taken by read() or a data handler. */
  readonly bufferedChunks: number;
  /** The most bytes a chunk written now travels with in one shared-memory slice (the largest slice
   * size of the pool), which the receiver can read in place; a larger chunk spans several slices.
   * Infinity on a socket, where chunk sizes make no difference. */
  readonly sliceCapacity: number;
  /** Sends a copy of `data` as one chunk. Over shared memory the peer is woken once the current
   * job and its microtasks are done, so a burst of writes costs it one wake-up (write(), and send()
   * of an allocated buffer, return before the peer knows). Throws ERR_CONNECTION when the stream is
   * closed, and ERR_SIZE_LIMIT (nothing sent, the stream stays usable) when shared memory is
   * exhausted and the peer has not read the FallbackData already waiting
   * (`maxQueuedFallbackBytes`): retry later. */
  write(data: Uint8Array): void;
  /** Reserves `byteLength` bytes to encode into; see {@link ShmWriteBuffer}. Throws ERR_SIZE_LIMIT
   * (nothing reserved, the stream stays usable) in the case write() does: retry later. */
  allocate(byteLength: number): ShmWriteBuffer;
  /** The next chunk, or null when the peer closed the stream. Rejects with ERR_CONNECTION or
   * ERR_SHM_PEER when the session died. */
  read(): Promise<ShmChunk | null>;
  /** Delivers chunks to `handler` as they arrive (queued ones first), instead of read(). The
   * handler runs inside the session's event dispatch: what it throws is an uncaught exception,
   * as from an EventEmitter listener. Chunks stay valid until the handler releases them. */
  setDataHandler(handler: ((chunk: ShmChunk) => void) | undefined): void;
  /** Calls `listener` once when the stream ends: with no error when the peer or we closed it,
   * with the HeddleError that killed it otherwise. */
  onEnd(listener: (error?: HeddleError) => void): void;
  /** Closes both directions; queued chunks are released, pending reads resolve to null. */
  close(): void;
}

interface Reader {
  resolve(chunk: ShmChunk | null): void;
  reject(error: HeddleError): void;
}

/**
 * The receiving half every stream shares: a queue of chunks for read(), or a push handler; and
 * the end-of-stream bookkeeping. Subclasses call deliver(), finish() and fail().
 */
export abstract class StreamBase implements ShmStream {
  abstract readonly id: number;
  abstract readonly transport: ShmTransport;
  #queue: ShmChunk[] = [];
  #readers: Reader[] = [];
  #handler: ((chunk: ShmChunk) => void) | undefined;
  #endListeners: Array<(error?: HeddleError) => void> = [];
  #finished = false;
  #error: HeddleError | undefined;

  get sliceCapacity(): number {
    return Infinity;
  }

  abstract write(data: Uint8Array): void;
  abstract allocate(byteLength: number): ShmWriteBuffer;
  abstract close(): void;

  get closed(): boolean {
    return this.#finished;
  }

  get bufferedChunks(): number {
    return this.#queue.length;
  }

  read(): Promise<ShmChunk | null> {
    const queued = this.#queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#error !== undefined) return Promise.reject(this.#error);
    if (this.#finished) return Promise.resolve(null);
    return new Promise((resolve, reject) => this.#readers.push({ resolve, reject }));
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ShmChunk> {
    for (;;) {
      const chunk = await this.read();
      if (chunk === null) return;
      yield chunk;
    }
  }

  setDataHandler(handler: ((chunk: ShmChunk) => void) | undefined): void {
    this.#handler = handler;
    while (handler !== undefined && this.#handler === handler && this.#queue.length > 0) handler(this.#queue.shift()!);
  }

  onEnd(listener: (error?: HeddleError) => void): void {
    if (this.#finished) {
      queueMicrotask(() => listener(this.#error));
      return;
    }
    this.#endListeners.push(listener);
  }

  /** Hands a received chunk to the handler, a waiting reader, or the queue. */
  protected deliver(chunk: ShmChunk): void {
    if (this.#finished) {
      chunk.release();
      return;
    }
    if (this.#handler !== undefined) {
      this.#handler(chunk);
      return;
    }
    const reader = this.#readers.shift();
    if (reader !== undefined) reader.resolve(chunk);
    else this.#queue.push(chunk);
  }

  /** Ends the stream: queued chunks stay readable when the peer closed it (`keepQueued`). */
  protected finish(keepQueued: boolean): void {
    if (this.#finished) return;
    this.#finished = true;
    if (!keepQueued) this.#releaseQueued();
    for (const reader of this.#readers.splice(0)) reader.resolve(null);
    this.#notifyEnd();
  }

  /** Ends the stream with an error: pending and later reads reject with it. */
  protected fail(error: HeddleError): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#error = error;
    this.#releaseQueued();
    for (const reader of this.#readers.splice(0)) reader.reject(error);
    this.#notifyEnd();
  }

  /** The error to throw from a write on a finished stream. */
  protected closedError(): HeddleError {
    return this.#error ?? new HeddleError(ErrorCode.ERR_CONNECTION, `shm: stream ${this.id} is closed`);
  }

  #releaseQueued(): void {
    for (const chunk of this.#queue.splice(0)) chunk.release();
  }

  #notifyEnd(): void {
    for (const listener of this.#endListeners.splice(0)) listener(this.#error);
  }
}
