import http2, { type IncomingHttpHeaders } from 'node:http2';
import { ErrorCode, HeddleError } from '../errors.js';
import type { MethodBinding } from '../rpc/binding.js';
import { bizStatusError, readBizStatus, type BizStatus } from '../rpc/biz-status.js';
import type { RawArgs } from '../rpc/raw-args.js';
import type { CallStream, CallStreamEvents, StreamEnd } from './call-stream.js';
import { GrpcMessageReader, encodingOf, frameMessage } from './message-framing.js';
import { MessageQueue } from './message-queue.js';
import { headerText, readMetadata, type GrpcMetadata } from './metadata.js';
import { decodeGrpcMessage, GrpcStatus, grpcStatusError, statusOfHttp, type GrpcStatusError } from './status.js';

const { NGHTTP2_CANCEL } = http2.constants;

/** A server reset this close to the deadline is the deadline, not a cancel (timers run late). */
const DEADLINE_SLACK_MS = 20;
/** Response messages a caller may leave unread before the stream stops being read. */
const QUEUE_HIGH_WATER = 32;

/** What a client call needs from its client. */
export interface ClientCallEnv {
  readonly maxReceiveMessageLength: number;
  readonly maxSendMessageLength: number;
  readonly gzip: boolean;
  readonly peer: string;
}

/** How a call ended: its response headers and trailers as metadata, parsed only when asked for
 * (most calls never look). */
export class CallOutcome {
  private parsedHeaders: GrpcMetadata | undefined;
  private parsedTrailers: GrpcMetadata | undefined;

  constructor(
    private readonly rawHeaders: IncomingHttpHeaders | undefined,
    private readonly rawTrailers: IncomingHttpHeaders | undefined,
    trailers?: GrpcMetadata,
  ) {
    this.parsedTrailers = trailers;
  }

  get headers(): GrpcMetadata {
    return (this.parsedHeaders ??= this.rawHeaders === undefined ? {} : readMetadata(this.rawHeaders));
  }

  get trailers(): GrpcMetadata {
    return (this.parsedTrailers ??= this.rawTrailers === undefined ? {} : readMetadata(this.rawTrailers));
  }
}

/**
 * One gRPC call on the client: writes the request messages (one, or an iterable's, honouring
 * flow control), reads the response messages into a {@link MessageQueue}, and settles with the
 * status from the trailers. Deadlines and AbortSignals reset the stream (RST_STREAM CANCEL).
 */
export class ClientCall implements CallStreamEvents {
  readonly responses: MessageQueue<unknown> | undefined;
  private unaryResponse: unknown;
  private received = 0;
  private reader: GrpcMessageReader | undefined;
  private responseHeaders: IncomingHttpHeaders | undefined;
  private trailerHeaders: IncomingHttpHeaders | undefined;
  private settled = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly result: Promise<unknown>;
  private resolveResult!: (value: unknown) => void;
  private rejectResult!: (error: unknown) => void;
  private abortListener: (() => void) | undefined;
  /** When the call's deadline passes (ms since the epoch), if it has one. */
  private deadlineAt: number | undefined;
  /** Called once with how the call ended (for onContext, metadata promises). */
  onOutcome: ((outcome: CallOutcome, error: GrpcStatusError | HeddleError | undefined) => void) | undefined;

  constructor(
    private readonly env: ClientCallEnv,
    private readonly stream: CallStream,
    private readonly method: MethodBinding,
    private readonly where: string,
    deadlineMs: number | undefined,
    private readonly signal: AbortSignal | undefined,
    /** A `callRaw` call: the request is a RawArgs of message bytes, the response its bytes. */
    private readonly raw = false,
  ) {
    this.result = new Promise((resolve, reject) => {
      this.resolveResult = resolve;
      this.rejectResult = reject;
    });
    if (method.streaming === 'server' || method.streaming === 'bidi') {
      // The outcome reaches the caller through the response iterable; this promise is not theirs.
      this.result.catch(() => {});
      this.responses = new MessageQueue(
        QUEUE_HIGH_WATER,
        () => stream.pause(),
        () => stream.resume(),
        () => this.cancel(new HeddleError(ErrorCode.ERR_CANCELLED, `${where}: the caller stopped reading the responses`), false),
      );
    }
    if (deadlineMs !== undefined) {
      this.deadlineAt = Date.now() + deadlineMs;
      this.timer = setTimeout(() => this.onDeadline(deadlineMs), Math.max(0, deadlineMs));
    }
    if (signal !== undefined) {
      if (signal.aborted) {
        queueMicrotask(() => this.onAbort());
      } else {
        this.abortListener = () => this.onAbort();
        signal.addEventListener('abort', this.abortListener, { once: true });
      }
    }
    stream.attach(this);
  }

