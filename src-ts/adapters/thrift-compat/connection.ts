/**
 * `thrift.createConnection(host, port, options)` over heddle: one socket (on heddle's native I/O
 * path when the addon is loaded), calls of any number of service clients multiplexed on it by
 * sequence id, the package's events (`connect`, `error`, `close`, `timeout`) and its reconnection
 * rules (`max_attempts`, `retry_max_delay`, `connect_timeout`), plus `transport: 'ttheader'` for
 * Kitex peers. Messages are written and read by heddle's generated codecs.
 */
import { EventEmitter } from 'node:events';
import { ErrorCode, HeddleError } from '../../errors.js';
import type { MethodBinding } from '../../rpc/binding.js';
import type { RpcAddress } from '../../rpc/address.js';
import { dial, resolveIoPath, type IoPath } from '../../rpc/connect.js';
import { isControlFrame } from '../../rpc/control-frame.js';
import { DEFAULT_MAX_FRAME_SIZE, replyReaderKind, type FrameConnection, type FrameSink } from '../../rpc/frame-connection.js';
import { InflightTable } from '../../rpc/inflight-table.js';
import type { MessageFormat } from '../../rpc/message-format.js';
import { Outbox } from '../../rpc/outbox.js';
import type { ThriftServiceBinding } from '../../rpc/thrift-binding.js';
import { thriftFormat } from '../../rpc/thrift-format.js';
import { frameChunks, messageOf, TTHeaderTemplate } from '../../rpc/wire.js';
import { IntKey, type Frame, type TTHeaderInit } from '../../transport/index.js';
import { optionalMs, protocolOf, transportOf } from './options.js';

/** Options of {@link createConnection}: the `thrift` package's, plus heddle's. */
export interface ConnectionOptions {
  /** `thrift.TBufferedTransport` (default), `thrift.TFramedTransport`, or `'ttheader'` for Kitex. */
  transport?: unknown;
  /** `thrift.TBinaryProtocol` (default) or `thrift.TCompactProtocol`. */
  protocol?: unknown;
  /** Milliseconds each connection attempt may take, and the total time spent reconnecting. */
  connect_timeout?: number;
  /** Milliseconds a call may wait for its reply before it fails with ERR_TIMEOUT (0 or absent: no limit). */
  timeout?: number;
  /** Reconnect after a lost or refused connection, up to this many attempts (absent: never). */
  max_attempts?: number;
  /** Longest wait between attempts; waits start at 300 ms and grow 1.7x, as the package's. */
  retry_max_delay?: number;
  /** heddle: the I/O path (`auto` by default: native when the addon is loaded). */
  io?: IoPath;
  /** heddle: largest frame sent or accepted. Default 64 MiB. */
  maxFrameSize?: number;
  [key: string]: unknown;
}

interface PendingCall {
  readonly method: MethodBinding;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

const INITIAL_RETRY_DELAY = 300;
const RETRY_BACKOFF = 1.7;
const NO_HEADER: TTHeaderInit = {};

/** A connection as `thrift.createConnection` returns it. */
export class Connection extends EventEmitter {
  readonly host: string;
  readonly port: number;
  readonly transport: 'ttheader' | 'framed' | 'buffered';
  readonly protocol: 'binary' | 'compact';
  /** True while the socket is up. */
  connected = false;
  private readonly format: MessageFormat;
  private readonly io: 'native' | 'net';
  private readonly connectTimeout: number | undefined;
  private readonly callTimeout: number | undefined;
  private readonly maxAttempts: number | undefined;
  private readonly retryMaxDelay: number | undefined;
  private readonly maxFrameSize: number;
  private frames: FrameConnection | undefined;
  private readonly outbox: Outbox;
  /** Frames written while not connected, sent on connect (the package's offline queue). */
  private offline: Uint8Array[][] = [];
  /** Calls sent and not answered, by sequence id (not a Map: see rpc/inflight-table.ts). */
  private readonly pending = new InflightTable<PendingCall>();
  private readonly headers = new Map<string, TTHeaderTemplate>();
  private seq = 0;
  private ended = false;
  private attempts = 0;
  private retryDelay = INITIAL_RETRY_DELAY;
  private totalRetryTime = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private closedForGood = false;

  /** Where it connects: a TCP host and port, or a Unix socket path (`createUDSConnection`). */
  private readonly address: RpcAddress;

