import { ErrorCode, HeddleError } from '../errors.js';
import type { ShmChunk } from './chunk.js';
import type { ShmSession } from './session.js';
import { StreamBase, type ShmTransport } from './stream.js';
import type { ShmWriteBuffer } from './write-buffer.js';

/** A shmipc stream of a {@link ShmSession}: chunks travel as shared-memory slices. */
export class SharedMemoryStream extends StreamBase {
  readonly id: number;
  readonly transport: ShmTransport = 'shm';
  readonly #session: ShmSession;

  /** @internal Created by the session. */
  constructor(id: number, session: ShmSession) {
    super();
    this.id = id;
    this.#session = session;
  }

  override get sliceCapacity(): number {
    return this.#session.maxSliceCapacity;
  }

  /** The session carrying this stream. */
  get session(): ShmSession {
    return this.#session;
  }

  write(data: Uint8Array): void {
    if (this.closed) throw this.closedError();
    if (!(data instanceof Uint8Array) || data.length === 0) {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'shm: write() needs a non-empty Uint8Array');
    }
    this.#session.sendCopy(this.id, data);
  }

  allocate(byteLength: number): ShmWriteBuffer {
    if (this.closed) throw this.closedError();
    if (!Number.isSafeInteger(byteLength) || byteLength <= 0) {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `shm: allocate(${byteLength}) needs a positive integer`);
    }
    return this.#session.allocate(this.id, byteLength);
  }

  close(): void {
    if (this.closed) return;
    this.finish(false);
    this.#session.closeStream(this.id);
  }

  /** @internal A chunk arrived. */
  receive(chunk: ShmChunk): void {
    this.deliver(chunk);
  }

  /** @internal The peer closed the stream: what is queued stays readable, then read() gives null. */
  remoteClosed(): void {
    this.#session.forgetStream(this.id);
    this.finish(true);
  }

  /** @internal The session died. */
  sessionFailed(error: HeddleError): void {
    this.fail(error);
  }
}
