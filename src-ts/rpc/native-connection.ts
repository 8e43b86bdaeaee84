import { closeSync } from 'node:fs';
import { Socket as NetSocket, type Socket } from 'node:net';
import { LinkBuffer } from '../buffer/index.js';
import { asHeddleError, ErrorCode, HeddleError } from '../errors.js';
import { nativeAddon } from '../native.js';
import { FrameReader, type Frame } from '../transport/index.js';
import {
  DEFAULT_MAX_FRAME_SIZE,
  type FrameConnection,
  type FrameConnectionOptions,
  type FrameSink,
  type Framing,
  startsTlsHandshake,
} from './frame-connection.js';

/** The addon's NativeSocket class (src-native/io/native_socket.h). */
export interface NativeSocketHandle {
  write(chunks: readonly Uint8Array[]): number;
  close(): void;
  pauseReading(): void;
  resumeReading(): void;
  readonly framing: number;
  readonly queuedBytes: number;
  readonly partialBytes: number;
}

export type NativeSocketConstructor = new (
  fd: number,
  framing: number,
  maxFrame: number,
  slabSize: number,
  onFrames: (slab: ArrayBuffer, spans: Int32Array, count: number) => void,
  onEvent: (kind: number, code: number, offset: number, bytes?: Uint8Array) => void,
) => NativeSocketHandle;

// Mirrors NativeSocket::Event.
const enum NativeEvent {
  Drained = 1,
  End = 2,
  Error = 3,
  BadFrame = 4,
  TooLarge = 5,
  Closed = 6,
  HandOff = 7,
}

// Mirrors the framing codes of NativeSocket's constructor and `framing` accessor: unframed
// messages are scanned natively, so the addon must know (or sniff) Binary from Compact.
const enum NativeFraming {
  LengthPrefixed = 0,
  UnframedBinary = 1,
  Sniff = 2,
  UnframedCompact = 3,
}
const framingNames: Framing[] = ['length-prefixed', 'unframed', 'sniff', 'unframed'];

function nativeFramingOf(options: FrameConnectionOptions): NativeFraming {
  switch (options.framing) {
    case 'length-prefixed':
      return NativeFraming.LengthPrefixed;
    case 'sniff':
      return NativeFraming.Sniff;
    case 'unframed':
      return options.protocol === 'compact' ? NativeFraming.UnframedCompact : NativeFraming.UnframedBinary;
  }
}
const SLAB_SIZE = 64 * 1024;

/** The errno constant's name (`EADDRINUSE`) for a positive errno, or `errno N`. */
export function errnoName(code: number): string {
  const names = require('node:os').constants.errno as Record<string, number>;
  return Object.keys(names).find((name) => names[name] === code) ?? `errno ${code}`;
}

/** True when the native I/O path can be used in this process. */
export function nativeIoAvailable(): boolean {
  return nativeAddon?.NativeSocket !== undefined;
}

/**
 * Moves a connected `net.Socket` onto the native I/O path: the addon takes its own descriptor of
 * the socket, and the Node socket is destroyed without ever having read a byte (servers create it
 * with `pauseOnConnect`, clients pause it before `connect`).
 */
export class NativeFrameConnection implements FrameConnection {
  readonly kind = 'native';
  readonly remoteAddress: string;
  private readonly handle: NativeSocketHandle;
  private readonly sink: FrameSink;
  private finished = false;
  private pendingError: HeddleError | undefined;
  // Parses the complete length-prefixed frames the addon cut: TTHeader or Framed, sniffed per
  // frame on a server, the one the transport uses on a client.
  private readonly parser: FrameReader;
  private streamOffset = 0;
  private readonly http2: ((socket: Socket, tls: boolean) => void) | undefined;