  constructor(host: string | undefined, port: number, options: ConnectionOptions = {}, path?: string) {
    super();
    if (path === undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `port must be an integer 0-65535, got ${String(port)}`);
    }
    this.host = host ?? 'localhost';
    this.port = port;
    this.address = path === undefined ? { scheme: 'tcp', host: this.host, port } : { scheme: 'unix', path };
    this.transport = transportOf(options.transport);
    this.protocol = protocolOf(options.protocol);
    this.format = thriftFormat(this.protocol);
    this.io = resolveIoPath(options.io ?? 'auto');
    this.connectTimeout = optionalMs('connect_timeout', options.connect_timeout);
    this.callTimeout = optionalMs('timeout', options.timeout);
    this.maxAttempts = optionalMs('max_attempts', options.max_attempts);
    this.retryMaxDelay = optionalMs('retry_max_delay', options.retry_max_delay);
    this.maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
    this.outbox = new Outbox(() => this.frames);
    this.open();
  }

  /**
   * Closes the connection once queued frames are written and the calls in flight have their
   * replies (or time out): as the package's half-close, which still reads replies.
   */
  end(): void {
    this.ended = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.outbox.flush();
    if (this.frames === undefined) {
      this.closeForGood();
      return;
    }
    this.closeWhenIdle();
  }

  /** After `end()`: closes once nothing is in flight, letting the socket take what was queued first. */
  private closeWhenIdle(): void {
    const frames = this.frames;
    if (!this.ended || frames === undefined || this.pending.size > 0) return;
    setImmediate(() => frames.destroy());
  }

  /** Closes at once, as the package's `destroy`. */
  destroy(): void {
    this.ended = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    if (this.frames === undefined) this.closeForGood();
    else this.frames.destroy();
  }

  /** @internal Sends a call of `method` of `binding` and resolves with what the method returns. */
  call(binding: ThriftServiceBinding, method: MethodBinding, request: Record<string, unknown>): Promise<unknown> {
    if (this.closedForGood) return Promise.reject(new HeddleError(ErrorCode.ERR_CONNECTION, `the connection to ${this.where} is closed`));
    this.seq = this.seq >= 0x7fffffff ? 1 : this.seq + 1;
    const seqId = this.seq;
    let chunks: Uint8Array[];
    try {
      chunks = frameChunks(this.transport, this.format.encodeCall(method, request, seqId), this.header(binding, method), this.maxFrameSize, seqId);
    } catch (error) {
      return Promise.reject(error);
    }
    if (method.oneway) {
      this.send(chunks);
      return Promise.resolve(undefined);
    }
    return new Promise((resolve, reject) => {
      const call: PendingCall = { method, resolve, reject, timer: undefined };
      const timeout = this.callTimeout;
      if (timeout !== undefined && timeout > 0) {
        call.timer = setTimeout(() => {
          this.pending.delete(seqId);
          this.closeWhenIdle();
          this.emit('timeout');
          reject(new HeddleError(ErrorCode.ERR_TIMEOUT, `call ${binding.name}.${method.name} to ${this.where} timed out after ${timeout} ms`));
        }, timeout);
      }
      this.pending.set(seqId, call);
      this.send(chunks);
    });
  }

