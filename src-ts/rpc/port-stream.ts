import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { MessagePort } from 'node:worker_threads';

/**
 * A connection relayed between threads: the acceptor thread owns the socket and moves its bytes
 * over a MessagePort; the worker thread serves a {@link PortSocket} as if it were the socket.
 * This is how a multi-threaded server shares a port when SO_REUSEPORT cannot be had (no addon
 * and a Node without `reusePort`): a socket cannot move to another thread, its bytes can.
 *
 * Messages on the port: byte chunks (a Uint8Array whose ArrayBuffer is transferred, never cloned)
 * and the control records below. Back-pressure: the worker asks the acceptor to pause reading when
 * its read buffer is full; the acceptor tells the worker when the socket's write buffer is full and
 * when it drained, and the worker holds its write callbacks in between.
 */
type RelayControl =
  /** Acceptor → worker: the peer ended its side. Worker → acceptor: end ours. */
  | { kind: 'end' }
  /** Acceptor → worker: the socket closed (`error` when it failed). */
  | { kind: 'closed'; error?: string }
  /** Acceptor → worker: the socket's write buffer is full / has drained. */
  | { kind: 'blocked' }
  | { kind: 'drained' }
  /** Worker → acceptor: stop / start reading the socket (the worker's read buffer is full / drained). */
  | { kind: 'pause' }
  | { kind: 'resume' }
  /** Worker → acceptor: close the socket now. */
  | { kind: 'destroy' };

type RelayMessage = Uint8Array | RelayControl;

/**
 * Posts bytes by moving their memory to the other thread. A view over part of a larger buffer
 * (an encoder's scratch space, a pooled allocation) is copied into its own first: cloning it would
 * copy the whole buffer, and transferring it would take the rest away from its owner.
 */
function postBytes(port: MessagePort, bytes: Uint8Array): void {
  const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice();
  port.postMessage(own, [own.buffer as ArrayBuffer]);
}

/** The chunks in one allocation of their own (Buffer.concat may return a slice of the shared pool). */
function joined(chunks: ReadonlyArray<{ chunk: Uint8Array }>): Uint8Array {
  let size = 0;
  for (const { chunk } of chunks) size += chunk.byteLength;
  const out = new Uint8Array(size);
  let at = 0;
  for (const { chunk } of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/** Acceptor side: moves `socket`'s bytes to `port` and the worker's replies back to `socket`. */
export function relaySocket(socket: Socket, port: MessagePort): void {
  let open = true;
  const post = (message: RelayControl) => {
    if (open) port.postMessage(message);
  };
  // A socket's read chunk is its own allocation, handed to no one else once emitted.
  socket.on('data', (chunk: Buffer) => open && postBytes(port, chunk));
  socket.on('end', () => post({ kind: 'end' }));
  socket.on('drain', () => post({ kind: 'drained' }));
  let failure: string | undefined;
  socket.on('error', (error: NodeJS.ErrnoException) => (failure = error.code ?? error.message));
  socket.on('close', () => {
    post(failure === undefined ? { kind: 'closed' } : { kind: 'closed', error: failure });
    open = false;
    port.close();
  });
  // The worker's end went away (its thread died): nothing will answer on this socket.
  port.on('close', () => {
    open = false;
    socket.destroy();
  });
  port.on('message', (message: RelayMessage) => {
    if (message instanceof Uint8Array) {
      if (!socket.destroyed && !socket.write(message)) post({ kind: 'blocked' });
      return;
    }
    switch (message.kind) {
      case 'pause':
        socket.pause();
        break;
      case 'resume':
        socket.resume();
        break;
      case 'end':
        socket.end();
        break;
      case 'destroy':
        socket.destroy();
        break;
    }
  });
  socket.resume();
}

/**
 * Worker side: the relayed connection as a Duplex, shaped enough like a `net.Socket` for the
 * server's connection code (data, end, close, drain, cork, pause, destroy).
 */
export class PortSocket extends Duplex {
  /** Write callbacks held while the acceptor's socket cannot take more. */
  private readonly held: Array<(error?: Error | null) => void> = [];
  private blocked = false;
  private readingPaused = false;
  private portOpen = true;

  constructor(
    private readonly port: MessagePort,
    readonly remoteAddress: string | undefined,
    readonly remotePort: number | undefined,
  ) {
    super({ allowHalfOpen: false });
    port.on('message', (message: RelayMessage) => this.onMessage(message));
  }

  setNoDelay(): this {
    return this;
  }

  private post(message: RelayControl): void {
    if (this.portOpen) this.port.postMessage(message);
  }

  private onMessage(message: RelayMessage): void {
    if (message instanceof Uint8Array) {
      if (!this.push(message) && !this.readingPaused) {
        this.readingPaused = true;
        this.post({ kind: 'pause' });
      }
      return;
    }
    switch (message.kind) {
      case 'blocked':
        this.blocked = true;
        break;
      case 'drained':
        this.blocked = false;
        for (const callback of this.held.splice(0)) callback();
        break;
      case 'end':
        this.push(null);
        break;
      case 'closed':
        this.closePort();
        this.destroy(message.error === undefined ? undefined : Object.assign(new Error(`relayed socket failed: ${message.error}`), { code: message.error }));
        break;
    }
  }

  override _read(): void {
    if (this.readingPaused) {
      this.readingPaused = false;
      this.post({ kind: 'resume' });
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.portOpen) postBytes(this.port, chunk);
    this.settle(callback);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    if (this.portOpen) postBytes(this.port, chunks.length === 1 ? chunks[0]!.chunk : joined(chunks));
    this.settle(callback);
  }

  /** A write is done at once unless the acceptor's socket is full; then it waits for the drain. */
  private settle(callback: (error?: Error | null) => void): void {
    if (this.blocked) this.held.push(callback);
    else callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.post({ kind: 'end' });
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.post({ kind: 'destroy' });
    this.closePort();
    // The acceptor will not report a drain now; a destroyed stream expects no write callback.
    this.held.length = 0;
    callback(error);
  }

  private closePort(): void {
    if (!this.portOpen) return;
    this.portOpen = false;
    this.port.close();
  }
}
