import { optionsKey, resolveCodecOptions, type CodecOptions } from '../thrift/codec-options.js';
import type { ThriftDocument } from '../thrift/document.js';
import type { MethodDescriptor } from '../thrift/service.js';
import { MethodTable } from './method-table.js';
import type { BodyCodec, MethodBinding, ServiceBinding } from './binding.js';

/**
 * A Thrift method as a binding entry. It keeps its {@link MethodDescriptor}, so the Thrift message
 * format writes envelope and struct in one pass instead of framing a separately encoded body.
 */
export class ThriftMethodBinding implements MethodBinding {
  readonly name: string;
  readonly streaming = 'unary' as const;
  readonly oneway: boolean;
  readonly errors: readonly string[];

  constructor(readonly descriptor: MethodDescriptor) {
    this.name = descriptor.name;
    this.oneway = descriptor.oneway;
    this.errors = descriptor.exceptions.map((e) => e.type);
  }

  /** The argument struct: an object keyed by parameter name. */
  get request(): BodyCodec {
    return this.descriptor.args as BodyCodec;
  }

  /** The result struct: `{ success }` or `{ <exception field>: value }`. */
  get response(): BodyCodec {
    return this.descriptor.result as BodyCodec;
  }

  success(value: unknown): unknown {
    return this.descriptor.success(value);
  }

  failure(error: unknown): unknown {
    return this.descriptor.failure(error);
  }

  unwrap(response: unknown): unknown {
    return this.descriptor.unwrap(response as Record<string, unknown>);
  }
}

/** A Thrift service binding: the service's methods (inherited ones included) in `protocol`. */
export interface ThriftServiceBinding extends ServiceBinding {
  readonly encoding: 'thrift-binary' | 'thrift-compact';
  readonly protocol: 'binary' | 'compact';
  readonly methods: ReadonlyMap<string, ThriftMethodBinding>;
  method(name: string): ThriftMethodBinding;
}

/** The binding of Thrift service `service` in `doc`. */
export function thriftBinding(
  doc: ThriftDocument,
  service: string,
  protocol: 'binary' | 'compact',
  codec: Omit<CodecOptions, 'protocol'> = {},
): ThriftServiceBinding {
  const descriptor = doc.service(service, { ...codec, protocol });
  const methods = new Map<string, ThriftMethodBinding>();
  for (const [name, method] of descriptor.methods) methods.set(name, new ThriftMethodBinding(method));
  const table = new MethodTable(descriptor.name, methods);
  const values = resolveCodecOptions({ ...codec, protocol: 'binary' });
  return {
    name: descriptor.name,
    kitexName: descriptor.name,
    encoding: protocol === 'binary' ? 'thrift-binary' : 'thrift-compact',
    protocol,
    valueShape: `thrift/${optionsKey(values)}`,
    cloneable: values.binary !== 'Buffer' && values.i64 !== 'node-int64',
    methods,
    method: (name) => table.method(name) as ThriftMethodBinding,
  };
}
