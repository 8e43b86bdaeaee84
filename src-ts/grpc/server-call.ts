import type { OutgoingHttpHeaders } from 'node:http2';
import { ErrorCode, HeddleError } from '../errors.js';
import type { MethodBinding } from '../rpc/binding.js';
import type { Invoke } from '../rpc/context.js';
import { invokeInScope } from '../rpc/call-scope.js';
import { cancelledError, GrpcServerContext } from './context.js';
import { checkSendLength, GrpcMessageReader, frameMessage, type GrpcEncoding } from './message-framing.js';
import { MessageQueue } from './message-queue.js';
import { writeMetadata, type GrpcMetadata } from './metadata.js';
import { isBizStatusError } from '../rpc/biz-status.js';
import { encodeGrpcMessage, GrpcStatus, grpcStatusError, isGrpcStatusError, statusOfError } from './status.js';
import { H2Error } from './http2/frames.js';
import type { ServerCallStream, ServerStreamEvents } from './server-stream.js';

/** Incoming messages a streaming handler may leave unread before the stream stops being read. */
const QUEUE_HIGH_WATER = 32;
/** How long a client may keep its side of a stream open after the status went out. */
const CLOSE_AFTER_STATUS_MS = 1000;
/** The trailers of most calls (node:http2 copies headers it is given, so one object serves all). */
const OK_TRAILERS: OutgoingHttpHeaders = Object.freeze({ 'grpc-status': '0' });
/** How long after a deadline the server sends DEADLINE_EXCEEDED itself. */
const DEADLINE_GRACE_MS = 250;

/** What a server call needs from its server. */
export interface ServerCallEnv {
  readonly invoke: Invoke;
  readonly maxReceiveMessageLength: number;
  readonly maxSendMessageLength: number;
  /** A handler failed with something that is not a status the caller chose: log it. */
  readonly logFailure: (ctx: GrpcServerContext, error: unknown) => void;
  readonly finished: (call: ServerCall) => void;
}

/** The headers and trailers of an answer with status `status`, metadata added. */
function statusHeaders(headers: OutgoingHttpHeaders, status: number, message: string, details: Uint8Array | undefined, metadata: GrpcMetadata | undefined): OutgoingHttpHeaders {
  try {
    writeMetadata(headers, metadata);
  } catch {
    // Metadata the handler set is invalid: the status still goes out, without it.
  }
  headers['grpc-status'] = String(status);
  if (message !== '') headers['grpc-message'] = encodeGrpcMessage(message);
  if (details !== undefined) headers['grpc-status-details-bin'] = Buffer.from(details.buffer, details.byteOffset, details.byteLength).toString('base64');
  return headers;
}

/**
 * One gRPC call on the server: reads the request messages off its HTTP/2 stream, runs the handler
 * (through the server's middleware) and writes the response messages and the status. Streaming
 * both ways goes through async iterables that honour HTTP/2 flow control.
 */
export class ServerCall implements ServerStreamEvents {
  private readonly reader: GrpcMessageReader;
  private queue: MessageQueue<unknown> | undefined;
  private unaryRequest: unknown;
  private received = 0;
  private done = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private started = false;
  /** The deadline passed; the status follows after DEADLINE_GRACE_MS. */
  private expired = false;

  constructor(
    private readonly env: ServerCallEnv,
    private readonly stream: ServerCallStream,
    private readonly method: MethodBinding,
    readonly ctx: GrpcServerContext,
    encoding: GrpcEncoding,
    /** Compress response messages with gzip. */
    private readonly gzip: boolean,
    timeoutMs: number | undefined,
  ) {
    this.reader = new GrpcMessageReader(env.maxReceiveMessageLength, encoding);
    const streamingRequests = method.streaming === 'client' || method.streaming === 'bidi';
    if (streamingRequests) {
      this.queue = new MessageQueue(
        QUEUE_HIGH_WATER,
        () => stream.pause(),
        () => stream.resume(),
      );
    }
    if (timeoutMs !== undefined) {
      this.timer = setTimeout(() => this.onDeadline(timeoutMs), Math.max(0, timeoutMs));
    }
    stream.attach(this);
    // Streaming requests start the handler at once: it reads the messages as they come.
    if (streamingRequests) this.start(this.queue);
  }

  /** @internal */
  onData(chunk: Buffer): void {
    if (this.done) return;
    let messages: Uint8Array[];
    try {
      messages = this.reader.push(chunk);
    } catch (error) {
      this.fail(error);
      return;
    }
    for (const bytes of messages) {
      let value: unknown;
      try {
        value = this.method.request.decode(bytes);
      } catch (error) {
        this.fail(grpcStatusError(GrpcStatus.INTERNAL, `cannot decode the ${this.method.name} request: ${(error as Error).message}`, { local: true, cause: error }));
        return;
      }
      this.received++;
      if (this.queue !== undefined) {
        this.queue.push(value);
      } else if (this.received === 1) {
        this.unaryRequest = value;
        // grpc-go serves a unary call on its one message without waiting for END_STREAM.
        this.start(value);
      } else {
        this.fail(grpcStatusError(GrpcStatus.INTERNAL, `${this.method.name} takes one request message, the client sent more`, { local: true }));
        return;
      }
    }
  }

