/**
 * `thrift.createServer(service, handler, options)` over heddle's RPC server: the generated
 * processor's rules for calling handlers and answering, on one port that serves TTHeader (Kitex),
 * Framed and Buffered alike.
 */
import { EventEmitter } from 'node:events';
import { ErrorCode, HeddleError } from '../../errors.js';
import type { Handler, ServerLogEntry } from '../../rpc/server.js';
import { createServer as createRpcServer, type RpcServer } from '../../rpc/server.js';
import type { ThriftMethodBinding } from '../../rpc/thrift-binding.js';
import { ThriftException } from '../../thrift/exception.js';
import { optionalMs, protocolOf } from './options.js';
import { serviceInfoOf, type ServiceInfo } from './service-module.js';
import { hostPort } from '../../rpc/address.js';

/** Options of {@link createServer}: the `thrift` package's, plus heddle's. */
export interface ServerOptions {
  /** Accepted for the package's sake; the server reads TTHeader, Framed and Buffered on one port. */
  transport?: unknown;
  /** `thrift.TBinaryProtocol` (default) or `thrift.TCompactProtocol`. */
  protocol?: unknown;
  /** heddle: milliseconds a handler may take; then the caller gets a TApplicationException. */
  timeout?: number;
  /** heddle: where the server reports failed handlers and bad connections (default: nowhere). */
  log?: (entry: ServerLogEntry) => void;
  [key: string]: unknown;
}

type AnyFunction = (...args: unknown[]) => unknown;

/** Calls `fn` as the generated processor does: promise style when its arity is the argument count, else with a callback. */
function callHandler(fn: AnyFunction, self: object, positional: unknown[]): Promise<unknown> {
  if (fn.length === positional.length) return new Promise((resolve) => resolve(fn.apply(self, positional)));
  return new Promise((resolve, reject) => {
    fn.call(self, ...positional, (err: unknown, result?: unknown) => (err === null || err === undefined ? resolve(result) : reject(err)));
  });
}

/** A declared exception (by `instanceof` its class or by `name`) as heddle's ThriftException; anything else unchanged. */
function asDeclared(info: ServiceInfo, method: ThriftMethodBinding, error: unknown): unknown {
  for (const declared of method.descriptor.exceptions) {
    const cls = info.classes.of(declared.key);
    if (error instanceof cls || (error as { name?: unknown } | null)?.name === cls.name) return new ThriftException(declared.type, error as object);
  }
  return error;
}

function withTimeout(call: Promise<unknown>, ms: number | undefined, what: string): Promise<unknown> {
  if (ms === undefined || ms === 0) return call;
  let timer: ReturnType<typeof setTimeout>;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new HeddleError(ErrorCode.ERR_TIMEOUT, `${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([call, limit]).finally(() => clearTimeout(timer));
}

/** The server `createServer` returns: `listen`, `close`, `address`, events `listening`, `error`, `close`. */
export class Server extends EventEmitter {
  constructor(readonly rpc: RpcServer) {
    super();
  }

  /**
   * Listens on `port` (all interfaces unless `host` is given), or on a Unix socket when `port` is a
   * path, as net.Server does; `callback` runs once listening.
   */
  listen(port: number | string, host?: string | (() => void), callback?: () => void): this {
    const done = typeof host === 'function' ? host : callback;
    const where = typeof host === 'string' ? host : '::';
    const address = typeof port === 'string' ? `unix://${port}` : `tcp://${hostPort(where, port)}`;
    this.rpc.listen(address).then(
      () => {
        this.emit('listening');
        done?.();
      },
      (error: unknown) => this.emit('error', error),
    );
    return this;
  }

  /** The bound address, as net.Server's `address()` (the path for a Unix socket). */
  address(): { address: string; port: number; family: string } | string {
    if (this.rpc.address.startsWith('unix://')) return decodeURI(this.rpc.address.slice('unix://'.length));
    const match = /^tcp:\/\/\[?([^\]]*)\]?:(\d+)$/.exec(this.rpc.address)!;
    return { address: match[1]!, port: Number(match[2]), family: match[1]!.includes(':') ? 'IPv6' : 'IPv4' };
  }

  /** Stops listening and closes connections once their calls are answered. */
  close(callback?: (error?: unknown) => void): this {
    this.rpc.close().then(
      () => {
        this.emit('close');
        callback?.();
      },
      (error: unknown) => callback?.(error),
    );
    return this;
  }
}

/**
 * `thrift.createServer(service, handler, options)`: `service` is a service module (or a Processor
 * made from one, whose handler is then used); each handler method is called with the IDL's
 * arguments in order, promise style or callback style as the generated processor decides.
 */
export function createServer(service: unknown, handler?: object, options: ServerOptions = {}): Server {
  const info = serviceInfoOf(service, 'createServer');
  const impl = (handler ?? (service as { _handler?: object })._handler) as Record<string, unknown> | undefined;
  if (typeof impl !== 'object' || impl === null) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'createServer: handler must be an object of methods');
  const protocol = protocolOf(options.protocol);
  const timeout = optionalMs('timeout', options.timeout);
  const binding = info.binding(protocol);
  const handlers: Record<string, Handler> = {};
  for (const [name, method] of binding.methods) {
    const fn = impl[name];
    if (typeof fn !== 'function') continue;
    const params = method.descriptor.def.args.map((a) => a.name);
    handlers[name] = (args: Record<string, unknown>) => {
      const positional = params.map((p) => args[p]);
      if (method.oneway) {
        // As the generated processor: the arguments alone, no callback, nothing awaited.
        new Promise((resolve) => resolve((fn as AnyFunction).apply(impl, positional))).catch((error: unknown) =>
          options.log?.({ level: 'error', code: 'HANDLER_ERROR', message: `${name} failed: ${String(error)}` }));
        return undefined;
      }
      return withTimeout(callHandler(fn as AnyFunction, impl, positional), timeout, `handler ${name}`).catch((error: unknown) => Promise.reject(asDeclared(info, method, error)));
    };
  }
  const rpc = createRpcServer({ idl: info.doc, service: info.key, handlers, protocol, codec: info.values, log: options.log ?? (() => {}) });
  return new Server(rpc);
}
