import { HeddleError } from '../../errors.js';
import * as kernels from '../../kernels/index.js';
import type { MessageInfo } from '../descriptor/type-info.js';
import { toPublicError, withPath } from './codec-fault.js';
import { CodecModule } from './codec-module.js';
import type { ResolvedCodecOptions } from './codec-options.js';
import * as decodeSupport from './decode-support.js';
import { emitDecoders } from './decoder-gen.js';
import * as encodeSupport from './encode-support.js';
import { emitEncoders } from './encoder-gen.js';
import { SourceBuilder } from './source-builder.js';
import { copyBytes } from './byte-pool.js';
import * as wireRead from './wire-read.js';
import * as wireWrite from './wire-write.js';

/** A compiled encoder/decoder pair for one message type and one set of options. */
export interface Codec<T = Record<string, unknown>> {
  /** The message type's full name. */
  readonly typeName: string;
  /** Encodes `value` in canonical field order; fails with ERR_BAD_VALUE, ERR_REQUIRED_FIELD. */
  encode(value: T): Uint8Array;
  /** Decodes `bytes`; fails with ERR_TRUNCATED, ERR_BAD_TYPE, ERR_BAD_VALUE, ERR_DEPTH_LIMIT,
   * ERR_SIZE_LIMIT or ERR_REQUIRED_FIELD, with the field path and byte offset. */
  decode(bytes: Uint8Array): T;
  /** The generated JavaScript, for reading and debugging. */
  readonly source: string;
}

/** Everything generated code may call, bound by name at the top of each generated module. */
const RUNTIME: Record<string, unknown> = {
  ...wireRead,
  ...wireWrite,
  ...decodeSupport,
  ...encodeSupport,
  withPath,
  copyBytes,
  hasOwn: Object.hasOwn,
  decodeFloat64LE: kernels.decodeFloat64LE,
  decodeFloat32LE: kernels.decodeFloat32LE,
  decodeUint32LE: kernels.decodeUint32LE,
  decodeInt32LE: kernels.decodeInt32LE,
  decodeUint64LE: kernels.decodeUint64LE,
  decodeInt64LE: kernels.decodeInt64LE,
  decodePackedVarint32: kernels.decodePackedVarint32,
  decodePackedVarint64: kernels.decodePackedVarint64,
  decodePackedUint64: kernels.decodePackedUint64,
  encodeFloat64LE: kernels.encodeFloat64LE,
  encodeFloat32LE: kernels.encodeFloat32LE,
  encodeUint32LE: kernels.encodeUint32LE,
  encodeInt32LE: kernels.encodeInt32LE,
  encodeUint64LE: kernels.encodeUint64LE,
  encodeInt64LE: kernels.encodeInt64LE,
  encodeVarint32s: kernels.encodeVarint32s,
  encodeVarint64s: kernels.encodeVarint64s,
};
const RUNTIME_NAMES = Object.keys(RUNTIME);

/** Generates, compiles and wraps the codec for `message` under `options`. */
export function compileCodec<T>(message: MessageInfo, options: ResolvedCodecOptions): Codec<T> {
  const mod = new CodecModule(message, options);
  const body = new SourceBuilder();
  body.line('"use strict";');
  body.line(`const { ${RUNTIME_NAMES.join(', ')} } = rt;`);
  const decoders = new SourceBuilder();
  emitDecoders(mod, decoders);
  const encoders = new SourceBuilder();
  emitEncoders(mod, encoders);
  mod.constants.forEach((_, i) => body.line(`const K${i} = K[${i}];`));
  const source = [body.toString(), decoders.toString(), encoders.toString(), 'return { decode: d0, encode: e0 };'].join('\n');
  const factory = new Function('rt', 'K', source) as (
    rt: Record<string, unknown>,
    constants: unknown[],
  ) => { decode: DecodeFn; encode: EncodeFn };
  const { decode, encode } = factory(RUNTIME, mod.constants);
  return {
    typeName: message.fullName,
    source,
    encode(value: T): Uint8Array {
      if (typeof value !== 'object' || value === null) {
        throw new HeddleError('ERR_INVALID_ARGUMENT', `encode expects a message object for ${message.fullName}`);
      }
      try {
        return wireWrite.takeOutput(encode(value, 0));
      } catch (error) {
        throw toPublicError(error);
      }
    },
    decode(bytes: Uint8Array): T {
      if (!(bytes instanceof Uint8Array)) {
        throw new HeddleError('ERR_INVALID_ARGUMENT', `decode expects a Uint8Array for ${message.fullName}`);
      }
      try {
        return decode(bytes, 0, bytes.length, 1, undefined, -1) as T;
      } catch (error) {
        throw toPublicError(error);
      }
    },
  };
}

type DecodeFn = (buf: Uint8Array, pos: number, end: number, depth: number, target: unknown, endTag: number) => unknown;
type EncodeFn = (value: unknown, pos: number) => number;