  constructor(socket: Socket, options: FrameConnectionOptions, sink: FrameSink) {
    const NativeSocket = nativeAddon?.NativeSocket;
    if (NativeSocket === undefined) {
      throw new HeddleError(ErrorCode.ERR_NATIVE_UNAVAILABLE, 'the native I/O path needs the heddle addon');
    }
    const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
    if (typeof fd !== 'number' || fd < 0) {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'socket has no file descriptor to hand to the native I/O path');
    }
    const maxFrame = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
    if (!Number.isInteger(maxFrame) || maxFrame < 8 || maxFrame > 0x7fffffff) {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `maxFrameSize must be an integer in [8, 2^31), got ${maxFrame}`);
    }
    this.sink = sink;
    this.http2 = options.framing === 'sniff' ? options.http2 : undefined;
    // Unframed messages never reach the parser: the addon's scan already delimited them.
    const parserKind = options.readerKind === undefined || options.readerKind === 'pure-payload' ? 'auto' : options.readerKind;
    this.parser = new FrameReader({ kind: parserKind, maxFrameSize: maxFrame });
    this.remoteAddress = options.peer ?? (socket.remoteAddress === undefined ? 'unix socket peer' : `${socket.remoteAddress}:${socket.remotePort}`);
    this.handle = new NativeSocket(
      fd,
      nativeFramingOf(options),
      maxFrame,
      SLAB_SIZE,
      (slab, spans, count) => this.onFrames(slab, spans, count),
      (kind, code, offset, bytes) => this.onEvent(kind, code, offset, bytes),
    );
    // The addon holds its own descriptor now; closing Node's does not close the connection.
    socket.destroy();
  }

  get framing(): Framing {
    return framingNames[this.handle.framing] ?? 'sniff';
  }

  write(frames: readonly Uint8Array[]): boolean {
    if (this.finished) return false;
    const queued = this.handle.write(frames);
    if (queued < 0) {
      this.fail(new HeddleError(ErrorCode.ERR_CONNECTION, `write failed: ${errnoName(-queued)}`));
      return false;
    }
    return queued === 0;
  }

  pause(): void {
    if (!this.finished) this.handle.pauseReading();
  }

  resume(): void {
    if (!this.finished) this.handle.resumeReading();
  }

  destroy(): void {
    if (this.finished) return;
    this.finished = true;
    this.handle.close();
  }

  /**
   * The addon saw the HTTP/2 preface or a TLS handshake record and gave back the descriptor and the bytes it read: the
   * connection goes to the HTTP/2 server as a Node socket (kClosed follows for this one).
   */
  private handOff(fd: number, bytes: Uint8Array): void {
    this.finished = true;
    if (this.http2 === undefined) {
      closeSync(fd);
      this.pendingError = new HeddleError(ErrorCode.ERR_BAD_FRAME, `${this.remoteAddress} sent the HTTP/2 preface or a TLS handshake, and this server does not serve gRPC`, { offset: 0 });
      return;
    }
    let socket: Socket;
    try {
      socket = new NetSocket({ fd, readable: true, writable: true });
    } catch (error) {
      closeSync(fd);
      this.pendingError = asHeddleError(error, ErrorCode.ERR_CONNECTION);
      return;
    }
    socket.pause();
    // A socket made from a descriptor starts with Nagle on: small HTTP/2 frames would wait on ACKs.
    socket.setNoDelay(true);
    socket.unshift(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    this.http2(socket, startsTlsHandshake(bytes));
  }

  private fail(error: HeddleError): void {
    if (this.finished) return;
    this.pendingError = error;
    this.finished = true;
    this.handle.close();
  }

  /** Bytes of an unfinished frame the addon holds. */
  get partialBytes(): number {
    return this.finished ? 0 : this.handle.partialBytes;
  }

  private onFrames(slab: ArrayBuffer, spans: Int32Array, count: number): void {
    const batch = new Array<Frame>(count);
    const framing = this.handle.framing;
    const unframed = framing === NativeFraming.UnframedBinary || framing === NativeFraming.UnframedCompact;
    const payloadProtocol = framing === NativeFraming.UnframedCompact ? 'thrift-compact' : 'thrift-binary';
    try {
      for (let i = 0; i < count; i++) {
        const raw = new Uint8Array(slab, spans[2 * i], spans[2 * i + 1]);
        // The addon already found this message's end by scanning it; nothing to re-check.
        batch[i] = unframed
          ? { kind: 'pure-payload', offset: this.streamOffset, size: raw.length, payload: LinkBuffer.from(raw), payloadProtocol }
          : this.parser.pushOwned(raw)[0]!;
        this.streamOffset += raw.length;
      }
    } catch (error) {
      this.fail(asHeddleError(error, ErrorCode.ERR_BAD_FRAME));
      return;
    }
    this.sink.frames(batch);
  }

  private onEvent(kind: number, code: number, offset: number, bytes?: Uint8Array): void {
    switch (kind) {
      case NativeEvent.HandOff:
        this.handOff(code, bytes ?? new Uint8Array(0));
        return;
      case NativeEvent.Drained:
        this.sink.drain();
        return;
      case NativeEvent.End:
        if (code > 0) {
          this.fail(new HeddleError(ErrorCode.ERR_CONNECTION, `${this.remoteAddress} closed the connection in the middle of a frame (${code} bytes received)`));
        } else {
          this.destroy();
        }
        return;
      case NativeEvent.Error:
        this.fail(new HeddleError(ErrorCode.ERR_CONNECTION, `connection to ${this.remoteAddress} failed: ${errnoName(code)}`));
        return;
      case NativeEvent.BadFrame:
        this.fail(new HeddleError(ErrorCode.ERR_BAD_FRAME, `malformed frame from ${this.remoteAddress}`, { offset }));
        return;
      case NativeEvent.TooLarge:
        this.fail(new HeddleError(ErrorCode.ERR_BAD_FRAME, `frame from ${this.remoteAddress} exceeds the frame size limit`, { offset }));
        return;
      case NativeEvent.Closed:
        this.sink.closed(this.pendingError);
        return;
    }
  }
}
