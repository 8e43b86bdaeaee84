import type { Socket } from 'node:net';
import { ErrorCode, HeddleError } from '../errors.js';
import { FrameReader, type Frame } from '../transport/index.js';
import { DEFAULT_MAX_FRAME_SIZE, type FrameConnection, type FrameConnectionOptions, type FrameSink, type Framing } from './frame-connection.js';

const readerKinds = { 'length-prefixed': 'auto', unframed: 'pure-payload', sniff: 'auto' } as const;

/**
 * The pure-TypeScript connection: a `net.Socket` whose chunks go through the transport
 * layer's incremental {@link FrameReader}. Used when the addon is not loaded, and as the baseline
 * the native path is measured against.
 */
export class NetFrameConnection implements FrameConnection {
  readonly kind = 'net';
  readonly remoteAddress: string;
  private readonly reader: FrameReader;
  private detected: Framing;
  private finished = false;
  private failure: HeddleError | undefined;

  constructor(
    private readonly socket: Socket,
    options: FrameConnectionOptions,
    private readonly sink: FrameSink,
  ) {
    this.remoteAddress = options.peer ?? (socket.remoteAddress === undefined ? 'unix socket peer' : `${socket.remoteAddress}:${socket.remotePort}`);
    this.reader = new FrameReader({ kind: options.readerKind ?? readerKinds[options.framing], maxFrameSize: options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE });
    this.detected = options.framing;
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
    return this.detected;
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
    return this.reader.buffered;
  }

  private onData(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch (error) {
      this.failure = error instanceof HeddleError ? error : new HeddleError(ErrorCode.ERR_BAD_FRAME, String(error), { cause: error });
      this.socket.destroy();
      return;
    }
    if (frames.length === 0) return;
    if (this.detected === 'sniff') this.detected = frames[0]!.kind === 'pure-payload' ? 'unframed' : 'length-prefixed';
    this.sink.frames(frames);
  }

  private onEnd(): void {
    if (this.reader.buffered > 0) {
      this.failure ??= new HeddleError(
        ErrorCode.ERR_CONNECTION,
        `${this.remoteAddress} closed the connection in the middle of a frame (${this.reader.buffered} bytes received)`,
      );
    }
    this.socket.destroy();
  }
}
