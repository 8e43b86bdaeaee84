import { connect as netConnect, type Socket } from 'node:net';
import { ErrorCode, HeddleError } from '../errors.js';
import { ShmChunk } from './chunk.js';
import type { FallbackAddress } from './address.js';
import { StreamBase, type ShmTransport } from './stream.js';
import { ShmWriteBuffer } from './write-buffer.js';

let nextConnectionId = 1;

/**
 * The fallback stream: one Unix-socket or TCP connection per stream, used when shared memory is
 * unavailable (no addon, the peer refused, not Linux). Chunks are the socket's reads; their views
 * are heap buffers, valid after release() too.
 */
export class SocketStream extends StreamBase {
  readonly id: number;
  readonly transport: ShmTransport;
  readonly #socket: Socket;

  /** @internal Wraps a connected socket. */
  constructor(socket: Socket, transport: 'unix' | 'tcp') {
    super();
    this.id = nextConnectionId++;
    this.transport = transport;
    this.#socket = socket;
    if (transport === 'tcp') socket.setNoDelay(true);
    socket.on('data', (data: Buffer) => this.deliver(new ShmChunk([data], data.length)));
    socket.on('end', () => {
      this.finish(true);
      socket.end();
    });
    socket.on('error', (error: Error) => {
      this.fail(new HeddleError(ErrorCode.ERR_CONNECTION, `shm fallback ${transport} socket: ${error.message}`, { cause: error }));
    });
    socket.on('close', () => this.finish(true));
  }

  /** Connects a new stream to a fallback listener. */
  static connect(address: FallbackAddress, timeoutMs: number): Promise<SocketStream> {
    return new Promise((resolve, reject) => {
      const socket = address.transport === 'unix' ? netConnect(address.path) : netConnect(address.port, address.host);
      const timer = setTimeout(() => socket.destroy(new Error(`connect timed out after ${timeoutMs} ms`)), timeoutMs);
      const fail = (error: Error): void => {
        clearTimeout(timer);
        reject(new HeddleError(ErrorCode.ERR_CONNECTION, `shm fallback: cannot connect over ${address.transport}: ${error.message}`, { cause: error }));
      };
      socket.once('error', fail);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', fail);
        resolve(new SocketStream(socket, address.transport));
      });
    });
  }

  write(data: Uint8Array): void {
    if (this.closed) throw this.closedError();
    if (!(data instanceof Uint8Array) || data.length === 0) {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'shm: write() needs a non-empty Uint8Array');
    }
    // The socket keeps a reference until the kernel takes the bytes; the caller may reuse `data`.
    this.#socket.write(Buffer.from(data));
  }

  allocate(byteLength: number): ShmWriteBuffer {
    if (this.closed) throw this.closedError();
    if (!Number.isSafeInteger(byteLength) || byteLength <= 0) {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `shm: allocate(${byteLength}) needs a positive integer`);
    }
    const heap = Buffer.allocUnsafe(byteLength);
    return new ShmWriteBuffer([heap], byteLength, false, {
      send: (n) => {
        if (this.closed) throw this.closedError();
        this.#socket.write(heap.subarray(0, n));
      },
      cancel: () => undefined,
    });
  }

  close(): void {
    if (this.closed) return;
    this.finish(false);
    this.#socket.end();
  }
}
