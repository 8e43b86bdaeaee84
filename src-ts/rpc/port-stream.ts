import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { MessagePort } from 'node:worker_threads';

/**
 * Connections relayed between threads: the acceptor thread owns the sockets and moves their bytes
 * to a worker over one MessagePort per worker; the worker serves a {@link PortSocket} per
 * connection as if it were the socket. This is how a multi-threaded server shares a port when
 * SO_REUSEPORT cannot be had (no addon, and a Node without `reusePort`): a socket cannot move to
 * another thread, its bytes can.
 *
 * What crosses the port is a batch of records `[connection id, bytes or control]`, one batch per
 * event-loop turn and direction: a message between threads costs a serialisation and a wake-up of
 * the other thread, so every connection's bytes of one turn share them. Bytes move by transfer,
 * never by clone. Back-pressure: the worker asks the acceptor to pause reading a connection when
 * its read buffer is full; the acceptor tells the worker when a socket's write buffer is full and
 * when it drained, and the worker holds that connection's write callbacks in between.
 */
type RelayControl =
  /** Acceptor → worker: a new connection. */
  | { kind: 'open'; remoteAddress: string | undefined; remotePort: number | undefined }
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

type RelayRecord = [connection: number, payload: Uint8Array | RelayControl];

/**
 * @internal One side of a worker's relay port: sends records in one batch per event-loop turn
 * and hands each record received to `receive`.
 */
export class RelayEndpoint {
  private batch: RelayRecord[] = [];
  private transfers: ArrayBuffer[] = [];
  private scheduled = false;
  private open = true;

  constructor(
    private readonly port: MessagePort,
    receive: (connection: number, payload: Uint8Array | RelayControl) => void,
    onClose: () => void,
  ) {
    port.on('message', (records: RelayRecord[]) => {
      for (const [connection, payload] of records) receive(connection, payload);
    });
    port.on('close', () => {
      this.open = false;
      onClose();
    });
  }

  sendControl(connection: number, control: RelayControl): void {
    this.push([connection, control]);
  }

  /**
   * Sends bytes by moving their memory. A view over part of a larger buffer (an encoder's scratch
   * space, Node's pool) is copied into its own first: cloning would copy the whole buffer, and
   * transferring would take the rest from its owner. `owned`: the caller gives `bytes` up.
   */
  sendBytes(connection: number, bytes: Uint8Array, owned: boolean): void {
    const whole = owned && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
    // (Not bytes.slice(): on a Buffer that is a view of the same memory, not a copy.)
    const own = whole ? bytes : new Uint8Array(bytes);
    this.transfers.push(own.buffer as ArrayBuffer);
    this.push([connection, own]);
  }

  private push(record: RelayRecord): void {
    if (!this.open) return;
    this.batch.push(record);
    if (!this.scheduled) {
      this.scheduled = true;
      // After the poll phase: every socket read (or reply) of this turn goes in one message.
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    if (!this.open || this.batch.length === 0) return;
    const batch = this.batch;
    const transfers = this.transfers;
    this.batch = [];
    this.transfers = [];
    this.port.postMessage(batch, transfers);
  }

  close(): void {
    this.flush();
    this.open = false;
    this.port.close();
  }
}

/** Acceptor side of one worker's relay: hands it sockets and moves their bytes both ways. */
export class SocketRelay {
  private readonly endpoint: RelayEndpoint;
  private readonly sockets = new Map<number, Socket>();
  private nextConnection = 0;

  constructor(port: MessagePort) {
    this.endpoint = new RelayEndpoint(
      port,
      (connection, payload) => this.fromWorker(connection, payload),
      // The worker went away (its thread ended): nothing will answer on its sockets.
      () => {
        for (const socket of this.sockets.values()) socket.destroy();
      },
    );
  }

  /** Connections relayed now. */
  get size(): number {
    return this.sockets.size;
  }

  add(socket: Socket): void {
    const id = ++this.nextConnection;
    this.sockets.set(id, socket);
    const endpoint = this.endpoint;
    endpoint.sendControl(id, { kind: 'open', remoteAddress: socket.remoteAddress, remotePort: socket.remotePort });
    // A socket's read chunk is an allocation of its own, handed to no one else once emitted.
    socket.on('data', (chunk: Buffer) => endpoint.sendBytes(id, chunk, true));
    socket.on('end', () => endpoint.sendControl(id, { kind: 'end' }));
    socket.on('drain', () => endpoint.sendControl(id, { kind: 'drained' }));
    let failure: string | undefined;
    socket.on('error', (error: NodeJS.ErrnoException) => (failure = error.code ?? error.message));
    socket.on('close', () => {
      this.sockets.delete(id);
      endpoint.sendControl(id, failure === undefined ? { kind: 'closed' } : { kind: 'closed', error: failure });
    });
    socket.resume();
  }