  /** Emits `error` when someone listens: calls fail with the error anyway, and an unheard 'error' would end the process. */
  private report(error: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  private get where(): string {
    return this.address.scheme === 'tcp' ? `${this.host}:${this.port}` : this.address.path;
  }

  private send(chunks: Uint8Array[]): void {
    if (this.connected) this.outbox.push(chunks);
    else this.offline.push(chunks);
  }

  /** The TTHeader of calls of `method`: what a Kitex client writes (see rpc/client.ts). */
  private header(binding: ThriftServiceBinding, method: MethodBinding): TTHeaderInit | TTHeaderTemplate {
    if (this.transport !== 'ttheader') return NO_HEADER;
    const key = `${binding.name}.${method.name}`;
    let template = this.headers.get(key);
    if (template === undefined) {
      const intInfo = new Map<number, string>([[IntKey.ToService, binding.kitexName], [IntKey.ToMethod, method.name], [IntKey.MsgType, method.oneway ? '4' : '1']]);
      if (this.callTimeout !== undefined && this.callTimeout > 0) intInfo.set(IntKey.RPCTimeout, String(this.callTimeout));
      template = new TTHeaderTemplate({ protocolId: this.format.ttheaderProtocolId, intInfo, strInfo: new Map([['isn', binding.kitexName]]) });
      this.headers.set(key, template);
    }
    return template;
  }

  private open(): void {
    const sink: FrameSink = {
      frames: (batch) => this.onFrames(batch),
      drain: () => this.outbox.drained(),
      closed: (error) => this.onClosed(error),
    };
    const framing = this.transport === 'buffered' ? 'unframed' : 'length-prefixed';
    const options = { framing, readerKind: replyReaderKind(this.transport), protocol: this.protocol, maxFrameSize: this.maxFrameSize } as const;
    dial(this.address, this.io, this.connectTimeout ?? 10_000, options, sink).then(
      (frames) => {
        if (this.ended) {
          frames.destroy();
          return;
        }
        this.frames = frames;
        this.connected = true;
        this.attempts = 0;
        this.retryDelay = INITIAL_RETRY_DELAY;
        this.totalRetryTime = 0;
        for (const chunks of this.offline.splice(0)) this.outbox.push(chunks);
        this.emit('connect');
      },
      (error: HeddleError) => {
        this.report(error);
        this.gone(error);
      },
    );
  }

  private onFrames(batch: Frame[]): void {
    for (const frame of batch) {
      const header = frame.kind === 'ttheader' || frame.kind === 'ttheader-framed' ? frame.header : undefined;
      let message: Uint8Array;
      let seqId: number;
      let envelope;
      try {
        message = messageOf(frame);
        envelope = this.format.envelope(frame, message);
        seqId = envelope.seqId;
      } catch (error) {
        this.report(error);
        this.frames?.destroy();
        return;
      }
      if (isControlFrame(seqId, header)) continue;
      const call = this.pending.take(seqId);
      // A reply to a call that timed out: nobody waits for it.
      if (call === undefined) continue;
      this.closeWhenIdle();
      if (call.timer !== undefined) clearTimeout(call.timer);
      let value: unknown;
      try {
        value = call.method.unwrap(this.format.decodeReply(call.method, message, envelope));
      } catch (error) {
        call.reject(error);
        continue;
      }
      call.resolve(value);
    }
  }

  private onClosed(error?: HeddleError): void {
    this.frames = undefined;
    this.connected = false;
    if (error !== undefined) this.report(error);
    const failure = new HeddleError(ErrorCode.ERR_CONNECTION, `the connection to ${this.where} closed before the reply came`, error === undefined ? undefined : { cause: error });
    for (const call of this.pending.values()) {
      if (call.timer !== undefined) clearTimeout(call.timer);
      call.reject(failure);
    }
    this.pending.clear();
    this.gone(error);
  }

  /** The package's connection_gone: reconnect when `max_attempts` allows, else close for good. */
  private gone(_error?: HeddleError): void {
    if (this.ended || this.maxAttempts === undefined || this.retryTimer !== undefined) {
      if (this.retryTimer === undefined) this.closeForGood();
      return;
    }
    if (this.retryMaxDelay !== undefined && this.retryDelay >= this.retryMaxDelay) this.retryDelay = this.retryMaxDelay;
    else this.retryDelay = Math.floor(this.retryDelay * RETRY_BACKOFF);
    this.attempts += 1;
    if (this.attempts >= this.maxAttempts) {
      this.closeForGood();
      return;
    }
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.totalRetryTime += this.retryDelay;
      if (this.connectTimeout !== undefined && this.totalRetryTime >= this.connectTimeout) {
        this.closeForGood();
        return;
      }
      this.open();
    }, this.retryDelay);
  }

  private closeForGood(): void {
    if (this.closedForGood) return;
    this.closedForGood = true;
    this.connected = false;
    const failure = new HeddleError(ErrorCode.ERR_CONNECTION, `the connection to ${this.where} is closed`);
    this.offline = [];
    for (const call of this.pending.values()) {
      if (call.timer !== undefined) clearTimeout(call.timer);
      call.reject(failure);
    }
    this.pending.clear();
    this.emit('close');
  }
}

/** `thrift.createConnection(host, port, options)`. */
export function createConnection(host: string | undefined, port: number, options?: ConnectionOptions): Connection {
  return new Connection(host, port, options);
}

/** `thrift.createUDSConnection(path, options)`: the same over a Unix domain socket. */
export function createUDSConnection(path: string, options?: ConnectionOptions): Connection {
  if (typeof path !== 'string' || path === '') throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'createUDSConnection: path must be a socket path');
  return new Connection(undefined, 0, options, path);
}
