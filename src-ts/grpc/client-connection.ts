import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { RpcAddress } from '../rpc/address.js';
import type { CallStream, CallStreamEvents } from './call-stream.js';
import { H2ClientSession } from './http2/client-session.js';
import { startKeepalive, type KeepaliveOptions } from './keepalive.js';
import { GrpcStatus, grpcStatusError } from './status.js';
import { BatchedWriter } from './stream-write.js';
import { alpnRefusal, connectTls, type ClientTls } from './tls.js';

const { NGHTTP2_CANCEL } = http2.constants;

/** The HTTP/2 connection-level receive window heddle opens on both sides. */
export const CONNECTION_WINDOW = 8 * 1024 * 1024;
/** Each stream's receive window (SETTINGS_INITIAL_WINDOW_SIZE): what a peer may send on one stream
 * before its reader consumes anything, so the most one slow stream makes heddle buffer. HTTP/2's
 * 64 KiB default stalls a fast stream on WINDOW_UPDATE round trips. */
export const STREAM_WINDOW = 512 * 1024;

/** Which HTTP/2 client carries gRPC calls: heddle's own (default) or node:http2. */
export type Http2Engine = 'heddle' | 'node';

/** What opening a connection needs. */
export interface ConnectionTarget {
  address: RpcAddress;
  authority: string;
  peer: string;
  connectTimeoutMs: number;
  keepalive: KeepaliveOptions;
  /** TLS settings, or undefined for cleartext HTTP/2 (h2c). */
  tls: ClientTls | undefined;
}

/** One HTTP/2 connection of a gRPC client, whichever engine runs it. */
export interface ClientConnection {
  /** Calls in flight on it. */
  active: number;
  /** The server said GOAWAY (or the client retires it): no new calls. */
  retiring: boolean;
  /** It can take a new call. */
  readonly usable: boolean;
  /** Opens a stream for one call; throws when the connection cannot. */
  request(headers: OutgoingHttpHeaders, streamingRequest: boolean): CallStream;
  /** Keep the process alive while calls are in flight; not while idle. */
  ref(): void;
  unref(): void;
  /** Closes once the calls in flight end. */
  close(): void;
  /** Closes now; calls in flight fail with UNAVAILABLE. Resolves once the socket is closed. */
  destroy(): Promise<void>;
}

function connectSocket(address: RpcAddress, tls: ClientTls | undefined): net.Socket {
  if (tls !== undefined) return connectTls(address, tls);
  if (address.scheme === 'unix') return net.connect(address.path);
  const { host, port } = address as { host: string; port: number };
  return net.connect({ host, port, noDelay: true });
}

/** Opens a connection with `engine`; `onGone` runs when it closes or the server sends GOAWAY. */
export function openConnection(engine: Http2Engine, target: ConnectionTarget, onGone: (connection: ClientConnection) => void): ClientConnection {
  return engine === 'node' ? new NodeConnection(target, onGone) : new HeddleConnection(target, onGone);
}

/** What both engines' sessions offer alike. */
interface Session {
  readonly destroyed: boolean;
  ref(): void;
  unref(): void;
  close(): void;
}

/** The bookkeeping and lifetime calls both engines' connections share. */
abstract class SessionConnection<S extends Session> {
  active = 0;
  retiring = false;
  protected abstract readonly session: S;

  ref(): void {
    this.session.ref();
  }

  unref(): void {
    if (!this.session.destroyed) this.session.unref();
  }

  close(): void {
    this.session.close();
  }
}

/** A connection run by heddle's own HTTP/2 client ({@link H2ClientSession}). */
class HeddleConnection extends SessionConnection<H2ClientSession> implements ClientConnection {
  private readonly socket: net.Socket;
  protected readonly session: H2ClientSession;
  private readonly closed: Promise<void>;

  constructor(target: ConnectionTarget, onGone: (connection: ClientConnection) => void) {
    super();
    this.socket = connectSocket(target.address, target.tls);
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
    this.session = new H2ClientSession(this.socket, {
      authority: target.authority,
      scheme: target.tls === undefined ? 'http' : 'https',
      peer: target.peer,
      streamWindow: STREAM_WINDOW,
      connectionWindow: CONNECTION_WINDOW,
      onGoaway: () => {
        this.retiring = true;
        onGone(this);
      },
      onClose: () => {
        clearTimeout(connectTimer);
        stopKeepalive();
        onGone(this);
      },
    });
    const connectTimer = setTimeout(() => {
      this.session.destroy({ status: GrpcStatus.UNAVAILABLE, message: `connecting to ${target.peer} took longer than ${target.connectTimeoutMs} ms` });
    }, target.connectTimeoutMs);
    connectTimer.unref();
    if (target.tls === undefined) this.socket.once('connect', () => clearTimeout(connectTimer));
    else {
      // Connected means the handshake finished, and with HTTP/2 agreed.
      this.socket.once('secureConnect', () => {
        clearTimeout(connectTimer);
        const refusal = alpnRefusal(this.socket as TLSSocket, target.peer);
        if (refusal !== undefined) this.session.destroy({ status: GrpcStatus.UNAVAILABLE, message: refusal });
      });
    }
    const stopKeepalive = startKeepalive(this.session, target.keepalive, () => {});
    // An idle client does not hold the process open.
    this.socket.unref();
  }

  get usable(): boolean {
    return !this.retiring && this.session.usable;
  }

  request(headers: OutgoingHttpHeaders): CallStream {
    return this.session.request(headers);
  }

