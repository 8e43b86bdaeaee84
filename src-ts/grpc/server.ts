import http2, { type Http2Server, type IncomingHttpHeaders, type ServerHttp2Session } from 'node:http2';
import type { Socket } from 'node:net';
import { ErrorCode, HeddleError } from '../errors.js';
import type { MethodBinding, ServiceBinding } from '../rpc/binding.js';
import type { Invoke } from '../rpc/context.js';
import { CONNECTION_WINDOW, STREAM_WINDOW } from './client-connection.js';
import { GrpcServerContext } from './context.js';
import { h2ErrorName } from './http2/frames.js';
import { H2ServerSession } from './http2/server-session.js';
import { startKeepalive, type KeepaliveOptions } from './keepalive.js';
import { ACCEPT_ENCODING, acceptsGzip, DEFAULT_MAX_RECEIVE_MESSAGE_LENGTH, DEFAULT_MAX_SEND_MESSAGE_LENGTH, encodingOf } from './message-framing.js';
import { headerText } from './metadata.js';
import { ServerCall } from './server-call.js';
import { NodeServerStream, type ServerCallStream, type ServerStreamEvents } from './server-stream.js';
import { sessionTimeouts, watchNodeSession, type SessionTimeouts } from './session-timeouts.js';
import { encodeGrpcMessage, GrpcStatus, isGrpcStatusError } from './status.js';
import { parseGrpcTimeout } from './timeout.js';
import { serverTls, TlsAcceptor, type GrpcServerTlsOptions, type ServerTls } from './tls.js';

const { NGHTTP2_NO_ERROR } = http2.constants;

/** gRPC options of a heddle server (`createServer({ grpc: {...} })`). */
export interface GrpcServerOptions extends KeepaliveOptions {
  /** Largest request message accepted (after decompression). Default 4 MiB; larger ones end the
   * call with RESOURCE_EXHAUSTED. */
  maxReceiveMessageLength?: number;
  /** Largest response message sent. Default 2^31-1; larger ones end the call with RESOURCE_EXHAUSTED. */
  maxSendMessageLength?: number;
  /** `gzip`: compress responses to every client that accepts gzip. Default `identity`: compress
   * only responses to calls whose requests were compressed. */
  compression?: 'identity' | 'gzip';
  /** Streams one connection may have open at once (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS).
   * Default 1000. */
  maxConcurrentStreams?: number;
  /** The HTTP/2 engine: `'heddle'`, heddle's own HTTP/2 server (no per-stream emitters, one socket
   * write per event-loop turn); `'node'`, node:http2. Both speak the same wire. */
  http2?: 'heddle' | 'node';
  /** How long a client may take to send its HTTP/2 preface and SETTINGS and to acknowledge the
   * server's; past it the connection ends with GOAWAY (PROTOCOL_ERROR, or SETTINGS_TIMEOUT for a
   * missing ACK). Default 10 000 ms. */
  settingsTimeoutMs?: number;
  /** A connection without open streams for this long gets GOAWAY (NO_ERROR) and closes; clients
   * reconnect for their next call. Default 0: idle connections stay open. */
  idleTimeoutMs?: number;
  /** gRPC over TLS on the server's port (ALPN `h2`): a connection opening with a TLS handshake is
   * served as gRPC over TLS, with either engine. Without it such connections are refused. */
  tls?: GrpcServerTlsOptions;
}

/** What the gRPC part of a server logs through. */
export type GrpcLog = (level: 'warn' | 'error', code: string, message: string, peer?: string) => void;

/** One connection, whichever engine serves it. */
interface SessionState {
  readonly peer: string;
  lastStreamId: number;
  stopKeepalive: () => void;
  /** GOAWAY with the last stream seen, then close once the streams in flight end. */
  goaway(): void;
  /** Cuts the connection; resolves once it is closed. */
  destroy(): Promise<void>;
}

/** A stream the server answers without a call: its events are not wanted. */
const IGNORED_EVENTS: ServerStreamEvents = { onData() {}, onEnd() {}, onClose() {} };

function peerOf(socket: Socket | undefined | null): string {
  return socket?.remoteAddress === undefined ? 'unix socket peer' : `${socket.remoteAddress}:${socket.remotePort}`;
}

