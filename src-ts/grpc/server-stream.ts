import http2, { type Http2Session, type OutgoingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { BatchedWriter } from './stream-write.js';

const { NGHTTP2_NO_ERROR } = http2.constants;

/** What a server stream tells its call: one object per call, no emitter. */
export interface ServerStreamEvents {
  /** A view of request bytes, valid as long as the call holds it. */
  onData(chunk: Buffer): void;
  /** The client ended its side (END_STREAM): every request byte arrived. */
  onEnd(): void;
  /** The stream is gone: complete, reset by the client, or its connection closed. */
  onClose(): void;
}

/**
 * One gRPC call's HTTP/2 stream as the server call drives it, whichever engine carries it
 * (heddle's own HTTP/2 server or node:http2).
 */
export interface ServerCallStream {
  readonly id: number;
  /** The stream is gone (both sides ended, or reset). */
  readonly closed: boolean;
  /** The client's END_STREAM arrived. */
  readonly requestEnded: boolean;
  /** The RST_STREAM code the stream ended with, if it was reset. */
  readonly rstCode: number | undefined;
  /** The connection of this stream is gone (asked after 'close', from a later turn). */
  readonly connectionGone: boolean;
  /** Connects the stream to its call; events start after this. */
  attach(events: ServerStreamEvents): void;
  /** Sends the response headers; `endStream` makes them a Trailers-Only answer. */
  respond(headers: OutgoingHttpHeaders, endStream: boolean): void;
  /** Queues response bytes; returns a promise to await when flow control holds them back. */
  write(bytes: Uint8Array): Promise<void> | undefined;
  /** Queues one uncompressed gRPC message, its prefix added here, copying `body` at once (it may
   * be a view valid only during the call, as a codec's `encodeView` gives); returns as `write`.
   * Engines that have it spare the caller a buffer per message. */
  writeMessage?(body: Uint8Array): Promise<void> | undefined;
  /** Sends what was written in this turn now. */
  flush(): void;
  /** Ends the response: `last` bytes if given, then `trailers` (or a bare END_STREAM). */
  end(last: Uint8Array | undefined, trailers: OutgoingHttpHeaders | undefined): void;
  /** Ends the response with one uncompressed gRPC message, its prefix added here, copying `body`
   * before it returns (it may be a codec's `encodeView`), then `trailers`. Engines that have it
   * spare a unary call the buffers of its encoding and of its framing. */
  endMessage?(body: Uint8Array, trailers: OutgoingHttpHeaders | undefined): void;
  /** Stops granting the client flow-control credit; `resume` grants again. */
  pause(): void;
  resume(): void;
  /** RST_STREAM with `code`. */
  close(code: number): void;
}

/** A node:http2 server stream as a ServerCallStream. */
export class NodeServerStream implements ServerCallStream {
  private readonly session: Http2Session | undefined;
  private writer: BatchedWriter | undefined;

  constructor(private readonly stream: ServerHttp2Stream) {
    // Kept: a closed stream no longer knows its session.
    this.session = stream.session;
  }

  get id(): number {
    return this.stream.id ?? 0;
  }

  get closed(): boolean {
    return this.stream.closed || this.stream.destroyed;
  }

  get requestEnded(): boolean {
    return this.stream.readableEnded;
  }

  get rstCode(): number | undefined {
    return this.stream.rstCode;
  }

  get connectionGone(): boolean {
    return this.session?.destroyed !== false;
  }

  attach(events: ServerStreamEvents): void {
    const stream = this.stream;
    stream.on('data', (chunk: Buffer) => events.onData(chunk));
    stream.on('end', () => {
      // Node ends the readable side of every stream of a connection that went away, too: that is
      // not the client's END_STREAM, and 'close' reports it (a torn-off upload must not look complete).
      if (stream.destroyed || this.session?.destroyed !== false) return;
      events.onEnd();
    });
    stream.on('close', () => events.onClose());
    // Errors are reported through 'close' and its rstCode.
    stream.on('error', () => {});
  }

  respond(headers: OutgoingHttpHeaders, endStream: boolean): void {
    if (endStream) this.stream.respond(headers, { endStream: true });
    else this.stream.respond(headers, { waitForTrailers: true });
  }

  write(bytes: Uint8Array): Promise<void> | undefined {
    this.writer ??= new BatchedWriter(this.stream);
    return this.writer.write(bytes);
  }

  flush(): void {
    this.writer?.flush();
  }

  end(last: Uint8Array | undefined, trailers: OutgoingHttpHeaders | undefined): void {
    this.writer?.flush();
    const stream = this.stream;
    // Headers went with waitForTrailers; no trailers is an empty list (node sends a bare END_STREAM).
    stream.once('wantTrailers', () => stream.sendTrailers(trailers ?? {}));
    if (last === undefined) stream.end();
    else stream.end(last);
  }

  pause(): void {
    this.stream.pause();
  }

  resume(): void {
    this.stream.resume();
  }

  close(code: number = NGHTTP2_NO_ERROR): void {
    if (!this.stream.closed) this.stream.close(code);
  }
}