  /** @internal */
  onEnd(): void {
    if (this.done) return;
    try {
      this.reader.finish();
    } catch (error) {
      this.fail(error);
      return;
    }
    if (this.queue !== undefined) this.queue.end();
    else if (this.received === 0) this.fail(grpcStatusError(GrpcStatus.INTERNAL, `${this.method.name} takes one request message, the client sent none`, { local: true }));
  }

  /** @internal */
  onClose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (!this.done) {
      // The client reset the stream, or the connection went away, before the answer was complete.
      // When the connection goes away, Node 20.18 closes its streams with CANCEL before it marks
      // the session destroyed (20.20 marks it first): tell the two apart once that teardown ran.
      this.done = true;
      setImmediate(() => this.abortUnfinished());
    }
    this.env.finished(this);
  }

  private abortUnfinished(): void {
    const connectionGone = this.stream.connectionGone;
    const reason =
      !connectionGone && (this.stream.rstCode === H2Error.CANCEL || this.stream.rstCode === H2Error.NO_ERROR)
        ? cancelledError(`the client cancelled ${this.ctx.service}/${this.ctx.method}`)
        : new HeddleError(
            ErrorCode.ERR_CONNECTION,
            connectionGone
              ? `the connection of ${this.ctx.service}/${this.ctx.method} went away mid-call`
              : `the stream of ${this.ctx.service}/${this.ctx.method} closed (HTTP/2 code ${this.stream.rstCode})`,
          );
    this.ctx.abort(reason);
    this.queue?.fail(reason);
  }

  /** The server is shutting down and the drain deadline passed: UNAVAILABLE, the handler aborted. */
  shutdown(): void {
    this.fail(grpcStatusError(GrpcStatus.UNAVAILABLE, 'the server is shutting down', { local: true }));
  }

  /**
   * The deadline passed: the handler's signal aborts now, and what it still returns is dropped. The
   * DEADLINE_EXCEEDED status goes out a little later: the client keeps the same deadline and should
   * report its own timeout (a Kitex client tells ErrRPCTimeout from a remote status), so the server's
   * answer is only for a client that stopped counting.
   */
  private onDeadline(timeoutMs: number): void {
    if (this.done || this.expired) return;
    this.expired = true;
    const error = grpcStatusError(GrpcStatus.DEADLINE_EXCEEDED, `deadline of ${Math.round(timeoutMs)} ms exceeded`, { local: true });
    this.ctx.abort(error);
    this.queue?.fail(error);
    this.timer = setTimeout(() => this.finish(GrpcStatus.DEADLINE_EXCEEDED, error.grpcMessage, undefined, undefined), DEADLINE_GRACE_MS);
    this.timer.unref();
  }

  private start(input: unknown): void {
    if (this.started) return;
    this.started = true;
    let result: Promise<unknown>;
    try {
      // In the call scope when it is on, so client calls the handler makes carry this call's
      // persistent metainfo on, as from Thrift and Kitex Protobuf handlers.
      result = invokeInScope(this.ctx, this.env.invoke, input as Record<string, unknown>);
    } catch (error) {
      result = Promise.reject(error);
    }
    if (this.method.streaming === 'server' || this.method.streaming === 'bidi') {
      result.then(
        (iterable) => this.sendStream(iterable),
        (error) => this.fail(error),
      );
    } else {
      result.then(
        (value) => this.sendUnary(value),
        (error) => this.fail(error),
      );
    }
  }

  /** Response headers, sent before the first message. */
  private sendHeaders(): void {
    if (this.ctx.headersSent) return;
    this.ctx.headersSent = true;
    const headers: OutgoingHttpHeaders = { ':status': 200, 'content-type': 'application/grpc' };
    if (this.gzip) headers['grpc-encoding'] = 'gzip';
    if (this.ctx.headerMetadata !== undefined) {
      try {
        writeMetadata(headers, this.ctx.headerMetadata);
      } catch (error) {
        this.env.logFailure(this.ctx, error);
      }
    }
    this.stream.respond(headers, false);
  }

  private encode(value: unknown): Buffer {
    return frameMessage(this.method.response.encode(this.method.success(value)), this.gzip, this.env.maxSendMessageLength);
  }

  /** A response in the codec's scratch view (valid until its next encode), within the send limit;
   * only where the codec has encodeView. */
  private encodeInScratch(value: unknown): Uint8Array {
    const bytes = this.method.response.encodeView!(this.method.success(value));
    checkSendLength(bytes.length, this.env.maxSendMessageLength);
    return bytes;
  }

  private sendUnary(value: unknown): void {
    if (this.done || this.expired) return;
    // Where the engine frames and copies the message itself, the codec's scratch view spares the
    // encoding's buffer and the framed copy.
    const encodeView = this.gzip || this.stream.endMessage === undefined ? undefined : this.method.response.encodeView;
    let bytes: Uint8Array;
    try {
      if (encodeView !== undefined) {
        bytes = this.encodeInScratch(value);
      } else bytes = this.encode(value);
    } catch (error) {
      this.fail(error);
      return;
    }
    this.sendHeaders();
    // The message goes with the end of the stream: one write, then the trailers.
    if (encodeView !== undefined) this.finish(GrpcStatus.OK, '', undefined, undefined, undefined, bytes);
    else this.finish(GrpcStatus.OK, '', undefined, undefined, bytes);
  }

  private async sendStream(iterable: unknown): Promise<void> {
    if (this.done || this.expired) return;
    const source = iterable as AsyncIterable<unknown> | Iterable<unknown> | undefined;
    if (source === undefined || source === null || (typeof (source as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function' && typeof (source as Iterable<unknown>)[Symbol.iterator] !== 'function')) {
      this.fail(new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `the ${this.method.name} handler must return an async iterable (an async generator) of responses`));
      return;
    }
    const writer = this.stream;
    // Where the engine copies each message at once, the codec's scratch view spares a buffer per message.
    const encodeView = this.gzip || writer.writeMessage === undefined ? undefined : this.method.response.encodeView;
    try {
      for await (const value of source) {
        if (this.done || this.expired) break;
        let wait: Promise<void> | undefined;
        if (encodeView !== undefined) {
          const body = this.encodeInScratch(value);
          this.sendHeaders();
          wait = writer.writeMessage!(body);
        } else {
          const bytes = this.encode(value);
          this.sendHeaders();
          wait = writer.write(bytes);
        }
        if (wait !== undefined) await wait;
      }
    } catch (error) {
      writer.flush();
      this.fail(error);
      return;
    }
    writer.flush();
    // A stream cut short by its deadline gets DEADLINE_EXCEEDED from the grace timer, not OK.
    if (!this.expired) this.finish(GrpcStatus.OK, '', undefined, undefined);
  }

  private fail(error: unknown): void {
    if (this.done || this.expired) return;
    const status = statusOfError(error);
    // A status or business status is the handler's answer; anything else is a failure worth a log line.
    if (!isGrpcStatusError(error) && !isBizStatusError(error)) this.env.logFailure(this.ctx, error);
    this.ctx.abort(error instanceof HeddleError ? error : cancelledError(status.message));
    this.queue?.fail(error);
    this.finish(status.status, status.message, status.details, status.metadata);
  }

  /** Ends the call with a status: trailers after the messages, or Trailers-Only when nothing was
   * sent. A client still sending is then told to stop (RST_STREAM NO_ERROR). `last` is a framed
   * message to end with; `lastBody` an unframed one for `endMessage`, valid only during the call. */
  private finish(status: number, message: string, details: Uint8Array | undefined, metadata: GrpcMetadata | undefined, last?: Uint8Array, lastBody?: Uint8Array): void {
    if (this.done) return;
    this.done = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    const stream = this.stream;
    if (stream.closed) return;
    const trailerMetadata = metadata === undefined ? this.ctx.trailerMetadata : { ...this.ctx.trailerMetadata, ...metadata };
    if (!this.ctx.headersSent) {
      this.ctx.headersSent = true;
      const headers: OutgoingHttpHeaders = { ':status': 200, 'content-type': 'application/grpc' };
      if (this.ctx.headerMetadata !== undefined) {
        try {
          writeMetadata(headers, this.ctx.headerMetadata);
        } catch {
          // Logged when set; the status matters more.
        }
      }
      stream.respond(statusHeaders(headers, status, message, details, trailerMetadata), true);
    } else {
      const trailers = status === GrpcStatus.OK && trailerMetadata === undefined ? OK_TRAILERS : statusHeaders({}, status, message, details, trailerMetadata);
      if (lastBody !== undefined) stream.endMessage!(lastBody, trailers);
      else stream.end(last, trailers);
    }
    if (!stream.requestEnded) {
      // The request side is still open (a failed or deadline-cut stream): what still comes is
      // dropped, and a client that keeps sending after the status is reset shortly after it.
      stream.resume();
      setTimeout(() => {
        if (!stream.closed) stream.close(H2Error.NO_ERROR);
      }, CLOSE_AFTER_STATUS_MS).unref();
    }
  }

  /** @internal For tests: the decoded unary request. */
  get request(): unknown {
    return this.unaryRequest;
  }
}