  /** The unary or client-streaming result; rejects with the call's status error. */
  get promise(): Promise<unknown> {
    return this.result;
  }

  /** Sends the one request message and half-closes. */
  sendOne(value: unknown): void {
    let bytes: Buffer;
    try {
      const message = this.raw ? (value as RawArgs).raw : this.method.request.encode(value);
      bytes = frameMessage(message, this.env.gzip, this.env.maxSendMessageLength);
    } catch (error) {
      this.cancel(error, true);
      return;
    }
    this.stream.end(bytes);
  }

  /** Sends every message of `source`, waiting for HTTP/2 flow control, then half-closes. A source
   * that throws cancels the call with its error. */
  async sendAll(source: AsyncIterable<unknown> | Iterable<unknown>): Promise<void> {
    if (source === null || source === undefined || (typeof (source as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function' && typeof (source as Iterable<unknown>)[Symbol.iterator] !== 'function')) {
      this.cancel(new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${this.where}: a ${this.method.streaming}-streaming call takes an iterable or async iterable of requests`), true);
      return;
    }
    const stream = this.stream;
    try {
      for await (const value of source) {
        if (this.settled || stream.closed) break;
        const bytes = frameMessage(this.method.request.encode(value), this.env.gzip, this.env.maxSendMessageLength);
        const wait = stream.write(bytes);
        if (wait !== undefined) await wait;
      }
      stream.flush();
    } catch (error) {
      stream.flush();
      this.cancel(error instanceof HeddleError ? error : new HeddleError(ErrorCode.ERR_CANCELLED, `${this.where}: the request stream failed: ${(error as Error)?.message ?? String(error)}`, { cause: error }), true);
      return;
    }
    if (!stream.closed) stream.end();
  }

  /** Resets the stream (RST_STREAM CANCEL) and settles with `error`. */
  cancel(error: unknown, report: boolean): void {
    if (this.settled) return;
    if (!this.stream.closed) this.stream.cancel();
    this.settle(error as HeddleError, report);
  }

  private onAbort(): void {
    const reason = this.signal?.reason;
    this.cancel(grpcStatusError(GrpcStatus.CANCELLED, `${this.where}: cancelled by the caller${reason instanceof Error ? `: ${reason.message}` : ''}`, { local: true, cause: reason }), true);
  }

  private onDeadline(ms: number): void {
    this.cancel(grpcStatusError(GrpcStatus.DEADLINE_EXCEEDED, `${this.where}: deadline of ${Math.round(ms)} ms exceeded`, { local: true }), true);
  }

  /** @internal */
  onResponse(headers: IncomingHttpHeaders): void {
    this.responseHeaders = headers;
    const encodingHeader = headerText(headers, 'grpc-encoding');
    const encoding = encodingOf(encodingHeader);
    if (encoding === undefined) {
      this.cancel(grpcStatusError(GrpcStatus.INTERNAL, `${this.where}: the server compressed with '${encodingHeader}', which heddle does not decode`, { local: true }), true);
      return;
    }
    this.reader = new GrpcMessageReader(this.env.maxReceiveMessageLength, encoding);
  }

  /** @internal */
  onData(chunk: Buffer): void {
    if (this.settled) return;
    if (this.reader === undefined) this.reader = new GrpcMessageReader(this.env.maxReceiveMessageLength, 'identity');
    let messages: Uint8Array[];
    try {
      messages = this.reader.push(chunk);
    } catch (error) {
      this.cancel(error, true);
      return;
    }
    for (const bytes of messages) {
      let value: unknown;
      try {
        // Raw: bytes of its own, as the reader's may view a buffer read into again.
        value = this.raw ? bytes.slice() : this.method.unwrap(this.method.response.decode(bytes));
      } catch (error) {
        this.cancel(grpcStatusError(GrpcStatus.INTERNAL, `${this.where}: cannot decode the response: ${(error as Error).message}`, { local: true, cause: error }), true);
        return;
      }
      this.received++;
      if (this.responses !== undefined) this.responses.push(value);
      else if (this.received === 1) this.unaryResponse = value;
      else {
        this.cancel(grpcStatusError(GrpcStatus.INTERNAL, `${this.where}: the server sent more than one response message`, { local: true }), true);
        return;
      }
    }
  }

  /** @internal */
  onTrailers(trailers: IncomingHttpHeaders): void {
    this.trailerHeaders = trailers;
  }

  /** @internal */
  onClose(end: StreamEnd): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.settled) return;
    // Trailers-Only responses carry the status in the headers.
    const statusSource = this.trailerHeaders ?? (this.responseHeaders?.['grpc-status'] !== undefined ? this.responseHeaders : undefined);
    if (statusSource === undefined) {
      const httpStatus = Number(this.responseHeaders?.[':status'] ?? 0);
      if (this.responseHeaders !== undefined && httpStatus !== 200) {
        this.settle(grpcStatusError(statusOfHttp(httpStatus), `${this.where}: HTTP status ${httpStatus} without a gRPC status`), true);
        return;
      }
      const rst = end.rstCode;
      // A connection torn down (socket gone, GOAWAY and close) is UNAVAILABLE whatever code its
      // streams were reset with; a single stream reset with CANCEL is the server cancelling, or
      // giving up at the deadline the call carried.
      const gone = end.connectionGone;
      if (end.failure !== undefined) {
        this.settle(grpcStatusError(end.failure.status, `${this.where}: ${end.failure.message}`, { local: true, cause: end.failure.cause }), true);
      } else if (rst === NGHTTP2_CANCEL && !gone && this.deadlineAt !== undefined && Date.now() >= this.deadlineAt - DEADLINE_SLACK_MS) {
        this.settle(grpcStatusError(GrpcStatus.DEADLINE_EXCEEDED, `${this.where}: deadline exceeded (the server reset the stream at it)`, { local: true }), true);
      } else if (rst === NGHTTP2_CANCEL && !gone) {
        this.settle(grpcStatusError(GrpcStatus.CANCELLED, `${this.where}: the server cancelled the stream`), true);
      } else {
        this.settle(
          grpcStatusError(GrpcStatus.UNAVAILABLE, `${this.where}: ${gone ? 'the connection closed' : `the stream closed (HTTP/2 code ${rst ?? 'none'})`} before the call completed`, { local: true }),
          true,
        );
      }
      return;
    }
    const status = Number(headerText(statusSource, 'grpc-status'));
    if (status === GrpcStatus.OK) {
      try {
        this.reader?.finish();
      } catch (error) {
        this.settle(error as HeddleError, true);
        return;
      }
      if (this.responses === undefined && this.received !== 1) {
        this.settle(grpcStatusError(GrpcStatus.INTERNAL, `${this.where}: the server sent ${this.received} response messages for a call that takes one`, { local: true }), true);
        return;
      }
      this.settle(undefined, true, statusSource);
      return;
    }
    const trailers = readMetadata(statusSource);
    const message = decodeGrpcMessage(headerText(statusSource, 'grpc-message') ?? '');
    const biz = bizStatusOf(trailers, message);
    if (biz !== undefined) {
      this.settle(Object.assign(bizStatusError(biz.code, biz.message, biz.extra), { grpcStatus: status, grpcMessage: message, metadata: trailers }), true, statusSource, trailers);
      return;
    }
    const detailsText = headerText(statusSource, 'grpc-status-details-bin');
    const details = detailsText === undefined ? undefined : new Uint8Array(Buffer.from(detailsText, 'base64'));
    this.settle(
      grpcStatusError(Number.isInteger(status) && status > 0 ? status : GrpcStatus.UNKNOWN, message, { ...(details ? { details } : {}), metadata: trailers }),
      true,
      statusSource,
      trailers,
    );
  }

  private settle(error: HeddleError | undefined, report: boolean, rawTrailers?: IncomingHttpHeaders, trailers?: GrpcMetadata): void {
    if (this.settled) return;
    this.settled = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.abortListener !== undefined) this.signal?.removeEventListener('abort', this.abortListener);
    this.onOutcome?.(new CallOutcome(this.responseHeaders, rawTrailers, trailers), error);
    if (this.responses !== undefined) {
      if (error === undefined) this.responses.end();
      else if (report) this.responses.end(error);
      else this.responses.end();
    }
    if (error === undefined) this.resolveResult(this.unaryResponse);
    else this.rejectResult(error);
  }
}

/** A Kitex business status in trailers (`biz-status`, `biz-extra`; the message is the status
 * message, as Kitex's gRPC server sends it), if any; a malformed one is ignored and the gRPC status
 * stands. */
function bizStatusOf(trailers: GrpcMetadata, message: string): BizStatus | undefined {
  if (typeof trailers['biz-status'] !== 'string') return undefined;
  const fields = new Map<string, string>([['biz-message', message]]);
  for (const key of ['biz-status', 'biz-extra']) {
    const value = trailers[key];
    if (typeof value === 'string') fields.set(key, value);
  }
  try {
    return readBizStatus(fields);
  } catch {
    return undefined;
  }
}
