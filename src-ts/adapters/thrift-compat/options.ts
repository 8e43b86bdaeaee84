/**
 * The `thrift` package's connection and server options, read without loading that package: its
 * transport and protocol classes are recognised by name (`TFramedTransport`, `TCompactProtocol`),
 * so `thrift.TFramedTransport` and this module's stand-ins of the same name both work.
 */
import { ErrorCode, HeddleError } from '../../errors.js';
import type { CodecOptions } from '../../thrift/codec-options.js';

/** The value options that give gen-nodejs's shapes (see codec-options.ts). */
export const GEN_NODEJS_VALUES = { i64: 'node-int64', unset: 'null', binary: 'Buffer', map: 'object', set: 'array' } as const satisfies Omit<CodecOptions, 'protocol'>;

/** Stand-in for `thrift.TBufferedTransport`: pass it (or the package's own) as `transport`. */
export class TBufferedTransport {}
/** Stand-in for `thrift.TFramedTransport`. */
export class TFramedTransport {}
/** Stand-in for `thrift.TBinaryProtocol`. */
export class TBinaryProtocol {}
/** Stand-in for `thrift.TCompactProtocol`. */
export class TCompactProtocol {}

/** What `transport` may be: a transport class (the package's or these), or `'ttheader'`, `'framed'`, `'buffered'`. */
export type TransportOption = 'ttheader' | 'framed' | 'buffered' | { name: string };
/** What `protocol` may be: a protocol class, or `'binary'`, `'compact'`. */
export type ProtocolOption = 'binary' | 'compact' | { name: string };

/** The wire transport an option names; the package's default is TBufferedTransport. */
export function transportOf(option: unknown): 'ttheader' | 'framed' | 'buffered' {
  if (option === undefined || option === null) return 'buffered';
  if (option === 'ttheader' || option === 'framed' || option === 'buffered') return option;
  const name = typeof option === 'function' ? option.name : undefined;
  if (name === 'TFramedTransport') return 'framed';
  if (name === 'TBufferedTransport') return 'buffered';
  throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT,
    `transport must be TFramedTransport, TBufferedTransport (the thrift package's or heddle/thrift-compat's) or 'ttheader', got ${describe(option)}`);
}

/** The protocol an option names; the package's default is TBinaryProtocol. */
export function protocolOf(option: unknown): 'binary' | 'compact' {
  if (option === undefined || option === null) return 'binary';
  if (option === 'binary' || option === 'compact') return option;
  const name = typeof option === 'function' ? option.name : undefined;
  if (name === 'TBinaryProtocol') return 'binary';
  if (name === 'TCompactProtocol') return 'compact';
  throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT,
    `protocol must be TBinaryProtocol or TCompactProtocol (the thrift package's or heddle/thrift-compat's), got ${describe(option)}`);
}

/** A non-negative number of milliseconds, or undefined. */
export function optionalMs(name: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${name} must be a number of milliseconds, got ${describe(value)}`);
}

function describe(value: unknown): string {
  return typeof value === 'function' ? `class ${value.name || '(anonymous)'}` : JSON.stringify(value) ?? String(value);
}
