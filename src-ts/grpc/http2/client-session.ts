import type { OutgoingHttpHeaders } from 'node:http2';
import type { Socket } from 'node:net';
import type { CallStream, StreamEnd } from '../call-stream.js';
import { H2Stream, NO_FIELDS, type StreamOwner } from './client-stream.js';
import { responseHeaders } from './response-headers.js';
import { GrpcStatus } from '../status.js';
import {
  CLIENT_PREFACE,
  DEFAULT_MAX_FRAME_SIZE,
  DEFAULT_WINDOW,
  Flag,
  FrameType,
  H2Error,
  h2ErrorName,
  MAX_WINDOW,
  Setting,
} from './frames.js';
import { HeaderBlocks, readPing, readSettings, readWindowIncrement } from './frame-parts.js';
import { HpackDecoder, HpackEncoder, type DecodedBlock } from './hpack.js';
import { ConnectionError, FrameReader, FrameWriter, MAX_DATA_FRAME, unpad } from './frame-io.js';
import { InflightTable } from '../../rpc/inflight-table.js';

/** What a session advertises and how much it lets one stream and the connection buffer. */
export interface H2ClientSessionOptions {
  /** `:authority` of every request. */
  authority: string;
  /** `:scheme` of every request: `https` over TLS. Default `http`. */
  scheme?: 'http' | 'https';
  /** SETTINGS_INITIAL_WINDOW_SIZE: what the peer may send on one stream before its reader consumes. */
  streamWindow: number;
  /** The connection-level receive window. */
  connectionWindow: number;
  /** SETTINGS_MAX_HEADER_LIST_SIZE: a response header list past this fails its call (RESOURCE_EXHAUSTED). */
  maxHeaderListSize?: number;
  /** Where errors say the peer is. */
  peer: string;
  /** The peer sent GOAWAY: no new streams on this session. */
  onGoaway?: () => void;
  /** The session is gone (socket closed or destroyed). */
  onClose?: () => void;
}

/** SETTINGS_MAX_FRAME_SIZE heddle advertises: big DATA frames from the peer cost fewer headers. */
export const LOCAL_MAX_FRAME_SIZE = 1 << 18;
/** Default SETTINGS_MAX_HEADER_LIST_SIZE: gRPC metadata of a sane call fits many times over. */
export const DEFAULT_MAX_HEADER_LIST_SIZE = 64 * 1024;
const MAX_STREAM_ID = 0x7fffffff;
/** How long a closing socket may take to send its last frames. */
const SOCKET_LINGER_MS = 1000;

/**
 * heddle's HTTP/2 client connection (RFC 9113) for gRPC: one socket, the preface and SETTINGS
 * exchange, HPACK, flow control both ways, PING, GOAWAY and RST_STREAM, strict frame checks.
 * The frames of one event-loop turn go out in one socket write.
 */
export class H2ClientSession implements StreamOwner {
  destroyed = false;
  /** GOAWAY was received or sent: no new streams. */
  goingAway = false;
  /** Open streams by id (not a Map: see rpc/inflight-table.ts). */
  private readonly streams = new InflightTable<H2Stream>();
  /** Streams waiting for the peer's MAX_CONCURRENT_STREAMS to let them open. */
  private readonly waiting: H2Stream[] = [];
  /** Streams with data held back by the connection window. */
  private readonly blocked = new Set<H2Stream>();
  private nextStreamId = 1;
  private readonly encoder = new HpackEncoder();
  private readonly maxHeaderListSize: number;
  private peerMaxConcurrent = Infinity;
  private peerInitialWindow = DEFAULT_WINDOW;
  private peerMaxFrame = DEFAULT_MAX_FRAME_SIZE;
  private sendWindow = DEFAULT_WINDOW;
  private receiveWindow: number;
  private uncredited = 0;
  private sawSettings = false;
  private readonly headerBlocks: HeaderBlocks;
  private readonly reader = new FrameReader(LOCAL_MAX_FRAME_SIZE, (type, flags, streamId, payload) => this.onFrame(type, flags, streamId, payload), () => this.destroyed);
  private readonly output: FrameWriter;
  private pingCallback: ((error: Error | null) => void) | undefined;
  private socketError: Error | undefined;
  private closeFailure: StreamEnd['failure'];

