import { ErrorCode, HeddleError } from '../errors.js';
import { ShmChunk, type ShmSliceOwner } from './chunk.js';
import { closeOnExit } from './exit-cleanup.js';
import { ShmLayout } from './layout.js';
import { isNativeFailure, type NativeHandle, type NativeSessionOptions, type NativeShmFunctions } from './native-shm.js';
import { SharedMemoryStream } from './shm-stream.js';
import { nativeError, NativeStatus, type NativeFailure } from './status.js';
import { ShmWriteBuffer } from './write-buffer.js';

/** Counters of one session, for monitoring and for proving zero copy. */
export interface ShmSessionStats {
  /** Payload bytes heddle itself copied: write() into slices, FallbackData in and out. */
  bytesCopied: number;
  shmChunksSent: number;
  shmBytesSent: number;
  shmChunksReceived: number;
  shmBytesReceived: number;
  fallbackChunksSent: number;
  fallbackBytesSent: number;
  fallbackChunksReceived: number;
  fallbackBytesReceived: number;
  /** Polling messages sent and received: fewer than chunks when the working flag batched them. */
  pollingSent: number;
  pollingReceived: number;
}

const STAT_NAMES: Array<keyof ShmSessionStats> = [
  'bytesCopied', 'shmChunksSent', 'shmBytesSent', 'shmChunksReceived', 'shmBytesReceived', 'fallbackChunksSent',
  'fallbackBytesSent', 'fallbackChunksReceived', 'fallbackBytesReceived', 'pollingSent', 'pollingReceived',
];

/**
 * Slices one session lends at once (ShmChunk.hold); the native session refuses more (its
 * kMaxLentSlices, which this mirrors), counting a loan until its ArrayBuffer is collected. A lent
 * slice goes back to the pool only then, and both directions allocate from one pool: a handler
 * that keeps a few bytes of each large request would otherwise pin the pool's large slices one
 * after another. Past this many, chunks are copied out and their slices go back at once. With 16,
 * a 1 MiB echo at 4 callers, which keeps nothing, still copied hundreds of chunks (collection lags
 * the loans); with 32 it copied almost none.
 */
export const MAX_LENT_SLICES = 32;

/** The process on the other side, from SO_PEERCRED. */
export interface ShmPeer {
  uid: number;
  pid: number;
}

/**
 * One shmipc session: a control connection plus the shared memory it set up, carrying any number
 * of streams. Clients get theirs from `shm.connect()`, servers from `shm.listen()`.
 *
 * When the session dies (the peer exits, breaks the protocol, or close() is called), every stream
 * fails with ERR_CONNECTION (ERR_SHM_PEER for a protocol violation), and the shared memory is
 * unmapped: views of it read as empty from then on.
 */
export class ShmSession implements ShmSliceOwner {
  /** 'client' created the shared memory; 'server' mapped it. */
  readonly role: 'client' | 'server';
  readonly #native: NativeShmFunctions;
  #handle: NativeHandle | undefined;
  #memory: ArrayBuffer | undefined;
  #version = 0;
  #streams = new Map<number, SharedMemoryStream>();
  #nextStreamId = 1;
  #closed = false;
  #error: HeddleError | undefined;
  #ready: { promise: Promise<void>; resolve: () => void; reject: (e: HeddleError) => void };
  #onStream: ((stream: SharedMemoryStream) => void) | undefined;
  #closeListeners: Array<(error?: HeddleError) => void> = [];
  #allocation = new Uint32Array(1 + 2 * 64);
  #releaseScratch = new Uint32Array(64);
  #minSliceCapacity = 1;
  #maxSliceCapacity = 1;
  #notifyScheduled = false;
  #forgetOnExit: () => void;

