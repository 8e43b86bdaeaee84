/**
 * The `<Service>.js` module gen-nodejs writes, built at run time: `Client` (one method per IDL
 * method, inherited ones included, positional arguments, a callback when one is given and a
 * Promise otherwise) and `Processor` (holds the handler `createServer` serves).
 */
import type { CodecOptions } from '../../thrift/codec-options.js';
import type { ThriftDocument } from '../../thrift/document.js';
import { ThriftException } from '../../thrift/exception.js';
import { ErrorCode, HeddleError } from '../../errors.js';
import { thriftBinding, type ThriftMethodBinding, type ThriftServiceBinding } from '../../rpc/thrift-binding.js';
import type { Connection } from './connection.js';
import { TApplicationException } from './exceptions.js';
import { GEN_NODEJS_VALUES } from './options.js';
import type { StructClasses } from './types-module.js';

/** What heddle keeps on a service module: the IDL behind it. */
export class ServiceInfo {
  private readonly bindings = new Map<string, ThriftServiceBinding>();

  /** The codec value options of the service's messages: gen-nodejs's, with the module's i64 form. */
  readonly values: Omit<CodecOptions, 'protocol'>;

  constructor(readonly doc: ThriftDocument, readonly key: string, readonly classes: StructClasses) {
    this.values = { ...GEN_NODEJS_VALUES, i64: classes.i64 };
  }

  /** The service's binding in `protocol`, with gen-nodejs values. */
  binding(protocol: 'binary' | 'compact'): ThriftServiceBinding {
    let binding = this.bindings.get(protocol);
    if (binding === undefined) {
      binding = thriftBinding(this.doc, this.key, protocol, this.values);
      this.bindings.set(protocol, binding);
    }
    return binding;
  }

  /** The exception class instance for a declared exception the RPC layer reports. */
  declaredError(method: ThriftMethodBinding, error: ThriftException): Error {
    const declared = method.descriptor.exceptions.find((e) => e.type === error.type);
    return declared === undefined ? error : (new (this.classes.of(declared.key))(error.value as Record<string, unknown>) as unknown as Error);
  }
}

/** Where service modules keep their {@link ServiceInfo}. */
export const SERVICE_INFO = Symbol.for('heddle.thrift-compat.service');

/** A service module: `Client`, `Processor`. */
export interface ServiceModule {
  Client: new (connection: Connection) => Record<string, (...args: unknown[]) => unknown>;
  Processor: new (handler: object) => { readonly _handler: object };
  readonly [SERVICE_INFO]: ServiceInfo;
}

/** The ServiceInfo of a service module or of a Processor made from one; ERR_INVALID_ARGUMENT otherwise. */
export function serviceInfoOf(value: unknown, what: string): ServiceInfo {
  const info = (value as { [SERVICE_INFO]?: ServiceInfo } | null | undefined)?.[SERVICE_INFO];
  if (info instanceof ServiceInfo) return info;
  throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${what}: expected a service module from heddle/thrift-compat's load or parse (module.services.Name)`);
}

/** A client error as gen-nodejs code reports it: declared exceptions as their classes, application exceptions as TApplicationException. */
function clientError(info: ServiceInfo, method: ThriftMethodBinding, error: unknown): unknown {
  if (error instanceof ThriftException) return info.declaredError(method, error);
  const remote = (error as { remote?: { type: number; message: string } } | null)?.remote;
  if (error instanceof HeddleError && error.code === ErrorCode.ERR_REMOTE && remote !== undefined) return new TApplicationException(remote.type, remote.message);
  return error;
}

function clientMethod(info: ServiceInfo, name: string) {
  return function call(this: { connection: Connection; binding: ThriftServiceBinding }, ...args: unknown[]): Promise<unknown> | undefined {
    const method = this.binding.method(name) as ThriftMethodBinding;
    const params = method.descriptor.def.args;
    const callback = typeof args[params.length] === 'function' ? (args[params.length] as (err: unknown, result?: unknown) => void) : undefined;
    const request: Record<string, unknown> = {};
    for (let i = 0; i < params.length; i++) request[params[i]!.name] = args[i];
    const result = this.connection.call(this.binding, method, request).catch((error: unknown) => Promise.reject(clientError(info, method, error)));
    if (callback === undefined) return result;
    result.then((value) => callback(null, value), (error: unknown) => callback(error));
    return undefined;
  };
}

/** The service module of service `key` in `doc`. */
export function serviceModule(doc: ThriftDocument, key: string, classes: StructClasses): ServiceModule {
  const info = new ServiceInfo(doc, key, classes);
  class Client {
    readonly connection: Connection;
    readonly binding: ThriftServiceBinding;
    constructor(connection: Connection) {
      this.connection = connection;
      this.binding = info.binding(connection.protocol);
    }
  }
  for (const name of doc.service(key).methodNames) {
    Object.defineProperty(Client.prototype, name, { value: clientMethod(info, name), writable: true, configurable: true });
  }
  class Processor {
    readonly [SERVICE_INFO] = info;
    constructor(readonly _handler: object) {}
  }
  return { Client, Processor, [SERVICE_INFO]: info } as unknown as ServiceModule;
}