  constructor(
    private readonly socket: Socket,
    private readonly options: H2ClientSessionOptions,
  ) {
    this.maxHeaderListSize = options.maxHeaderListSize ?? DEFAULT_MAX_HEADER_LIST_SIZE;
    this.headerBlocks = new HeaderBlocks(new HpackDecoder(), this.maxHeaderListSize, (streamId, decoded, endStream) => this.onHeaderBlock(streamId, decoded, endStream));
    this.receiveWindow = DEFAULT_WINDOW;
    this.output = new FrameWriter(socket);
    this.output.append(CLIENT_PREFACE);
    const settings: [number, number][] = [
      [Setting.ENABLE_PUSH, 0],
      [Setting.INITIAL_WINDOW_SIZE, options.streamWindow],
      [Setting.MAX_FRAME_SIZE, LOCAL_MAX_FRAME_SIZE],
      [Setting.MAX_HEADER_LIST_SIZE, this.maxHeaderListSize],
    ];
    this.output.settings(settings);
    if (options.connectionWindow > DEFAULT_WINDOW) {
      this.windowUpdate(0, options.connectionWindow - DEFAULT_WINDOW);
      this.receiveWindow = options.connectionWindow;
    }
    this.flush();
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error) => (this.socketError = error));
    socket.on('close', () => this.destroy());
  }

  /** Streams open or waiting to open. */
  get streamCount(): number {
    return this.streams.size + this.waiting.length;
  }

  /** The session may take new streams. */
  get usable(): boolean {
    return !this.destroyed && !this.goingAway && this.nextStreamId <= MAX_STREAM_ID;
  }

  ref(): void {
    this.socket.ref();
  }

  unref(): void {
    this.socket.unref();
  }

  /**
   * Opens a stream with `headers` (pseudo-headers `:method` and `:path` given, `:scheme` and
   * `:authority` added here). It waits if the peer's MAX_CONCURRENT_STREAMS is reached.
   */
  request(headers: OutgoingHttpHeaders): CallStream {
    const fields: string[] = [];
    for (const key in headers) {
      if (key.charCodeAt(0) === 0x3a) fields.push(key, String(headers[key]));
    }
    fields.push(':scheme', this.options.scheme ?? 'http', ':authority', this.options.authority);
    for (const key in headers) {
      if (key.charCodeAt(0) === 0x3a) continue;
      const value = headers[key];
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const item of value) fields.push(key, item);
      else fields.push(key, String(value));
    }
    const stream = new H2Stream(this);
    if (!this.usable) {
      // Raced with a close or GOAWAY: the call fails retriably once it is attached.
      queueMicrotask(() => this.finish(stream, { connectionGone: true, failure: { status: GrpcStatus.UNAVAILABLE, message: `the connection to ${this.options.peer} is closing; it is safe to retry` } }));
      return stream;
    }
    if (this.streams.size < this.peerMaxConcurrent && this.waiting.length === 0) this.open(stream, fields);
    else {
      stream.fields = fields;
      this.waiting.push(stream);
    }
    return stream;
  }

  /** Sends a PING; `callback` runs when its ACK arrives. False when one is already out. */
  ping(callback: (error: Error | null) => void): boolean {
    if (this.destroyed || this.pingCallback !== undefined) return false;
    this.pingCallback = callback;
    this.output.ping(undefined, false);
    this.flushSoon();
    return true;
  }

  /** Sends GOAWAY (NO_ERROR) and closes once the streams in flight end. */
  close(): void {
    if (this.destroyed) return;
    if (!this.goingAway) {
      this.goingAway = true;
      this.goaway(H2Error.NO_ERROR, '');
    }
    if (this.streamCount === 0) this.shutdown();
  }

  /** Closes the socket now; streams in flight fail with UNAVAILABLE (`failure` says why; an
   * Error, such as keepalive's, becomes its message). */
  destroy(failure?: StreamEnd['failure'] | Error): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.closeFailure ??= failure instanceof Error ? { status: GrpcStatus.UNAVAILABLE, message: failure.message, cause: failure } : failure;
    if (!this.socket.destroyed) {
      this.flush();
      // Let the last frames (a GOAWAY) reach the peer before the socket goes, but never wait on
      // a peer that does not read.
      this.socket.destroySoon();
      setTimeout(() => this.socket.destroy(), SOCKET_LINGER_MS).unref();
    }
    const end: StreamEnd = {
      connectionGone: true,
      failure: this.closeFailure ?? (this.socketError === undefined ? undefined : { status: GrpcStatus.UNAVAILABLE, message: `connection to ${this.options.peer} failed: ${this.socketError.message}`, cause: this.socketError }),
    };
    const streams = [...this.streams.values(), ...this.waiting];
    this.streams.clear();
    this.waiting.length = 0;
    for (const stream of streams) this.finish(stream, end);
    this.pingCallback?.(new Error('the connection closed'));
    this.pingCallback = undefined;
    this.options.onClose?.();
  }

  // ---- sending ----

  private open(stream: H2Stream, fields: readonly string[]): void {
    stream.id = this.nextStreamId;
    this.nextStreamId += 2;
    stream.sendWindow = this.peerInitialWindow;
    stream.receiveWindow = this.options.streamWindow;
    stream.fields = NO_FIELDS;
    this.streams.set(stream.id, stream);
    this.output.headers(stream.id, this.encoder.encode(fields), false, this.peerMaxFrame);
    this.flushSoon();
    if (this.nextStreamId > MAX_STREAM_ID) {
      this.goingAway = true;
      this.options.onGoaway?.();
    }
  }

  /** @internal Sends what `stream` has queued, as far as both windows allow. */
  sendQueued(stream: H2Stream): void {
    if (stream.id === 0 || stream.closed || stream.localEnded) return;
    while (stream.queuedBytes > 0) {
      const allowed = Math.min(stream.sendWindow, this.sendWindow, this.peerMaxFrame, MAX_DATA_FRAME);
      if (allowed <= 0) {
        if (this.sendWindow <= 0) this.blocked.add(stream);
        break;
      }
      const length = Math.min(allowed, this.output.dataRoom(), stream.queuedBytes);
      const endStream = stream.endQueued && length === stream.queuedBytes;
      this.output.data(stream.id, stream, length, endStream);
      stream.sendWindow -= length;
      this.sendWindow -= length;
      if (endStream) stream.localEnded = true;
    }
    if (stream.endQueued && !stream.localEnded && stream.queuedBytes === 0) {
      this.output.data(stream.id, stream, 0, true);
      stream.localEnded = true;
    }
    stream.wake();
    this.flushSoon();
  }

  /** @internal Credits back what `stream`'s reader consumed, once it is worth a frame. */
  credit(stream: H2Stream): void {
    if (stream.paused || stream.uncredited === 0) return;
    if (stream.uncredited < this.options.streamWindow >>> 2 && stream.receiveWindow > this.options.streamWindow >>> 1) return;
    this.windowUpdate(stream.id, stream.uncredited);
    stream.receiveWindow += stream.uncredited;
    stream.uncredited = 0;
    this.flushSoon();
  }

  /** @internal Resets `stream` with `code` and ends its call with `end` (unless `quiet`). */
  resetStream(stream: H2Stream, code: number, end: StreamEnd, notify = true): void {
    if (stream.closed) return;
    if (stream.id !== 0) {
      this.output.frame32(FrameType.RST_STREAM, stream.id, code);
      this.flushSoon();
    }
    this.remove(stream);
    if (notify) this.finish(stream, end);
    else {
      stream.closed = true;
      stream.wake();
    }
  }

  private windowUpdate(streamId: number, increment: number): void {
    this.output.frame32(FrameType.WINDOW_UPDATE, streamId, increment);
  }

  private goaway(code: number, debug: string): void {
    // A client processes no peer-initiated streams: last-stream-id 0.
    this.output.goaway(0, code, debug);
    this.flushSoon();
  }

  /** @internal */
  flushSoon(): void {
    this.output.flushSoon();
  }

  private flush(): void {
    this.output.flush();
  }

  // ---- receiving ----

  private receive(chunk: Buffer): void {
    if (this.destroyed) return;
    try {
      this.reader.push(chunk);
    } catch (error) {
      // A fault outside the protocol checks still ends only this connection, never the process.
      if (error instanceof ConnectionError) this.connectionError(error.h2Code, error.message);
      else this.connectionError(H2Error.INTERNAL_ERROR, `cannot process the server's frames: ${(error as Error)?.message ?? String(error)}`);
    }
  }

  private connectionError(code: number, message: string): void {
    this.goingAway = true;
    this.goaway(code, message);
    this.destroy({ status: GrpcStatus.UNAVAILABLE, message: `HTTP/2 ${h2ErrorName(code)} on the connection to ${this.options.peer}: ${message}` });
  }

  private onFrame(type: number, flags: number, streamId: number, payload: Buffer): void {
    if (!this.sawSettings && type !== FrameType.SETTINGS) throw new ConnectionError(H2Error.PROTOCOL_ERROR, `the server's first frame is type ${type}, not SETTINGS`);
    this.headerBlocks.check(type);
    switch (type) {
      case FrameType.DATA:
        return this.onData(flags, streamId, payload);
      case FrameType.HEADERS:
        return this.headerBlocks.headers(flags, streamId, payload);
      case FrameType.CONTINUATION:
        return this.headerBlocks.continuation(flags, streamId, payload);
      case FrameType.PRIORITY:
        if (streamId === 0) throw new ConnectionError(H2Error.PROTOCOL_ERROR, 'PRIORITY on stream 0');
        if (payload.length !== 5) this.streamError(streamId, H2Error.FRAME_SIZE_ERROR, `PRIORITY of ${payload.length} bytes`);
        return;
      case FrameType.RST_STREAM:
        return this.onReset(streamId, payload);
      case FrameType.SETTINGS:
        return this.onSettings(flags, streamId, payload);
      case FrameType.PUSH_PROMISE:
        throw new ConnectionError(H2Error.PROTOCOL_ERROR, 'PUSH_PROMISE though SETTINGS_ENABLE_PUSH is 0');
      case FrameType.PING:
        return this.onPing(flags, streamId, payload);
      case FrameType.GOAWAY:
        return this.onGoaway(streamId, payload);
      case FrameType.WINDOW_UPDATE:
        return this.onWindowUpdate(streamId, payload);
      default:
        // RFC 9113 4.1: unknown frame types are ignored.
        return;
    }
  }

  /** The stream `streamId` names, undefined for one already closed; an idle (never opened) one is
   * a connection error. */
  private streamOf(streamId: number, frame: string): H2Stream | undefined {
    if (streamId === 0) throw new ConnectionError(H2Error.PROTOCOL_ERROR, `${frame} on stream 0`);
    const stream = this.streams.get(streamId);
    if (stream !== undefined) return stream;
    if ((streamId & 1) === 0 || streamId >= this.nextStreamId) throw new ConnectionError(H2Error.PROTOCOL_ERROR, `${frame} on idle stream ${streamId}`);
    return undefined;
  }

  private onData(flags: number, streamId: number, payload: Buffer): void {
    const stream = this.streamOf(streamId, 'DATA');
    // Flow control counts the whole payload, padding included (RFC 9113 6.9.1).
    if (payload.length > this.receiveWindow) throw new ConnectionError(H2Error.FLOW_CONTROL_ERROR, `DATA of ${payload.length} bytes exceeds the connection window of ${this.receiveWindow}`);
    this.receiveWindow -= payload.length;
    this.uncredited += payload.length;
    if (this.uncredited >= this.options.connectionWindow >>> 1) {
      this.windowUpdate(0, this.uncredited);
      this.receiveWindow += this.uncredited;
      this.uncredited = 0;
      this.flushSoon();
    }
    const data = unpad(flags, payload, 0, 'DATA');
    if (stream === undefined) return; // closed here (reset): the bytes still counted above
    if (!stream.gotHeaders) return this.streamError(streamId, H2Error.PROTOCOL_ERROR, 'DATA before the response HEADERS');
    if (payload.length > stream.receiveWindow) return this.streamError(streamId, H2Error.FLOW_CONTROL_ERROR, `DATA of ${payload.length} bytes exceeds the stream window of ${stream.receiveWindow}`);
    stream.receiveWindow -= payload.length;
    stream.uncredited += payload.length;
    if (data.length > 0) stream.events?.onData(data);
    if (stream.closed) return;
    if (flags & Flag.END_STREAM) this.remoteEnded(stream);
    else this.credit(stream);
  }

  private onHeaderBlock(streamId: number, decoded: DecodedBlock, endStream: boolean): void {
    const stream = this.streamOf(streamId, 'HEADERS');
    if (stream === undefined) return;
    if (decoded.tooLarge) {
      this.resetStream(stream, H2Error.CANCEL, {
        connectionGone: false,
        rstCode: H2Error.CANCEL,
        failure: { status: GrpcStatus.RESOURCE_EXHAUSTED, message: `the server's header list exceeds the ${this.maxHeaderListSize} bytes of SETTINGS_MAX_HEADER_LIST_SIZE` },
      });
      return;
    }
    const trailers = stream.gotHeaders;
    const headers = responseHeaders(decoded.fields, trailers);
    if (typeof headers === 'string') return this.streamError(streamId, H2Error.PROTOCOL_ERROR, headers);
    if (!trailers) {
      const status = headers[':status'] as string;
      // 1xx responses are interim: the real ones follow.
      if (status.charCodeAt(0) === 0x31 && !endStream) return;
      stream.gotHeaders = true;
      stream.events?.onResponse(headers);
    } else {
      if (!endStream) return this.streamError(streamId, H2Error.PROTOCOL_ERROR, 'trailers without END_STREAM');
      stream.events?.onTrailers(headers);
    }
    if (endStream && !stream.closed) this.remoteEnded(stream);
  }

  /** The server ended its side: the call is complete. A request side still open is reset with
   * NO_ERROR, as RFC 9113 8.1 lets a server answer before the request ends. */
  private remoteEnded(stream: H2Stream): void {
    if (!stream.localEnded) {
      this.resetStream(stream, H2Error.NO_ERROR, { connectionGone: false });
      return;
    }
    this.remove(stream);
    this.finish(stream, { connectionGone: false });
  }

  private onReset(streamId: number, payload: Buffer): void {
    if (payload.length !== 4) throw new ConnectionError(H2Error.FRAME_SIZE_ERROR, `RST_STREAM of ${payload.length} bytes`);
    const stream = this.streamOf(streamId, 'RST_STREAM');
    if (stream === undefined) return;
    const code = payload.readUInt32BE(0);
    this.remove(stream);
    this.finish(stream, { connectionGone: false, rstCode: code });
  }

  private onSettings(flags: number, streamId: number, payload: Buffer): void {
    const settings = readSettings(flags, streamId, payload, this.sawSettings);
    if (settings === undefined) return;
    this.sawSettings = true;
    if (settings.headerTableSize !== undefined) this.encoder.setMaxTableSize(settings.headerTableSize);
    if (settings.maxConcurrentStreams !== undefined) this.peerMaxConcurrent = settings.maxConcurrentStreams;
    if (settings.maxFrameSize !== undefined) this.peerMaxFrame = settings.maxFrameSize;
    let windowDelta = 0;
    if (settings.initialWindowSize !== undefined) {
      windowDelta = settings.initialWindowSize - this.peerInitialWindow;
      this.peerInitialWindow = settings.initialWindowSize;
    }
    this.output.settingsAck();
    this.flushSoon();
    if (windowDelta !== 0) {
      for (const stream of this.streams.values()) {
        stream.sendWindow += windowDelta;
        if (stream.sendWindow > MAX_WINDOW) return this.connectionError(H2Error.FLOW_CONTROL_ERROR, `SETTINGS_INITIAL_WINDOW_SIZE change overflows stream ${stream.id}'s window`);
      }
      if (windowDelta > 0) for (const stream of this.streams.values()) this.sendQueued(stream);
    }
    this.openWaiting();
  }

  private onPing(flags: number, streamId: number, payload: Buffer): void {
    if (readPing(flags, streamId, payload)) {
      const callback = this.pingCallback;
      this.pingCallback = undefined;
      callback?.(null);
      return;
    }
    this.output.ping(payload, true);
    this.flushSoon();
  }

  private onGoaway(streamId: number, payload: Buffer): void {
    if (streamId !== 0) throw new ConnectionError(H2Error.PROTOCOL_ERROR, `GOAWAY on stream ${streamId}`);
    if (payload.length < 8) throw new ConnectionError(H2Error.FRAME_SIZE_ERROR, `GOAWAY of ${payload.length} bytes`);
    const lastStreamId = payload.readUInt32BE(0) & 0x7fffffff;
    const code = payload.readUInt32BE(4);
    const wasGoingAway = this.goingAway;
    this.goingAway = true;
    if (!wasGoingAway) this.options.onGoaway?.();
    // Streams the server never processed fail retriably; those below lastStreamId finish.
    const refused: StreamEnd = {
      connectionGone: true,
      rstCode: H2Error.REFUSED_STREAM,
      failure: { status: GrpcStatus.UNAVAILABLE, message: `the server sent GOAWAY (${h2ErrorName(code)}) before processing the stream; it is safe to retry` },
    };
    for (const stream of [...this.streams.values()]) {
      if (stream.id > lastStreamId) {
        this.remove(stream);
        this.finish(stream, refused);
      }
    }
    const waiting = this.waiting.splice(0);
    for (const stream of waiting) this.finish(stream, refused);
    if (this.streams.size === 0) this.shutdown();
  }

  private onWindowUpdate(streamId: number, payload: Buffer): void {
    const increment = readWindowIncrement(streamId, payload);
    if (streamId === 0) {
      this.sendWindow += increment;
      if (this.sendWindow > MAX_WINDOW) throw new ConnectionError(H2Error.FLOW_CONTROL_ERROR, 'WINDOW_UPDATE overflows the connection window');
      const blocked = [...this.blocked];
      this.blocked.clear();
      for (const stream of blocked) this.sendQueued(stream);
      return;
    }
    const stream = this.streamOf(streamId, 'WINDOW_UPDATE');
    if (stream === undefined) return;
    if (increment === 0) return this.streamError(streamId, H2Error.PROTOCOL_ERROR, 'WINDOW_UPDATE of 0');
    stream.sendWindow += increment;
    if (stream.sendWindow > MAX_WINDOW) return this.streamError(streamId, H2Error.FLOW_CONTROL_ERROR, 'WINDOW_UPDATE overflows the stream window');
    this.sendQueued(stream);
  }

  /** A stream error (RFC 9113 5.4.2): RST_STREAM with `code`; the call fails with INTERNAL. */
  private streamError(streamId: number, code: number, message: string): void {
    const stream = this.streams.get(streamId);
    if (stream === undefined) return;
    this.resetStream(stream, code, {
      connectionGone: false,
      rstCode: code,
      failure: { status: GrpcStatus.INTERNAL, message: `HTTP/2 ${h2ErrorName(code)} on stream ${streamId}: ${message}` },
    });
  }

  private remove(stream: H2Stream): void {
    if (stream.id !== 0) this.streams.delete(stream.id);
    else {
      const at = this.waiting.indexOf(stream);
      if (at >= 0) this.waiting.splice(at, 1);
    }
    this.blocked.delete(stream);
    this.openWaiting();
    if (this.goingAway && this.streamCount === 0) queueMicrotask(() => this.shutdown());
  }

  private finish(stream: H2Stream, end: StreamEnd): void {
    if (stream.closed) return;
    stream.closed = true;
    stream.queue.length = 0;
    stream.queuedBytes = 0;
    stream.wake();
    stream.events?.onClose(end);
  }

  private openWaiting(): void {
    while (this.waiting.length > 0 && this.streams.size < this.peerMaxConcurrent && !this.destroyed && this.nextStreamId <= MAX_STREAM_ID) {
      const stream = this.waiting.shift()!;
      if (stream.closed) continue;
      this.open(stream, stream.fields);
      this.sendQueued(stream);
    }
  }

  /** Ends the socket once nothing is in flight. */
  private shutdown(): void {
    if (this.destroyed || this.streamCount > 0) return;
    this.destroy();
  }
}
