import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http2';
import type { Socket } from 'node:net';
import { frameMessage, GRPC_MESSAGE_PREFIX } from '../message-framing.js';
import { GrpcStatus } from '../status.js';
import { ConnectionError, FrameReader, FrameWriter, MAX_DATA_FRAME, unpad } from './frame-io.js';
import { HeaderBlocks, readPing, readSettings, readWindowIncrement } from './frame-parts.js';
import { CLIENT_PREFACE, DEFAULT_MAX_FRAME_SIZE, DEFAULT_WINDOW, Flag, FrameType, H2Error, MAX_WINDOW, Setting } from './frames.js';
import { HpackDecoder, HpackEncoder, type DecodedBlock } from './hpack.js';
import { requestHeaders } from './request-headers.js';
import { H2ServerStream, type ServerStreamOwner } from './server-stream.js';
import { InflightTable } from '../../rpc/inflight-table.js';

/** What a server session advertises and whom it tells about streams. */
export interface H2ServerSessionOptions {
  /** SETTINGS_INITIAL_WINDOW_SIZE: what a client may send on one stream before its call reads. */
  streamWindow: number;
  /** The connection-level receive window. */
  connectionWindow: number;
  /** SETTINGS_MAX_CONCURRENT_STREAMS: streams past it are refused (RST_STREAM REFUSED_STREAM). */
  maxConcurrentStreams: number;
  /** SETTINGS_MAX_HEADER_LIST_SIZE: a request past it is answered RESOURCE_EXHAUSTED. */
  maxHeaderListSize?: number;
  /** Where log lines say the client is. */
  peer: string;
  /** How long the client may take to send its preface and SETTINGS and to acknowledge the
   * server's SETTINGS; past it the connection ends with GOAWAY (PROTOCOL_ERROR for a client that
   * stalled before them, SETTINGS_TIMEOUT for one that never acknowledged). Default 10 000 ms. */
  settingsTimeoutMs?: number;
  /** A connection without open streams for this long gets GOAWAY (NO_ERROR) and closes. Default 0:
   * never. */
  idleTimeoutMs?: number;
  /** A request arrived: `headers` checked as RFC 9113 wants a request's. */
  onStream(stream: H2ServerStream, headers: IncomingHttpHeaders): void;
  /** The client broke the protocol on one stream: it was reset with `code`. */
  onStreamError?(streamId: number, code: number, message: string): void;
  /** The client broke the protocol: the connection ends with GOAWAY `code`. */
  onConnectionError?(code: number, message: string): void;
  /** The session is gone (socket closed or destroyed). */
  onClose?(): void;
}

/** SETTINGS_MAX_FRAME_SIZE the server advertises: big DATA frames from clients cost fewer headers. */
const LOCAL_MAX_FRAME_SIZE = 1 << 18;
const DEFAULT_MAX_HEADER_LIST_SIZE = 64 * 1024;
/** How long a closing socket may take to send its last frames. */
const SOCKET_LINGER_MS = 1000;
export const DEFAULT_SETTINGS_TIMEOUT_MS = 10_000;

/**
 * heddle's HTTP/2 server connection (RFC 9113) for gRPC: checks the client preface, exchanges
 * SETTINGS, decodes requests with HPACK, keeps flow control both ways, answers PING, honours
 * RST_STREAM and GOAWAY, and ends connections that break the protocol with GOAWAY. The frames
 * of one event-loop turn go out in one socket write.
 */