  private constructor(native: NativeShmFunctions, role: 'client' | 'server') {
    this.#native = native;
    this.role = role;
    this.#forgetOnExit = closeOnExit(() => this.close());
    let resolve!: () => void;
    let reject!: (e: HeddleError) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => undefined);  // observed through connect(); never an unhandled rejection
    this.#ready = { promise, resolve, reject };
  }

  /** @internal Connects to a server's control socket and completes the handshake. */
  static async connect(native: NativeShmFunctions, socketPath: string, options: NativeSessionOptions, timeoutMs: number): Promise<ShmSession> {
    const session = new ShmSession(native, 'client');
    const handle = native.shmConnect(socketPath, options, session.#onEvents);
    if (isNativeFailure(handle)) throw nativeError(`connect to ${socketPath}`, handle);
    session.#handle = handle;
    await session.#establishWithin(timeoutMs, `handshake with ${socketPath}`);
    return session;
  }

  /** @internal Takes over a session the listener accepted; it is established in the background. */
  static accept(native: NativeShmFunctions, handle: NativeHandle, timeoutMs: number, onStream: (stream: SharedMemoryStream) => void): ShmSession {
    const session = new ShmSession(native, 'server');
    session.#handle = handle;
    session.#onStream = onStream;
    native.shmBind(handle, session.#onEvents);
    session.#establishWithin(timeoutMs, 'handshake with a client').catch(() => undefined);
    return session;
  }

  /** Resolves once established; rejects with the error that ended the session first. */
  get ready(): Promise<void> {
    return this.#ready.promise;
  }

  /** The shmipc protocol version in use (2: files, 3: memfds); 0 until established. */
  get version(): number {
    return this.#version;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Why the session ended, when it ended with an error. */
  get error(): HeddleError | undefined {
    return this.#error;
  }

  /** The peer process, from the control socket's credentials. */
  get peer(): ShmPeer | undefined {
    if (this.#handle === undefined || this.#closed) return undefined;
    const info = this.#native.shmSessionInfo(this.#handle);
    return { uid: info.peerUid, pid: info.peerPid };
  }

  /** The largest slice of the pool, in data bytes: the largest chunk that travels in one slice. */
  get maxSliceCapacity(): number {
    return this.#maxSliceCapacity;
  }

  /** Open streams. */
  get streamCount(): number {
    return this.#streams.size;
  }

  /** Counters since the session started (the last values, once closed). */
  stats(): ShmSessionStats {
    const out = Object.fromEntries(STAT_NAMES.map((name) => [name, 0])) as unknown as ShmSessionStats;
    if (this.#handle === undefined) return out;
    const values = this.#native.shmSessionInfo(this.#handle).stats;
    STAT_NAMES.forEach((name, i) => (out[name] = values[i] ?? 0));
    return out;
  }

  /** Opens a new stream (clients open streams; a server's arrive through listen()). */
  openStream(): SharedMemoryStream {
    this.#assertOpen();
    this.#nextStreamId = (this.#nextStreamId + 1) >>> 0;
    const stream = new SharedMemoryStream(this.#nextStreamId, this);
    this.#streams.set(stream.id, stream);
    return stream;
  }

  /** Calls `listener` once when the session closes: with the error that killed it, if any. */
  onClose(listener: (error?: HeddleError) => void): void {
    if (this.#closed) queueMicrotask(() => listener(this.#error));
    else this.#closeListeners.push(listener);
  }

  /** Closes the session: streams fail with ERR_CONNECTION, the memory is unmapped, and a client
   * removes its /dev/shm files. */
  close(): void {
    this.#terminate(undefined, false);
  }

  /** @internal */
  sendCopy(streamId: number, data: Uint8Array): void {
    this.#check(this.#native.shmSend(this.#assertOpen(), streamId, data, true), 'send');
    this.#scheduleNotify();
  }

  /** @internal */
  allocate(streamId: number, byteLength: number): ShmWriteBuffer {
    const handle = this.#assertOpen();
    const maxSlices = Math.ceil(byteLength / this.#minSliceCapacity) + 1;
    if (this.#allocation.length < 1 + 2 * maxSlices) this.#allocation = new Uint32Array(1 + 2 * maxSlices);
    const id = this.#native.shmAllocate(handle, byteLength, this.#allocation);
    if (id === ShmLayout.allocateOutputFull) {
      // Refused before anything is encoded: a caller retrying does not copy megabytes each time.
      throw new HeddleError(ErrorCode.ERR_SIZE_LIMIT, `shm: no slice is free and the FallbackData waiting for the peer leaves no room for ${byteLength} bytes: retry later`);
    }
    if (id === ShmLayout.allocatePoolExhausted) {
      // No slice is free: encode into the heap and send it through the socket as FallbackData.
      const heap = Buffer.allocUnsafe(byteLength);
      return new ShmWriteBuffer([heap], byteLength, false, {
        send: (n) => this.#check(this.#native.shmSendFallback(this.#assertOpen(), streamId, heap.subarray(0, n)), 'send fallback data'),
        cancel: () => undefined,
      });
    }
    this.#check(id, 'allocate');
    const segments: Uint8Array[] = [];
    let remaining = byteLength;
    for (let i = 0, count = this.#allocation[0]!; i < count && remaining > 0; i++) {
      const length = Math.min(this.#allocation[2 + 2 * i]!, remaining);
      segments.push(new Uint8Array(this.#memory!, this.#allocation[1 + 2 * i]!, length));
      remaining -= length;
    }
    return new ShmWriteBuffer(segments, byteLength, true, {
      send: (n) => {
        this.#check(this.#native.shmCommit(this.#assertOpen(), id, streamId, n, true), 'send');
        this.#scheduleNotify();
      },
      cancel: () => {
        if (!this.#closed) this.#check(this.#native.shmCancel(this.#handle!, id), 'cancel');
      },
    });
  }

  /** @internal Tells the peer the stream is closed and forgets it. Does not throw: when the peer
   * cannot be told, the session ends, and its close listeners hear why. */
  closeStream(streamId: number): void {
    this.#streams.delete(streamId);
    if (this.#closed) return;
    const status = this.#native.shmCloseStream(this.#handle!, streamId);
    if (status < 0) this.#terminate(nativeError('close stream', this.#native.shmLastError()), status !== NativeStatus.outputLimit);
  }

  /** @internal */
  forgetStream(streamId: number): void {
    this.#streams.delete(streamId);
  }

  async #establishWithin(timeoutMs: number, what: string): Promise<void> {
    const timer = setTimeout(() => {
      this.#terminate(new HeddleError(ErrorCode.ERR_TIMEOUT, `shm: ${what} did not complete within ${timeoutMs} ms`), false);
    }, timeoutMs);
    timer.unref();
    try {
      await this.#ready.promise;
    } finally {
      clearTimeout(timer);
    }
  }

  #onEvents = (events: Uint32Array, count: number, payloads: Uint8Array[] | undefined, memory: ArrayBuffer | undefined, closed: NativeFailure | undefined): void => {
    if (memory !== undefined) this.#memory = memory;
    const words = ShmLayout.eventRecordWords;
    // The slices of a chunk that spans several; most chunks are one slice and need neither.
    let views: Uint8Array[] | undefined;
    let slices: number[] | undefined;
    let bytes = 0;
    for (let i = 0; i < count && !this.#closed; i++) {
      const at = i * words;
      const kind = events[at]!;
      const streamId = events[at + 1]!;
      if (kind === ShmLayout.eventData) {
        const view = new Uint8Array(this.#memory!, events[at + 3]!, events[at + 4]!);
        const last = events[at + 5] === 1;
        if (last && views === undefined) {
          this.#deliver(streamId, [view], events[at + 2]!, view.length);
          continue;
        }
        (views ??= []).push(view);
        (slices ??= []).push(events[at + 2]!);
        bytes += view.length;
        if (last) {
          this.#deliver(streamId, views, slices!, bytes);
          views = slices = undefined;
          bytes = 0;
        }
      } else if (kind === ShmLayout.eventFallbackData) {
        const payload = payloads![events[at + 2]!]!;
        this.#deliver(streamId, [payload], undefined, payload.length);
      } else if (kind === ShmLayout.eventStreamClosed) {
        this.#streams.get(streamId)?.remoteClosed();
      } else if (kind === ShmLayout.eventEstablished) {
        this.#version = streamId;
        const capacities = this.#native.shmSessionInfo(this.#handle!).sliceCapacities;
        this.#minSliceCapacity = Math.max(1, Math.min(...capacities));
        this.#maxSliceCapacity = Math.max(1, ...capacities);
        this.#ready.resolve();
      }
    }
    if (closed !== undefined) this.#terminate(nativeError('session closed', closed), true);
  };

  /** `slices`: the chunk's slice offset (a number when it is one), undefined for FallbackData. */
  #deliver(streamId: number, views: Uint8Array[], slices: number | number[] | undefined, bytes: number): void {
    let stream = this.#streams.get(streamId);
    if (stream === undefined) {
      // A server learns of a stream from its first chunk; anything else is for a stream already
      // closed here, and only its slices matter.
      if (this.role !== 'server' || this.#onStream === undefined) {
        if (slices !== undefined) this.releaseSlices(slices);
        return;
      }
      stream = new SharedMemoryStream(streamId, this);
      this.#streams.set(streamId, stream);
      this.#onStream(stream);
    }
    stream.receive(slices === undefined ? new ShmChunk(views, bytes) : new ShmChunk(views, bytes, this, slices));
  }

  /** @internal `length` bytes at `dataOffset` of received slice `sliceOffset` (see
   * {@link ShmChunk.hold}) as a Buffer over an ArrayBuffer of their own that lends the slice until
   * it is collected. Undefined when {@link MAX_LENT_SLICES} are lent already, or when the native
   * side refuses: the slice is not one delivered and still held, the range is not inside its data,
   * or the runtime has no external buffers. */
  holdSlice(sliceOffset: number, dataOffset: number, length: number): Uint8Array | undefined {
    if (this.#closed || this.#handle === undefined) return undefined;
    const memory = this.#native.shmHold(this.#handle, sliceOffset >>> 0, dataOffset >>> 0, length >>> 0);
    return memory === undefined ? undefined : Buffer.from(memory, 0, length);
  }

  /**
   * Chunks are queued without waking the peer; the wake-up (one Polling message, and none while
   * the peer is still draining) goes out once the current job and its microtasks are done. A burst
   * of sends (replies to a batch of calls, callers resolved together) then costs the peer one
   * wake-up and one syscall instead of one per chunk.
   */
  #scheduleNotify(): void {
    if (this.#notifyScheduled) return;
    this.#notifyScheduled = true;
    queueMicrotask(this.#notify);
  }

  #notify = (): void => {
    this.#notifyScheduled = false;
    if (this.#closed || this.#handle === undefined) return;
    const status = this.#native.shmNotify(this.#handle);
    // A failure here is fatal (the socket broke): end the session, as a failed send would.
    if (status < 0) this.#terminate(nativeError('notify', this.#native.shmLastError()), true);
  };

  /** @internal Gives received slices back to the pool (a chunk's release()). */
  releaseSlices(slices: number | readonly number[]): void {
    if (this.#closed) return;
    let count = 1;
    if (typeof slices === 'number') this.#releaseScratch[0] = slices;
    else {
      count = slices.length;
      if (count === 0) return;
      if (this.#releaseScratch.length < count) this.#releaseScratch = new Uint32Array(count * 2);
      this.#releaseScratch.set(slices);
    }
    this.#check(this.#native.shmRelease(this.#handle!, this.#releaseScratch, count), 'release');
  }

  #assertOpen(): NativeHandle {
    if (this.#closed || this.#handle === undefined) {
      throw this.#error ?? new HeddleError(ErrorCode.ERR_CONNECTION, 'shm: session is closed');
    }
    return this.#handle;
  }

  /** Turns a native status into an exception; a fatal one has already closed the native session. */
  #check(status: number, what: string): void {
    if (status >= 0) return;
    const error = nativeError(what, this.#native.shmLastError());
    // Only FallbackData refused while the peer is not reading leaves the session up; the native
    // side has closed it for anything else (status.h IsFatal), a bad argument included, so this
    // side must not go on as if it were open.
    if (status !== NativeStatus.outputLimit) this.#terminate(error, true);
    throw error;
  }

  #terminate(error: HeddleError | undefined, nativeClosed: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#error = error;
    this.#forgetOnExit();
    if (!nativeClosed && this.#handle !== undefined) this.#native.shmClose(this.#handle);
    const streamError = error ?? new HeddleError(ErrorCode.ERR_CONNECTION, 'shm: session closed');
    for (const stream of [...this.#streams.values()]) stream.sessionFailed(streamError);
    this.#streams.clear();
    this.#ready.reject(streamError);
    for (const listener of this.#closeListeners.splice(0)) listener(error);
  }
}
