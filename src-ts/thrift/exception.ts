/** Declared Thrift exceptions as JS errors: what handlers throw and clients catch. */

/**
 * An exception declared in the IDL (`exception EchoError { ... }` listed in a method's
 * `throws`). A handler throws `new thrift.Exception('EchoError', { code: 7, message: 'nope' })`;
 * the RPC layer encodes `value` into the method's result; a client call rejects with one.
 */
export class ThriftException<V extends object = Record<string, unknown>> extends Error {
  /** The exception type's name as the IDL writes it (`EchoError`, or `shared.EchoError`). */
  readonly type: string;
  /** The exception's fields, a plain object like any struct value. */
  readonly value: V;

  constructor(type: string, value: V) {
    const message = (value as { message?: unknown }).message;
    super(typeof message === 'string' ? `${type}: ${message}` : type);
    this.name = 'ThriftException';
    this.type = type;
    this.value = value;
  }
}