export class H2ServerSession implements ServerStreamOwner {
  destroyed = false;
  /** GOAWAY was sent: streams above `lastStreamId` are refused. */
  goingAway = false;
  /** The highest stream id a client opened. */
  lastStreamId = 0;
  /** Open streams by id (not a Map: see rpc/inflight-table.ts). */
  private readonly streams = new InflightTable<H2ServerStream>();
  /** Streams with data held back by the connection window. */
  private readonly blocked = new Set<H2ServerStream>();
  /** Streams written to in this turn: their messages go out together, in as few DATA frames as
   * the windows and frame size allow, when the turn's frames are flushed. */
  private pendingSends: H2ServerStream[] = [];
  /** The list sendPending walks while new sends collect in pendingSends. */
  private sendingNow: H2ServerStream[] = [];
  private readonly encoder = new HpackEncoder();
  private readonly maxHeaderListSize: number;
  private peerInitialWindow = DEFAULT_WINDOW;
  private peerMaxFrame = DEFAULT_MAX_FRAME_SIZE;
  private sendWindow = DEFAULT_WINDOW;
  private receiveWindow = DEFAULT_WINDOW;
  private uncredited = 0;
  /** Preface bytes still to check. */
  private prefaceAt = 0;
  private sawSettings = false;
  /** The client acknowledged the server's SETTINGS. */
  private settingsAcked = false;
  /** Runs until the client sent its SETTINGS and acknowledged the server's. */
  private settingsTimer: ReturnType<typeof setTimeout> | undefined;
  /** Since when no stream has been open (performance.now()), for the idle timeout. */
  private idleSince: number;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly headerBlocks: HeaderBlocks;
  private readonly reader = new FrameReader(LOCAL_MAX_FRAME_SIZE, (type, flags, streamId, payload) => this.onFrame(type, flags, streamId, payload), () => this.destroyed);
  private readonly output: FrameWriter;
  private pingCallback: ((error: Error | null) => void) | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly options: H2ServerSessionOptions,
  ) {
    this.maxHeaderListSize = options.maxHeaderListSize ?? DEFAULT_MAX_HEADER_LIST_SIZE;
    this.headerBlocks = new HeaderBlocks(new HpackDecoder(), this.maxHeaderListSize, (streamId, decoded, endStream) => this.onHeaderBlock(streamId, decoded, endStream));
    this.output = new FrameWriter(socket, () => this.sendPending());
    this.output.settings([
      [Setting.MAX_CONCURRENT_STREAMS, options.maxConcurrentStreams],
      [Setting.INITIAL_WINDOW_SIZE, options.streamWindow],
      [Setting.MAX_FRAME_SIZE, LOCAL_MAX_FRAME_SIZE],
      [Setting.MAX_HEADER_LIST_SIZE, this.maxHeaderListSize],
    ]);
    if (options.connectionWindow > DEFAULT_WINDOW) {
      this.output.frame32(FrameType.WINDOW_UPDATE, 0, options.connectionWindow - DEFAULT_WINDOW);
      this.receiveWindow = options.connectionWindow;
    }
    this.output.flush();
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => {});
    socket.on('close', () => this.destroy());
    const settingsTimeoutMs = options.settingsTimeoutMs ?? DEFAULT_SETTINGS_TIMEOUT_MS;
    this.settingsTimer = setTimeout(() => this.settingsTimedOut(settingsTimeoutMs), settingsTimeoutMs);
    this.settingsTimer.unref();
    this.idleSince = performance.now();
    if (options.idleTimeoutMs !== undefined && options.idleTimeoutMs > 0) this.watchIdle(options.idleTimeoutMs);
    // The server's protocol sniffing paused the socket and put the preface back.
    socket.resume();
  }

  private settingsTimedOut(ms: number): void {
    this.settingsTimer = undefined;
    if (this.destroyed) return;
    if (!this.sawSettings) this.connectionError(H2Error.PROTOCOL_ERROR, `the client did not send its preface and SETTINGS within ${ms} ms`);
    else this.connectionError(H2Error.SETTINGS_TIMEOUT, `the client did not acknowledge SETTINGS within ${ms} ms`);
  }

  /** Checks for idleness when the connection could first have been idle for `ms`: one timer per
   * connection, re-armed on each check, so streams opening and closing cost no timer work. */
  private watchIdle(ms: number): void {
    const check = () => {
      this.idleTimer = undefined;
      if (this.destroyed || this.goingAway) return;
      const idleFor = this.streams.size === 0 ? performance.now() - this.idleSince : 0;
      if (idleFor >= ms) {
        this.close();
        return;
      }
      this.idleTimer = setTimeout(check, ms - idleFor);
      this.idleTimer.unref();
    };
    this.idleTimer = setTimeout(check, ms);
    this.idleTimer.unref();
  }

  /** Streams open now. */
  get streamCount(): number {
    return this.streams.size;
  }

  /** Sends a PING; `callback` runs when its ACK arrives. False when one is already out. */
  ping(callback: (error: Error | null) => void): boolean {
    if (this.destroyed || this.pingCallback !== undefined) return false;
    this.pingCallback = callback;
    this.output.ping(undefined, false);
    this.output.flushSoon();
    return true;
  }

  /** GOAWAY (NO_ERROR) with the last stream this session saw: those run to completion, the
   * client opens a new connection for anything else; the socket closes once they end. */
  close(): void {
    if (this.destroyed) return;
    if (!this.goingAway) {
      this.goingAway = true;
      this.output.goaway(this.lastStreamId, H2Error.NO_ERROR, '');
      this.output.flushSoon();
    }
    if (this.streams.size === 0) this.destroy();
  }

  /** Closes the socket now; open streams close (their calls see the connection gone). */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    clearTimeout(this.settingsTimer);
    clearTimeout(this.idleTimer);
    if (!this.socket.destroyed) {
      this.output.flush();
      // Let the last frames (a GOAWAY) reach the client, but never wait on one that does not read.
      this.socket.destroySoon();
      setTimeout(() => this.socket.destroy(), SOCKET_LINGER_MS).unref();
    }
    const streams = [...this.streams.values()];
    this.streams.clear();
    this.blocked.clear();
    for (const stream of streams) this.closeStream(stream);
    this.pingCallback?.(new Error('the connection closed'));
    this.pingCallback = undefined;
    this.options.onClose?.();
  }

  // ---- sending ----

  /** @internal */
  respond(stream: H2ServerStream, headers: OutgoingHttpHeaders, endStream: boolean): void {
    this.output.headers(stream.id, this.encoder.encode(fieldsOf(headers)), endStream, this.peerMaxFrame);
    this.output.flushSoon();
    if (endStream) this.localEnded(stream);
  }

  /** @internal Sends what `stream` has queued as far as both windows allow, then its end. */
  sendQueued(stream: H2ServerStream): void {
    if (stream.closed || stream.localEnded) return;
    while (stream.queuedBytes > 0) {
      const allowed = Math.min(stream.sendWindow, this.sendWindow, this.peerMaxFrame, MAX_DATA_FRAME);
      if (allowed <= 0) {
        if (this.sendWindow <= 0) this.blocked.add(stream);
        break;
      }
      if (this.output.congested) {
        // Its queue stays past the high-water mark, so its writer waits too.
        this.sendWhenRoom(stream);
        return;
      }
      const length = Math.min(allowed, this.output.dataRoom(), stream.queuedBytes);
      const endStream = stream.endQueued && stream.trailers === undefined && length === stream.queuedBytes;
      this.output.data(stream.id, stream, length, endStream);
      stream.sendWindow -= length;
      this.sendWindow -= length;
      if (endStream) {
        this.output.flushSoon();
        this.localEnded(stream);
        return;
      }
    }
    if (stream.endQueued && stream.queuedBytes === 0) {
      if (stream.trailers !== undefined) this.output.headers(stream.id, this.encoder.encode(fieldsOf(stream.trailers)), true, this.peerMaxFrame);
      else this.output.data(stream.id, stream, 0, true);
      this.output.flushSoon();
      this.localEnded(stream);
      return;
    }
    stream.wake();
    this.output.flushSoon();
  }

  /**
   * @internal Ends `stream` with one message, written straight into the output when nothing is
   * queued before it and both windows let all of it out now; else a copy of it queues.
   */
  endMessage(stream: H2ServerStream, body: Uint8Array, trailers: OutgoingHttpHeaders | undefined): void {
    const length = GRPC_MESSAGE_PREFIX + body.length;
    if (stream.queuedBytes > 0 || length > Math.min(stream.sendWindow, this.sendWindow, this.peerMaxFrame, MAX_DATA_FRAME) || this.output.congested) {
      // The caller checked the length against the send limit.
      stream.end(frameMessage(body, false, Infinity), trailers);
      return;
    }
    stream.endQueued = true;
    stream.trailers = trailers;
    this.output.dataMessage(stream.id, body, trailers === undefined);
    stream.sendWindow -= length;
    this.sendWindow -= length;
    if (trailers !== undefined) this.output.headers(stream.id, this.encoder.encode(fieldsOf(trailers)), true, this.peerMaxFrame);
    this.output.flushSoon();
    this.localEnded(stream);
  }

  /** @internal Sends what `stream` queued when this turn's frames are flushed. */
  sendSoon(stream: H2ServerStream): void {
    if (stream.sendPending) return;
    stream.sendPending = true;
    this.pendingSends.push(stream);
    this.output.flushSoon();
  }

  /** Sends `stream`'s queue once the connection's output has room, after those waiting before it. */
  private sendWhenRoom(stream: H2ServerStream): void {
    if (!stream.sendPending) {
      stream.sendPending = true;
      this.pendingSends.push(stream);
    }
    this.output.retryLater();
  }

  private sendPending(): void {
    const sends = this.pendingSends;
    if (sends.length === 0) return;
    // Streams that must wait for room go to the other list, for a later turn.
    this.pendingSends = this.sendingNow;
    this.sendingNow = sends;
    for (let i = 0; i < sends.length; i++) {
      const stream = sends[i]!;
      stream.sendPending = false;
      this.sendQueued(stream);
    }
    sends.length = 0;
    if (this.pendingSends.length > 0) this.output.retryLater();
  }

  /** @internal Credits back what `stream`'s call consumed, once it is worth a frame. */
  credit(stream: H2ServerStream): void {
    if (stream.paused || stream.uncredited === 0 || stream.requestEnded) return;
    if (stream.uncredited < this.options.streamWindow >>> 2 && stream.receiveWindow > this.options.streamWindow >>> 1) return;
    this.output.frame32(FrameType.WINDOW_UPDATE, stream.id, stream.uncredited);
    stream.receiveWindow += stream.uncredited;
    stream.uncredited = 0;
    this.output.flushSoon();
  }

  /** @internal RST_STREAM `code`; the stream closes. */
  reset(stream: H2ServerStream, code: number): void {
    if (stream.closed) return;
    this.output.frame32(FrameType.RST_STREAM, stream.id, code);
    this.output.flushSoon();
    stream.rstCode = code;
    this.remove(stream);
  }

  /** @internal */
  flushSoon(): void {
    this.output.flushSoon();
  }

  private localEnded(stream: H2ServerStream): void {
    stream.localEnded = true;
    stream.queue.length = 0;
    stream.queuedBytes = 0;
    stream.wake();
    if (stream.requestEnded) this.remove(stream);
  }

  private remove(stream: H2ServerStream): void {
    this.streams.delete(stream.id);
    this.blocked.delete(stream);
    this.closeStream(stream);
    if (this.streams.size === 0) {
      if (this.goingAway) queueMicrotask(() => this.destroy());
      else if (this.idleTimer !== undefined) this.idleSince = performance.now();
    }
  }

  private closeStream(stream: H2ServerStream): void {
    if (stream.closed) return;
    stream.closed = true;
    stream.queue.length = 0;
    stream.queuedBytes = 0;
    stream.wake();
    stream.events?.onClose();
  }

  // ---- receiving ----

  private receive(chunk: Buffer): void {
    if (this.destroyed) return;
    try {
      let data = chunk;
      if (this.prefaceAt < CLIENT_PREFACE.length) {
        const take = Math.min(CLIENT_PREFACE.length - this.prefaceAt, data.length);
        if (CLIENT_PREFACE.compare(data, 0, take, this.prefaceAt, this.prefaceAt + take) !== 0) {
          throw new ConnectionError(H2Error.PROTOCOL_ERROR, 'the connection does not open with the HTTP/2 client preface');
        }
        this.prefaceAt += take;
        data = data.subarray(take);
        if (data.length === 0) return;
      }
      this.reader.push(data);
    } catch (error) {
      // A fault outside the protocol checks still ends only this connection, never the process.
      if (error instanceof ConnectionError) this.connectionError(error.h2Code, error.message);
      else this.connectionError(H2Error.INTERNAL_ERROR, `cannot process the client's frames: ${(error as Error)?.message ?? String(error)}`);
    }
  }

  private connectionError(code: number, message: string): void {
    this.goingAway = true;
    this.output.goaway(this.lastStreamId, code, message);
    this.options.onConnectionError?.(code, message);
    this.destroy();
  }

  private onFrame(type: number, flags: number, streamId: number, payload: Buffer): void {
    if (!this.sawSettings && type !== FrameType.SETTINGS) throw new ConnectionError(H2Error.PROTOCOL_ERROR, `the client's first frame is type ${type}, not SETTINGS`);
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
        if (payload.length !== 5) throw new ConnectionError(H2Error.FRAME_SIZE_ERROR, `PRIORITY of ${payload.length} bytes`);
        return;
      case FrameType.RST_STREAM:
        return this.onReset(streamId, payload);
      case FrameType.SETTINGS:
        return this.onSettings(flags, streamId, payload);
      case FrameType.PUSH_PROMISE:
        throw new ConnectionError(H2Error.PROTOCOL_ERROR, 'PUSH_PROMISE from a client');
      case FrameType.PING:
        return this.onPing(flags, streamId, payload);
      case FrameType.GOAWAY:
        if (streamId !== 0) throw new ConnectionError(H2Error.PROTOCOL_ERROR, `GOAWAY on stream ${streamId}`);
        if (payload.length < 8) throw new ConnectionError(H2Error.FRAME_SIZE_ERROR, `GOAWAY of ${payload.length} bytes`);
        // The client opens no more streams; those in flight finish.
        this.close();
        return;
      case FrameType.WINDOW_UPDATE:
        return this.onWindowUpdate(streamId, payload);
      default:
        // RFC 9113 4.1: unknown frame types are ignored.
        return;
    }
  }

  /** The open stream `streamId` names, undefined for one already closed; an idle (never opened)
   * one is a connection error. */
  private streamOf(streamId: number, frame: string): H2ServerStream | undefined {
    if (streamId === 0) throw new ConnectionError(H2Error.PROTOCOL_ERROR, `${frame} on stream 0`);
    const stream = this.streams.get(streamId);
    if (stream !== undefined) return stream;
    if (streamId > this.lastStreamId) throw new ConnectionError(H2Error.PROTOCOL_ERROR, `${frame} on idle stream ${streamId}`);
    return undefined;
  }

  private onData(flags: number, streamId: number, payload: Buffer): void {
    const stream = this.streamOf(streamId, 'DATA');
    // Flow control counts the whole payload, padding included (RFC 9113 6.9.1).
    if (payload.length > this.receiveWindow) throw new ConnectionError(H2Error.FLOW_CONTROL_ERROR, `DATA of ${payload.length} bytes exceeds the connection window of ${this.receiveWindow}`);
    this.receiveWindow -= payload.length;
    this.uncredited += payload.length;
    if (this.uncredited >= this.options.connectionWindow >>> 1) {
      this.output.frame32(FrameType.WINDOW_UPDATE, 0, this.uncredited);
      this.receiveWindow += this.uncredited;
      this.uncredited = 0;
      this.output.flushSoon();
    }
    const data = unpad(flags, payload, 0, 'DATA');
    if (stream === undefined) return; // closed here (reset or answered): the bytes still counted above
    if (stream.requestEnded) return this.streamError(stream, H2Error.STREAM_CLOSED, 'DATA after END_STREAM');
    if (payload.length > stream.receiveWindow) return this.streamError(stream, H2Error.FLOW_CONTROL_ERROR, `DATA of ${payload.length} bytes exceeds the stream window of ${stream.receiveWindow}`);
    stream.receiveWindow -= payload.length;
    stream.uncredited += payload.length;
    if (data.length > 0) stream.events?.onData(data);
    if (stream.closed) return;
    if (flags & Flag.END_STREAM) this.requestEnded(stream);
    else this.credit(stream);
  }

  private onHeaderBlock(streamId: number, decoded: DecodedBlock, endStream: boolean): void {
    const open = this.streams.get(streamId);
    if (open !== undefined) {
      // Trailers of a request: gRPC has none to read, but they end the request side.
      if (!endStream) return this.streamError(open, H2Error.PROTOCOL_ERROR, 'request trailers without END_STREAM');
      if (!open.requestEnded) this.requestEnded(open);
      return;
    }
    if ((streamId & 1) === 0) throw new ConnectionError(H2Error.PROTOCOL_ERROR, `a client opened even-numbered stream ${streamId}`);
    if (streamId <= this.lastStreamId) throw new ConnectionError(H2Error.STREAM_CLOSED, `HEADERS on closed stream ${streamId}`);
    this.lastStreamId = streamId;
    const stream = new H2ServerStream(this, streamId);
    if (this.goingAway || this.streams.size >= this.options.maxConcurrentStreams) {
      // RFC 9113 8.7: refused before any processing, so the client may retry it elsewhere.
      this.output.frame32(FrameType.RST_STREAM, streamId, H2Error.REFUSED_STREAM);
      this.output.flushSoon();
      return;
    }
    stream.sendWindow = this.peerInitialWindow;
    stream.receiveWindow = this.options.streamWindow;
    stream.requestEnded = endStream;
    this.streams.set(streamId, stream);
    if (decoded.tooLarge) {
      stream.respond(
        { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(GrpcStatus.RESOURCE_EXHAUSTED), 'grpc-message': `request header list exceeds ${this.maxHeaderListSize} bytes` },
        true,
      );
      if (!stream.closed) this.reset(stream, H2Error.NO_ERROR);
      return;
    }
    const headers = requestHeaders(decoded.fields);
    if (typeof headers === 'string') return this.streamError(stream, H2Error.PROTOCOL_ERROR, headers);
    this.options.onStream(stream, headers);
    if (endStream && !stream.closed) stream.events?.onEnd();
  }

  /** The client ended its side: the call reads no more; a stream answered already closes. */
  private requestEnded(stream: H2ServerStream): void {
    stream.requestEnded = true;
    stream.events?.onEnd();
    if (stream.localEnded && !stream.closed) this.remove(stream);
  }

  /** A stream error (RFC 9113 5.4.2): RST_STREAM with `code`; the call sees the stream reset. */
  private streamError(stream: H2ServerStream, code: number, message: string): void {
    this.options.onStreamError?.(stream.id, code, message);
    this.reset(stream, code);
  }

  private onReset(streamId: number, payload: Buffer): void {
    if (payload.length !== 4) throw new ConnectionError(H2Error.FRAME_SIZE_ERROR, `RST_STREAM of ${payload.length} bytes`);
    const stream = this.streamOf(streamId, 'RST_STREAM');
    if (stream === undefined) return;
    stream.rstCode = payload.readUInt32BE(0);
    this.remove(stream);
  }

  private onSettings(flags: number, streamId: number, payload: Buffer): void {
    const settings = readSettings(flags, streamId, payload, this.sawSettings);
    if (settings === undefined) {
      // An ACK: the server sends SETTINGS once, so the first ACK is the one it waits for.
      this.settingsAcked = true;
      this.settingsSettled();
      return;
    }
    const first = !this.sawSettings;
    this.sawSettings = true;
    if (first) this.settingsSettled();
    // A client's MAX_CONCURRENT_STREAMS limits pushes, and this server pushes nothing.
    if (settings.headerTableSize !== undefined) this.encoder.setMaxTableSize(settings.headerTableSize);
    if (settings.maxFrameSize !== undefined) this.peerMaxFrame = settings.maxFrameSize;
    let windowDelta = 0;
    if (settings.initialWindowSize !== undefined) {
      windowDelta = settings.initialWindowSize - this.peerInitialWindow;
      this.peerInitialWindow = settings.initialWindowSize;
    }
    this.output.settingsAck();
    this.output.flushSoon();
    if (windowDelta !== 0) {
      for (const stream of this.streams.values()) {
        stream.sendWindow += windowDelta;
        if (stream.sendWindow > MAX_WINDOW) throw new ConnectionError(H2Error.FLOW_CONTROL_ERROR, `SETTINGS_INITIAL_WINDOW_SIZE change overflows stream ${stream.id}'s window`);
      }
      if (windowDelta > 0) for (const stream of [...this.streams.values()]) this.sendQueued(stream);
    }
  }

  private settingsSettled(): void {
    if (!this.sawSettings || !this.settingsAcked) return;
    clearTimeout(this.settingsTimer);
    this.settingsTimer = undefined;
  }

  private onPing(flags: number, streamId: number, payload: Buffer): void {
    if (readPing(flags, streamId, payload)) {
      const callback = this.pingCallback;
      this.pingCallback = undefined;
      callback?.(null);
      return;
    }
    this.output.ping(payload, true);
    this.output.flushSoon();
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
    if (increment === 0) return this.streamError(stream, H2Error.PROTOCOL_ERROR, 'WINDOW_UPDATE of 0');
    stream.sendWindow += increment;
    if (stream.sendWindow > MAX_WINDOW) return this.streamError(stream, H2Error.FLOW_CONTROL_ERROR, 'WINDOW_UPDATE overflows the stream window');
    this.sendQueued(stream);
  }
}

/** Header fields to encode: `:status` first, the rest in order, arrays as repeated fields. */
function fieldsOf(headers: OutgoingHttpHeaders): string[] {
  const fields: string[] = [];
  const status = headers[':status'];
  if (status !== undefined) fields.push(':status', String(status));
  for (const key in headers) {
    if (key === ':status') continue;
    const value = headers[key];
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) fields.push(key, item);
    else fields.push(key, String(value));
  }
  return fields;
}
