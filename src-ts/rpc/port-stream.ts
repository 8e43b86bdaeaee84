import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { MessagePort } from 'node:worker_threads';

/**
 * A connection relayed between threads: the acceptor thread owns the socket and moves its bytes
 * over a MessagePort; the worker thread serves a {@link PortSocket} as if it were the socket.
 * This is how a multi-threaded server shares a port when SO_REUSEPORT cannot be had (no addon
 * and a Node without `reusePort`): a socket cannot move to another thread, its bytes can.
 *
 * Messages on the port: byte chunks (Uint8Array, or an array of them from the worker) and
 * control records below.
 */
type RelayControl =
  /** Acceptor → worker: the peer ended its side. Worker → acceptor: end ours. */
  | { kind: 'end' }
  /** Acceptor → worker: the socket closed (`error` when it failed). */
  | { kind: 'closed'; error?: string }
  /** Acceptor → worker: the chunks of the worker's last batch are written to the socket. */
  | { kind: 'written' }
  /** Worker → acceptor: stop / start reading the socket (the worker's read buffer is full / drained). */
  | { kind: 'pause' }
  | { kind: 'resume' }
  /** Worker → acceptor: close the socket now. */
  | { kind: 'destroy' };

type RelayMessage = Uint8Array | Uint8Array[] | RelayControl;

/** Acceptor side: moves `socket`'s bytes to `port` and the worker's replies back to `socket`. */
export function relaySocket(socket: Socket, port: MessagePort): void {
  let open = true;
  const post = (message: RelayMessage) => {
    if (open) port.postMessage(message);
  };
  socket.on('data', (chunk: Buffer) => post(chunk));
  socket.on('end', () => post({ kind: 'end' }));
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
    if (message instanceof Uint8Array || Array.isArray(message)) {
      const chunks = Array.isArray(message) ? message : [message];
      if (socket.destroyed) return;
      // The worker's write callbacks wait for this: the socket's own back-pressure reaches it.
      socket.cork();
      for (let i = 0; i < chunks.length; i++) {
        if (i === chunks.length - 1) socket.write(chunks[i]!, () => post({ kind: 'written' }));
        else socket.write(chunks[i]!);
      }
      socket.uncork();
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
  /** Write callbacks waiting for the acceptor to report their batch written, oldest first. */
  private readonly unacknowledged: Array<(error?: Error | null) => void> = [];
  private readingPaused = false;
  private portOpen = true;

  constructor(
    private readonly port: MessagePort,
    readonly remoteAddress: string | undefined,
    readonly remotePort: number | undefined,
  ) {
    super({ allowHalfOpen: false, highWaterMark: 256 * 1024 });
    port.on('message', (message: RelayMessage) => this.onMessage(message));
  }

  setNoDelay(): this {
    return this;
  }

  private post(message: RelayMessage): void {
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
    if (Array.isArray(message)) return;
    switch (message.kind) {
      case 'written':
        this.unacknowledged.shift()?.();
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
    this.unacknowledged.push(callback);
    this.post(chunk);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    this.unacknowledged.push(callback);
    this.post(chunks.map((c) => c.chunk));
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.post({ kind: 'end' });
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.post({ kind: 'destroy' });
    this.closePort();
    // The acceptor will not acknowledge these now; a destroyed stream expects no callback.
    this.unacknowledged.length = 0;
    callback(error);
  }

  private closePort(): void {
    if (!this.portOpen) return;
    this.portOpen = false;
    this.port.close();
  }
}