  private fromWorker(connection: number, payload: Uint8Array | RelayControl): void {
    const socket = this.sockets.get(connection);
    if (socket === undefined) return; // closed meanwhile; the worker hears of it
    if (payload instanceof Uint8Array) {
      if (!socket.destroyed && !socket.write(payload)) this.endpoint.sendControl(connection, { kind: 'blocked' });
      return;
    }
    switch (payload.kind) {
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
  }

  close(): void {
    this.endpoint.close();
  }
}

/** Worker side of the relay: a {@link PortSocket} per connection the acceptor opens. */
export class RelayedConnections {
  private readonly endpoint: RelayEndpoint;
  private readonly sockets = new Map<number, PortSocket>();

  constructor(port: MessagePort, onConnection: (socket: PortSocket) => void) {
    this.endpoint = new RelayEndpoint(
      port,
      (connection, payload) => {
        if (!(payload instanceof Uint8Array) && payload.kind === 'open') {
          const socket = new PortSocket(connection, this.endpoint, payload.remoteAddress, payload.remotePort, () => this.sockets.delete(connection));
          this.sockets.set(connection, socket);
          onConnection(socket);
          return;
        }
        this.sockets.get(connection)?.onRecord(payload);
      },
      () => {
        for (const socket of this.sockets.values()) socket.destroy();
      },
    );
  }

  close(): void {
    this.endpoint.close();
  }
}

/**
 * A relayed connection as a Duplex, shaped enough like a `net.Socket` for the server's connection
 * code (data, end, close, drain, cork, pause, destroy).
 */
export class PortSocket extends Duplex {
  /** Write callbacks held while the acceptor's socket cannot take more. */
  private readonly held: Array<(error?: Error | null) => void> = [];
  private blocked = false;
  private readingPaused = false;
  private relayed = true;

  /** @internal Made by {@link RelayedConnections}. */
  constructor(
    private readonly id: number,
    private readonly endpoint: RelayEndpoint,
    readonly remoteAddress: string | undefined,
    readonly remotePort: number | undefined,
    private readonly forget: () => void,
  ) {
    super({ allowHalfOpen: false });
  }

  setNoDelay(): this {
    return this;
  }

  /** As net.Socket's: a relayed connection holds no event-loop handle of its own to (un)ref. */
  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  /** As net.Socket's: ends the writable side, and destroys once what was written has gone. */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  private send(control: RelayControl): void {
    if (this.relayed) this.endpoint.sendControl(this.id, control);
  }

  /** @internal A record from the acceptor. */
  onRecord(payload: Uint8Array | RelayControl): void {
    if (payload instanceof Uint8Array) {
      if (!this.push(payload) && !this.readingPaused) {
        this.readingPaused = true;
        this.send({ kind: 'pause' });
      }
      return;
    }
    switch (payload.kind) {
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
        this.unlink();
        this.destroy(payload.error === undefined ? undefined : Object.assign(new Error(`relayed socket failed: ${payload.error}`), { code: payload.error }));
        break;
    }
  }

  override _read(): void {
    if (this.readingPaused) {
      this.readingPaused = false;
      this.send({ kind: 'resume' });
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    // The chunk may be a view the server still uses (an encoder's buffer): copied unless whole.
    if (this.relayed) this.endpoint.sendBytes(this.id, chunk, false);
    this.settle(callback);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    if (this.relayed) {
      if (chunks.length === 1) this.endpoint.sendBytes(this.id, chunks[0]!.chunk, false);
      else this.endpoint.sendBytes(this.id, joined(chunks), true);
    }
    this.settle(callback);
  }

  /** A write is done at once unless the acceptor's socket is full; then it waits for the drain. */
  private settle(callback: (error?: Error | null) => void): void {
    if (this.blocked) this.held.push(callback);
    else callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.send({ kind: 'end' });
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.send({ kind: 'destroy' });
    this.unlink();
    // The acceptor will not report a drain now; a destroyed stream expects no write callback.
    this.held.length = 0;
    callback(error);
  }

  private unlink(): void {
    if (!this.relayed) return;
    this.relayed = false;
    this.forget();
  }
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