function checkLength(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `grpc.${what} must be an integer in [0, 2^31), got ${value}`);
  return value;
}

/**
 * gRPC over HTTP/2 for one service binding, inside a heddle RPC server: the server hands it the
 * connections whose first bytes are the HTTP/2 preface or a TLS handshake, and it serves them with
 * heddle's HTTP/2 engine or node:http2.
 */
export class GrpcServerCore {
  private readonly http2: Http2Server | undefined;
  private readonly maxConcurrentStreams: number;
  private readonly sessions = new Set<SessionState>();
  private readonly calls = new Set<ServerCall>();
  /** `/pkg.Service/Method` -> the method, for every method with a handler. */
  private readonly routes = new Map<string, MethodBinding>();
  private readonly maxReceive: number;
  private readonly maxSend: number;
  private readonly gzipAlways: boolean;
  private readonly keepalive: KeepaliveOptions;
  private readonly tls: ServerTls | undefined;
  private readonly timeouts: SessionTimeouts;
  private readonly tlsAcceptor: TlsAcceptor | undefined;
  private inflight = 0;
  private idleWaiters: Array<() => void> = [];
  private closing = false;
  private readonly callEnv;

  constructor(
    private readonly service: ServiceBinding,
    hasHandler: (method: string) => boolean,
    invoke: Invoke,
    private readonly log: GrpcLog,
    options: GrpcServerOptions = {},
  ) {
    this.maxReceive = checkLength(options.maxReceiveMessageLength, DEFAULT_MAX_RECEIVE_MESSAGE_LENGTH, 'maxReceiveMessageLength');
    this.maxSend = checkLength(options.maxSendMessageLength, DEFAULT_MAX_SEND_MESSAGE_LENGTH, 'maxSendMessageLength');
    if (options.compression !== undefined && options.compression !== 'gzip' && options.compression !== 'identity') {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `grpc.compression must be 'identity' or 'gzip', got ${String(options.compression)}`);
    }
    this.gzipAlways = options.compression === 'gzip';
    this.keepalive = options;
    if (options.http2 !== undefined && options.http2 !== 'heddle' && options.http2 !== 'node') {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `grpc.http2 must be 'heddle' or 'node', got ${String(options.http2)}`);
    }
    this.maxConcurrentStreams = options.maxConcurrentStreams ?? 1000;
    this.tls = serverTls(options.tls);
    this.timeouts = sessionTimeouts(options);
    if (this.tls !== undefined) {
      this.tlsAcceptor = new TlsAcceptor(
        this.tls,
        (secure, peer) => this.serve(secure, peer),
        (reason, peer) => this.log('warn', ErrorCode.ERR_CONNECTION, `${reason}; connection closed`, peer),
      );
    }
    if (options.http2 === 'node') {
      this.http2 = http2.createServer({
        settings: { maxConcurrentStreams: this.maxConcurrentStreams, initialWindowSize: STREAM_WINDOW },
        // A busy connection can hold many streams' headers at once.
        maxSessionMemory: 64,
      });
      this.http2.on('session', (session) => this.onNodeSession(session));
      this.http2.on('stream', (stream, headers) => {
        const state = (stream.session as unknown as { heddleState?: SessionState } | undefined)?.heddleState;
        this.onStream(new NodeServerStream(stream), headers, state);
      });
    }
    for (const method of service.methods.values()) {
      if (hasHandler(method.name)) this.routes.set(`/${service.name}/${method.name}`, method);
    }
    this.callEnv = {
      invoke,
      maxReceiveMessageLength: this.maxReceive,
      maxSendMessageLength: this.maxSend,
      logFailure: (ctx: GrpcServerContext, error: unknown) => {
        const code = error instanceof HeddleError ? error.code : 'HANDLER_ERROR';
        this.log('error', code, `${ctx.method} failed: ${error instanceof Error ? error.message : String(error)}`, ctx.peer);
      },
      finished: (call: ServerCall) => {
        this.calls.delete(call);
        this.track(-1);
      },
    };
  }

  /** Calls being served. */
  get inflightCalls(): number {
    return this.inflight;
  }

  /**
   * Serves `socket` (its first bytes, still unread or put back, the HTTP/2 preface or, when `tls`,
   * a TLS handshake record) as an HTTP/2 connection. TLS is ended here for both engines, so each
   * sees a socket of HTTP/2 frames.
   */
  accept(socket: Socket, tls: boolean, peer = peerOf(socket)): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    if (tls) {
      if (this.tlsAcceptor === undefined) {
        this.log('warn', ErrorCode.ERR_BAD_FRAME, 'a TLS handshake, and this server has no grpc.tls: connection closed', peer);
        socket.destroy();
        return;
      }
      this.tlsAcceptor.accept(socket);
      return;
    }
    if (this.tls !== undefined && !this.tls.allowPlaintext) {
      this.log('warn', ErrorCode.ERR_BAD_FRAME, 'cleartext HTTP/2 on a server with grpc.tls (allowPlaintext is off): connection closed', peer);
      socket.destroy();
      return;
    }
    this.serve(socket, peer);
  }

  private serve(socket: Socket, peer: string): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    if (this.http2 !== undefined) this.http2.emit('connection', socket);
    else this.onHeddleSession(socket, peer);
  }

  private onHeddleSession(socket: Socket, peer: string): void {
    const state: SessionState = {
      peer,
      lastStreamId: 0,
      stopKeepalive: () => {},
      goaway: () => session.close(),
      destroy: () =>
        new Promise<void>((resolve) => {
          if (session.destroyed) return resolve();
          socket.once('close', () => resolve());
          session.destroy();
        }),
    };
    const session: H2ServerSession = new H2ServerSession(socket, {
      streamWindow: STREAM_WINDOW,
      connectionWindow: CONNECTION_WINDOW,
      maxConcurrentStreams: this.maxConcurrentStreams,
      settingsTimeoutMs: this.timeouts.settingsTimeoutMs,
      idleTimeoutMs: this.timeouts.idleTimeoutMs,
      peer,
      onStream: (stream, headers) => this.onStream(stream, headers, state),
      onStreamError: (streamId, code, message) => this.log('warn', ErrorCode.ERR_BAD_FRAME, `HTTP/2 ${h2ErrorName(code)} on stream ${streamId}: ${message}`, peer),
      onConnectionError: (code, message) => this.log('warn', ErrorCode.ERR_BAD_FRAME, `HTTP/2 ${h2ErrorName(code)}: ${message}; connection closed`, peer),
      onClose: () => {
        state.stopKeepalive();
        this.sessions.delete(state);
      },
    });
    this.sessions.add(state);
    state.stopKeepalive = startKeepalive(session, this.keepalive, () => this.log('warn', ErrorCode.ERR_TIMEOUT, 'keepalive ping unanswered: connection closed', peer));
    if (this.closing) state.goaway();
  }

  private onNodeSession(session: ServerHttp2Session): void {
    const peer = peerOf(session.socket);
    const state: SessionState = {
      peer,
      lastStreamId: 0,
      stopKeepalive: () => {},
      goaway: () => {
        if (session.closed || session.destroyed) return;
        try {
          session.goaway(NGHTTP2_NO_ERROR, state.lastStreamId);
        } catch {
          // The session is already going away.
        }
        session.close();
      },
      destroy: () =>
        new Promise<void>((resolve) => {
          if (session.destroyed) return resolve();
          session.once('close', () => resolve());
          session.destroy();
        }),
    };
    this.sessions.add(state);
    // As the client does: a wide connection window, each stream still bounded by its own.
    session.setLocalWindowSize(CONNECTION_WINDOW);
    state.stopKeepalive = startKeepalive(session, this.keepalive, () => this.log('warn', ErrorCode.ERR_TIMEOUT, 'keepalive ping unanswered: connection closed', peer));
    (session as unknown as { heddleState: SessionState }).heddleState = state;
    watchNodeSession(session, this.timeouts, (message) => this.log('warn', ErrorCode.ERR_TIMEOUT, message, peer));
    session.on('error', (error: NodeJS.ErrnoException) => this.log('warn', ErrorCode.ERR_CONNECTION, `HTTP/2 session failed: ${error.code ?? error.message}`, peer));
    session.on('close', () => {
      state.stopKeepalive();
      this.sessions.delete(state);
    });
    if (this.closing) state.goaway();
  }

  private onStream(stream: ServerCallStream, headers: IncomingHttpHeaders, state: SessionState | undefined): void {
    const streamId = stream.id;
    if (state !== undefined && streamId > state.lastStreamId) state.lastStreamId = streamId;
    const peer = state?.peer ?? 'peer';
    const contentType = headerText(headers, 'content-type');
    if (contentType === undefined || !contentType.startsWith('application/grpc')) {
      // Not gRPC at all: an HTTP answer, as grpc-go gives one.
      stream.attach(IGNORED_EVENTS);
      stream.respond({ ':status': 415, 'content-type': 'text/plain' }, false);
      stream.end(Buffer.from(`heddle serves gRPC here; content-type ${contentType ?? '(none)'} is not application/grpc`), undefined);
      return;
    }
    if (headers[':method'] !== 'POST') {
      this.trailersOnly(stream, GrpcStatus.UNIMPLEMENTED, `gRPC calls are POST requests, not ${String(headers[':method'])}`);
      return;
    }
    const path = headerText(headers, ':path') ?? '';
    const method = this.routes.get(path);
    if (method === undefined) {
      const slash = path.lastIndexOf('/');
      const serviceName = path.slice(1, slash);
      const known = path[0] === '/' && slash > 0 && serviceName === this.service.name;
      this.trailersOnly(stream, GrpcStatus.UNIMPLEMENTED, known ? `unknown method ${path.slice(slash + 1)} for service ${serviceName}` : `unknown service ${serviceName || path}`);
      return;
    }
    const methodName = method.name;
    const encodingHeader = headerText(headers, 'grpc-encoding');
    const encoding = encodingOf(encodingHeader);
    if (encoding === undefined) {
      this.trailersOnly(stream, GrpcStatus.UNIMPLEMENTED, `message encoding '${encodingHeader}' is not supported`, { 'grpc-accept-encoding': ACCEPT_ENCODING });
      return;
    }
    let timeoutMs: number | undefined;
    const timeoutHeader = headerText(headers, 'grpc-timeout');
    if (timeoutHeader !== undefined) {
      try {
        timeoutMs = parseGrpcTimeout(timeoutHeader);
      } catch (error) {
        this.trailersOnly(stream, GrpcStatus.INTERNAL, isGrpcStatusError(error) ? error.grpcMessage : String(error));
        return;
      }
    }
    const gzip = encoding === 'gzip' || this.gzipAlways ? acceptsGzip(headerText(headers, 'grpc-accept-encoding')) : false;
    const ctx = new GrpcServerContext(this.service.name, methodName, peer, streamId, timeoutMs, headers);
    this.track(+1);
    this.calls.add(new ServerCall(this.callEnv, stream, method, ctx, encoding, gzip, timeoutMs));
  }

  private trailersOnly(stream: ServerCallStream, status: number, message: string, extra: Record<string, string> = {}): void {
    // Whatever the client still sends on this stream is not wanted.
    stream.attach(IGNORED_EVENTS);
    if (stream.closed) return;
    stream.respond({ ':status': 200, 'content-type': 'application/grpc', ...extra, 'grpc-status': String(status), 'grpc-message': encodeGrpcMessage(message) }, true);
    stream.resume();
  }

  private track(delta: number): void {
    this.inflight += delta;
    if (this.inflight === 0 && this.idleWaiters.length > 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /**
   * Graceful shutdown: GOAWAY on every connection, in-flight calls drain until `timeoutMs`; calls
   * still running then end with UNAVAILABLE (their signal aborts) and every connection is cut.
   */
  async close(timeoutMs: number): Promise<void> {
    this.closing = true;
    // GOAWAY with the last stream each connection saw: streams up to it run to completion, the
    // client opens a new connection for anything else.
    for (const state of this.sessions) state.goaway();
    if (this.inflight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.idleWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    // Calls still running end with UNAVAILABLE (their handlers see the signal abort), and the last
    // trailers get a moment to reach the socket before the connections are cut.
    for (const call of [...this.calls]) call.shutdown();
    await new Promise((resolve) => setTimeout(resolve, this.calls.size > 0 || this.inflight > 0 ? 20 : 0));
    await Promise.all([...this.sessions].map((state) => state.destroy()));
  }
}