  destroy(): Promise<void> {
    this.session.destroy();
    return this.closed;
  }
}

/** A connection run by node:http2. */
class NodeConnection extends SessionConnection<ClientHttp2Session> implements ClientConnection {
  protected readonly session: ClientHttp2Session;

  constructor(target: ConnectionTarget, onGone: (connection: ClientConnection) => void) {
    super();
    const session = http2.connect(`${target.tls === undefined ? 'http' : 'https'}://${target.authority}`, {
      createConnection: () => connectSocket(target.address, target.tls),
      settings: { enablePush: false, initialWindowSize: STREAM_WINDOW },
      maxSessionMemory: 64,
    });
    this.session = session;
    const connectTimer = setTimeout(() => {
      session.destroy(grpcStatusError(GrpcStatus.UNAVAILABLE, `connecting to ${target.peer} took longer than ${target.connectTimeoutMs} ms`, { local: true }));
    }, target.connectTimeoutMs);
    connectTimer.unref();
    session.once('connect', () => {
      clearTimeout(connectTimer);
      // The connection-level window starts at 64 KiB, which 100 callers' 1 KiB messages exceed:
      // widen it, and let each stream's own window bound what one stream may buffer.
      session.setLocalWindowSize(CONNECTION_WINDOW);
    });
    session.on('error', () => {
      // Streams report the failure; the session is dropped on 'close'.
    });
    session.on('goaway', () => {
      // The server is going away: streams it accepted finish here, new calls go elsewhere.
      this.retiring = true;
      onGone(this);
      if (this.active === 0) session.close();
    });
    session.on('close', () => {
      clearTimeout(connectTimer);
      onGone(this);
    });
    const stopKeepalive = startKeepalive(session, target.keepalive, () => {});
    session.once('close', stopKeepalive);
    // An idle client does not hold the process open.
    session.unref();
  }

  get usable(): boolean {
    return !this.retiring && !this.session.destroyed && !this.session.closed;
  }

  request(headers: OutgoingHttpHeaders, streamingRequest: boolean): CallStream {
    // A stream whose requests stay open is reset through its own signal, without ending the
    // requests first (Http2Stream#close would send END_STREAM before the RST_STREAM).
    const resetController = streamingRequest ? new AbortController() : undefined;
    const stream = this.session.request(headers, resetController === undefined ? undefined : { signal: resetController.signal });
    return new NodeCallStream(stream, this.session, resetController);
  }

  destroy(): Promise<void> {
    const session = this.session;
    return new Promise<void>((resolve) => {
      if (session.destroyed) return resolve();
      session.once('close', () => resolve());
      session.destroy();
    });
  }
}

const EVENTS = Symbol('heddle.grpc.events');
type StreamWithEvents = ClientHttp2Stream & { [EVENTS]: NodeCallStream };

function onStreamResponse(this: StreamWithEvents, headers: IncomingHttpHeaders): void {
  this[EVENTS].events?.onResponse(headers);
}
function onStreamData(this: StreamWithEvents, chunk: Buffer): void {
  this[EVENTS].events?.onData(chunk);
}
function onStreamTrailers(this: StreamWithEvents, trailers: IncomingHttpHeaders): void {
  this[EVENTS].events?.onTrailers(trailers);
}
function onStreamClose(this: StreamWithEvents): void {
  this[EVENTS].onClose();
}
/** Errors are reported through 'close' (rstCode, or the session's failure). */
function ignoreError(): void {}

/** A node:http2 stream as a {@link CallStream}: shared listeners find it through a symbol, so a
 * call costs no closures. */
class NodeCallStream implements CallStream {
  events: CallStreamEvents | undefined;
  private writer: BatchedWriter | undefined;

  constructor(
    private readonly stream: ClientHttp2Stream,
    private readonly session: ClientHttp2Session,
    private readonly resetController: AbortController | undefined,
  ) {
    (stream as StreamWithEvents)[EVENTS] = this;
    stream.on('response', onStreamResponse);
    stream.on('data', onStreamData);
    stream.on('trailers', onStreamTrailers);
    stream.on('close', onStreamClose);
    stream.on('error', ignoreError);
  }

  get id(): number {
    return this.stream.id ?? 0;
  }

  get closed(): boolean {
    return this.stream.closed;
  }

  attach(events: CallStreamEvents): void {
    this.events = events;
  }

  write(bytes: Uint8Array): Promise<void> | undefined {
    return (this.writer ??= new BatchedWriter(this.stream)).write(bytes);
  }

  flush(): void {
    this.writer?.flush();
  }

  end(bytes?: Uint8Array): void {
    if (this.stream.closed || this.stream.writableEnded) return;
    if (bytes === undefined) this.stream.end();
    else this.stream.end(bytes);
  }

  pause(): void {
    this.stream.pause();
  }

  resume(): void {
    this.stream.resume();
  }

  cancel(): void {
    if (this.stream.closed) return;
    if (this.resetController !== undefined && !this.stream.writableEnded) this.resetController.abort();
    else this.stream.close(NGHTTP2_CANCEL);
  }

  /** @internal */
  onClose(): void {
    // A connection torn down (socket gone, GOAWAY and close) is UNAVAILABLE whatever code its
    // streams were reset with. (The session kept at construction: a closed stream no longer knows it.)
    const gone = this.session.destroyed || this.session.closed;
    this.events?.onClose({ connectionGone: gone, ...(this.stream.rstCode === undefined ? {} : { rstCode: this.stream.rstCode }) });
  }
}
