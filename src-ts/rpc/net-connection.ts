import type { Socket } from 'node:net';
import { ErrorCode, HeddleError } from '../errors.js';
import type { Frame } from '../transport/index.js';
import { ChunkFramer, startsHttp2Preface, startsTlsHandshake, type FrameConnection, type FrameConnectionOptions, type FrameSink, type Framing } from './frame-connection.js';

/**
 * The pure-TypeScript connection: a `net.Socket` whose chunks go through the transport
 * layer's incremental {@link FrameReader}. Used when the addon is not loaded, and as the baseline
 * the native path is measured against.
 */
export class NetFrameConnection implements FrameConnection {
  readonly kind = 'net';
  readonly remoteAddress: string;
  private readonly framer: ChunkFramer;
  private finished = false;
  private failure: HeddleError | undefined;
  /** Server side: the first bytes, held until there are four to tell an HTTP/2 preface by. */
  private sniffed: Buffer | undefined;
  private readonly http2: ((socket: Socket, tls: boolean) => void) | undefined;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private readonly listeners: Array<[string, (...args: any[]) => void]> = [];

  constructor(
    private readonly socket: Socket,
    options: FrameConnectionOptions,
    private readonly sink: FrameSink,
  ) {
    this.remoteAddress = options.peer ?? (socket.remoteAddress === undefined ? 'unix socket peer' : `${socket.remoteAddress}:${socket.remotePort}`);
    this.framer = new ChunkFramer(options);
    this.http2 = options.framing === 'sniff' ? options.http2 : undefined;
    if (this.http2 !== undefined) this.sniffed = Buffer.alloc(0);
    socket.setNoDelay?.(true);
    this.listen('data', (chunk: Buffer) => this.onData(chunk));
    this.listen('drain', () => this.sink.drain());
    this.listen('end', () => this.onEnd());
    this.listen('error', (error: NodeJS.ErrnoException) => {
      this.failure ??= new HeddleError(ErrorCode.ERR_CONNECTION, `connection to ${this.remoteAddress} failed: ${error.code ?? error.message}`, { cause: error });
    });
    this.listen('close', () => {
      this.finished = true;
      this.sink.closed(this.failure);
    });
    socket.resume();
  }

  get framing(): Framing {
    return this.framer.framing;
  }

  write(frames: readonly Uint8Array[]): boolean {
    if (this.finished || this.socket.destroyed) return false;
    if (frames.length === 1) return this.socket.write(frames[0]!);
    this.socket.cork();
    let ok = true;
    for (const frame of frames) ok = this.socket.write(frame);
    this.socket.uncork();
    return ok;
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  destroy(): void {
    this.finished = true;
    this.socket.destroy();
  }

  /** Bytes of an unfinished frame held back, for read timeouts. */
  get partialBytes(): number {
    return this.framer.buffered;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private listen(event: string, listener: (...args: any[]) => void): void {
    this.listeners.push([event, listener]);
    this.socket.on(event, listener);
  }

  /** Gives the socket, preface (or TLS handshake) put back, to the HTTP/2 server; this connection
   * closes quietly. */
  private handOff(prefix: Buffer, tls: boolean): void {
    this.socket.pause();
    for (const [event, listener] of this.listeners) this.socket.off(event, listener);
    this.finished = true;
    this.socket.unshift(prefix);
    this.sink.closed();
    this.http2!(this.socket, tls);
  }

  private onData(chunk: Buffer): void {
    if (this.sniffed !== undefined) {
      const head = this.sniffed.length === 0 ? chunk : Buffer.concat([this.sniffed, chunk]);
      if (head.length < 4) {
        this.sniffed = head;
        return;
      }
      this.sniffed = undefined;
      if (startsHttp2Preface(head)) {
        this.handOff(head, false);
        return;
      }
      if (startsTlsHandshake(head)) {
        this.handOff(head, true);
        return;
      }
      chunk = head;
    }
    let frames: Frame[];
    try {
      frames = this.framer.push(chunk);
    } catch (error) {
      this.failure = error as HeddleError;
      this.socket.destroy();
      return;
    }
    if (frames.length > 0) this.sink.frames(frames);
  }

  private onEnd(): void {
    if (this.framer.buffered > 0) {
      this.failure ??= new HeddleError(
        ErrorCode.ERR_CONNECTION,
        `${this.remoteAddress} closed the connection in the middle of a frame (${this.framer.buffered} bytes received)`,
      );
    }
    this.socket.destroy();
  }
}
