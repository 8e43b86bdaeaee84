import type { Socket } from 'node:net';
import { ErrorCode, HeddleError } from '../errors.js';
import type { Frame } from '../transport/index.js';
import { ChunkFramer, type FrameConnection, type FrameConnectionOptions, type FrameSink, type Framing } from './frame-connection.js';

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

  constructor(
    private readonly socket: Socket,
    options: FrameConnectionOptions,
    private readonly sink: FrameSink,
  ) {
    this.remoteAddress = options.peer ?? (socket.remoteAddress === undefined ? 'unix socket peer' : `${socket.remoteAddress}:${socket.remotePort}`);
    this.framer = new ChunkFramer(options);
    socket.setNoDelay?.(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.sink.drain());
    socket.on('end', () => this.onEnd());
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.failure ??= new HeddleError(ErrorCode.ERR_CONNECTION, `connection to ${this.remoteAddress} failed: ${error.code ?? error.message}`, { cause: error });
    });
    socket.on('close', () => {
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

  private onData(chunk: Buffer): void {
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
