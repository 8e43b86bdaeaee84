import type { LinkBuffer } from '../../buffer/link-buffer.js';
import { finishReserved, nextReservation } from '../../buffer/write-reserved.js';
import { HeddleError } from '../../errors.js';
import * as kernels from '../../kernels/index.js';
import { defineOwn, newObject, plainConstructor, storeEntries } from '../../values/map-objects.js';
import type { MessageInfo } from '../descriptor/type-info.js';
import type { ProtoJsonTables } from '../../gateway/proto-json/descriptor.js';
import type { ProtoFromJSONOptions } from '../../gateway/proto-json/from-json.js';
import { ProtoJsonTranscoder } from '../../gateway/proto-json/transcoder.js';
import type { ProtoToJSONOptions } from '../../gateway/proto-json/to-json.js';
import type { PieceOutputOptions } from '../../gateway/paths/pieces.js';
import { CompiledProtoPath, ProtoPathCompiler } from '../../gateway/paths/proto-path-compile.js';
import { ProtoPaths } from '../../gateway/paths/proto-paths.js';
import { toPublicError, withPath } from './codec-fault.js';
import { CodecModule, type CodecLookup } from './codec-module.js';
import { word32, word64 } from './int64-word.js';
import type { ResolvedCodecOptions } from './codec-options.js';
import * as decodeSupport from './decode-support.js';
import { emitDecoders } from './decoder-gen.js';
import * as encodeSupport from './encode-support.js';
import * as objectValuesRead from './object-values-read.js';
import * as objectValuesWrite from './object-values-write.js';
import { emitEncoders } from './encoder-gen.js';
import { SourceBuilder } from './source-builder.js';
import { copyBytes } from './byte-pool.js';
import * as wireRead from './wire-read.js';
import * as wireWrite from './wire-write.js';
import { closeAsciiWindow, openAsciiWindow } from '../../text/ascii-window.js';

/** A compiled encoder/decoder pair for one message type and one set of options. */
export interface Codec<T = Record<string, unknown>> {
  /** The message type's full name. */
  readonly typeName: string;
  /** Encodes `value` in canonical field order; fails with ERR_BAD_VALUE, ERR_REQUIRED_FIELD. Under
   * the protobufjs profile the bytes are a Node Buffer, as protobufjs's `encode().finish()` gives. */
  encode(value: T): Uint8Array;
  /** Decodes `bytes`; fails with ERR_TRUNCATED, ERR_BAD_TYPE, ERR_BAD_VALUE, ERR_DEPTH_LIMIT,
   * ERR_SIZE_LIMIT or ERR_REQUIRED_FIELD, with the field path and byte offset. */
  decode(bytes: Uint8Array): T;
  /**
   * Encodes `value` straight into `out`, after whatever it already holds unflushed (a gRPC or
   * Kitex Protobuf frame header, say): the encoder writes into space reserved with `out.malloc`,
   * and only a message that outgrows the reservation is written elsewhere, then linked (copied when
   * under 4 KiB). The bytes
   * become readable at `out.flush()`. Returns the encoded size; on error `out` is left as it was.
   */
  encodeTo(value: T, out: LinkBuffer): number;
  /**
   * Encodes `value` and returns the bytes as a view of the encoders' shared scratch buffer, with
   * no allocation: valid only until the next encode by any codec, so the caller copies them at once
   * (heddle's HTTP/2 server puts them straight into its send buffers). Throws as {@link encode} does.
   */
  encodeView(value: T): Uint8Array;
  /**
   * Decodes one message from the next `length` readable bytes of `input` (default: all of them)
   * and consumes them. A message inside one slab is decoded where it lies; one spread over several
   * slabs is first joined into one scratch copy. Decoded values never view `input` (`bytes` fields
   * are copies), so they outlive `input.release()`. Throws as {@link decode} does; on error nothing
   * is consumed.
   */
  decodeFrom(input: LinkBuffer, length?: number): T;
  /**
   * Transcodes a ProtoJSON body (UTF-8 bytes or a string) straight to this type's wire bytes,
   * with no JS object per field (see docs/gateway.md): json_name or the .proto name per member,
   * 64-bit integers exact from numbers or strings, bytes in standard or URL-safe base64, enums by
   * name or number, `null` as the default, the well-known types in their JSON forms, and Any
   * resolved in this codec's root. Members naming no field are ERR_BAD_VALUE unless
   * `ignoreUnknownFields`. Fails with a HeddleError naming the JSON byte offset and field path.
   */
  fromJSON(body: Uint8Array | string, options?: ProtoFromJSONOptions): Uint8Array;
  /**
   * As {@link fromJSON}, writing the wire bytes at the end of `out`, after whatever it already
   * holds unflushed (a gRPC frame header, say); they become readable at `out.flush()`. Returns
   * their size; on error `out` is left as it was.
   */
  fromJSONTo(body: Uint8Array | string, out: LinkBuffer, options?: ProtoFromJSONOptions): number;
  /**
   * Transcodes this type's wire bytes straight to compact ProtoJSON, byte-identical to
   * @bufbuild/protobuf's `toJsonString` with default options: lowerCamelCase json names in field
   * number order, 64-bit integers as decimal strings, bytes as standard base64, enums by name,
   * proto3 zero values left out unless `emitDefaultValues`. Fails with a HeddleError naming the
   * wire byte offset and field path (bad wire data, invalid UTF-8 in proto3 strings, a missing
   * proto2 required field, well-known types out of their JSON range).
   */
  toJSON(bytes: Uint8Array, options?: ProtoToJSONOptions): Buffer;
  /**
   * Compiles a field path once for {@link peek}, {@link peekMany} and {@link patch}: dot-separated
   * field names (.proto or json names), indexes of repeated fields and map keys, e.g.
   * `items.0.title`, `notes["7"]`, `attrs.zh`. A segment that does not resolve is
   * ERR_INVALID_ARGUMENT naming it. Text paths given to the other methods are compiled and cached.
   */
  path(spec: string): CompiledProtoPath;
  /**
   * The value at `path` in this type's wire `bytes` as {@link decode} would give it (occurrences
   * merged as Protobuf merges them: the last of a singular field, oneof members clearing each
   * other), or undefined when it is not on the wire; fields not on the path are skipped, not
   * decoded. Malformed bytes on the way are HeddleError with the offset and path.
   */
  peek(bytes: Uint8Array, path: string | CompiledProtoPath): unknown;
  /** The values at several paths, in order, scanning the top-level message once. */
  peekMany(bytes: Uint8Array, paths: ReadonlyArray<string | CompiledProtoPath>): unknown[];
  /**
   * `bytes` with the value at `path` set to `value` (inserted where encode would write it when
   * absent, removed when undefined), as a LinkBuffer chain of views of the untouched input and
   * new bytes (the field, and new length prefixes of the messages around it); keep `bytes`
   * unchanged until it is read. One Uint8Array with `output: 'bytes'`. Unknown fields are kept.
   */
  patch(bytes: Uint8Array, path: string | CompiledProtoPath, value: unknown, options: PieceOutputOptions & { output: 'bytes' }): Uint8Array;
  patch(bytes: Uint8Array, path: string | CompiledProtoPath, value: unknown, options?: PieceOutputOptions): LinkBuffer;
  /**
   * `bytes` trimmed to the fields named by `mask` (field-name paths; repeated messages and map
   * values are crossed, `*` optional); required and unknown fields are kept.
   */
  project(bytes: Uint8Array, mask: readonly string[], options: PieceOutputOptions & { output: 'bytes' }): Uint8Array;
  project(bytes: Uint8Array, mask: readonly string[], options?: PieceOutputOptions): LinkBuffer;
  /** The generated JavaScript, for reading and debugging. */
  readonly source: string;
}

/** JSON bodies and encoded messages alike are refused above this size (DESIGN.md's message limit). */
const MAX_JSON_SIZE = 64 * 1024 * 1024;

/** Everything generated code may call, bound by name at the top of each generated module. */
const RUNTIME: Record<string, unknown> = {
  ...wireRead,
  ...wireWrite,
  ...decodeSupport,
  ...encodeSupport,
  ...objectValuesRead,
  ...objectValuesWrite,
  withPath,
  copyBytes,
  storeEntries,
  defineOwn,
  newObject,
  plainConstructor,
  // The 64-bit scratch word generated encoders split bigints through.
  word64,
  word32,
  hasOwn: Object.hasOwn,
  // The built-in itself, so V8 folds `hasOwnProperty.call(v, k)` away inside a for-in loop.
  hasOwnProperty: Object.prototype.hasOwnProperty,
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

/**
 * Generates, compiles and wraps the codec for `message` under `options`; `lookup` finds the
 * codecs google.protobuf.Any values name, under the protobufjs profile; `jsonTables` gives the
 * root's ProtoJSON tables, for fromJSON/toJSON.
 */
export function compileCodec<T>(message: MessageInfo, options: ResolvedCodecOptions, lookup?: CodecLookup, jsonTables?: () => ProtoJsonTables): Codec<T> {
  const mod = new CodecModule(message, options, lookup);
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
  const checkMessage = (value: T, what: string) => {
    if (typeof value !== 'object' || value === null) {
      throw new HeddleError('ERR_INVALID_ARGUMENT', `${what} expects a message object for ${message.fullName}`);
    }
  };
  // The protobufjs profile encodes to a Buffer, as protobufjs's encode().finish() does in Node,
  // written straight into the byte pool.
  const pooled = options.protobufjs !== undefined;
  /** Size of the last pooled `encode` result: the room the next one asks the pool for. */
  let lastPooledSize = 0;
  const jsonLimits = { maxDepth: options.maxDepth, maxSize: MAX_JSON_SIZE };
  /** Size of the last `encodeTo` result: what the next one probably needs. */
  let lastEncodedSize = 0;
  let fieldPaths: ProtoPaths | undefined;
  const paths = (): ProtoPaths => {
    if (fieldPaths === undefined) {
      if (lookup === undefined) throw new HeddleError('ERR_INVALID_ARGUMENT', `the codec of ${message.fullName} was built without its root; field paths need root.codec()`);
      const codecOf = (info: MessageInfo) => (info === message ? codec : lookup(info.fullName)) as unknown as Codec<Record<string, unknown>>;
      fieldPaths = new ProtoPaths(new ProtoPathCompiler(message, options, codecOf), options, MAX_JSON_SIZE);
    }
    return fieldPaths;
  };
  let cachedJsonTranscoder: ProtoJsonTranscoder | undefined;
  const jsonTranscoder = (): ProtoJsonTranscoder => {
    if (cachedJsonTranscoder === undefined) {
      const tables = requireTables(jsonTables, message.fullName);
      cachedJsonTranscoder = new ProtoJsonTranscoder(tables.message(message), tables, jsonLimits);
    }
    return cachedJsonTranscoder;
  };
  const codec: Codec<T> = {
    typeName: message.fullName,
    source,
    encode(value: T): Uint8Array {
      checkMessage(value, 'encode');
      try {
        if (pooled) {
          const bytes = wireWrite.encodeToPool(encode, value, lastPooledSize);
          lastPooledSize = bytes.length;
          return bytes;
        }
        return wireWrite.takeOutput(encode(value, 0));
      } catch (error) {
        throw toPublicError(error);
      }
    },
    encodeView(value: T): Uint8Array {
      checkMessage(value, 'encode');
      try {
        return wireWrite.scratchView(encode(value, 0));
      } catch (error) {
        throw toPublicError(error);
      }
    },
    decode(bytes: Uint8Array): T {
      if (!(bytes instanceof Uint8Array)) {
        throw new HeddleError('ERR_INVALID_ARGUMENT', `decode expects a Uint8Array for ${message.fullName}`);
      }
      // ASCII strings of this input may be cut from one copy of it, for this decode only.
      openAsciiWindow();
      try {
        return decode(bytes, 0, bytes.length, 1, undefined, -1) as T;
      } catch (error) {
        throw toPublicError(error);
      } finally {
        closeAsciiWindow();
      }
    },
    encodeTo(value: T, out: LinkBuffer): number {
      checkMessage(value, 'encodeTo');
      const before = out.mallocLen;
      const reserved = out.malloc(nextReservation(lastEncodedSize, MAX_RESERVATION));
      try {
        const size = wireWrite.encodeInto(reserved, encode, value);
        // The reserved space, or the buffer the encoder grew into, which restoreScratch leaves to `out`.
        finishReserved(out, before, reserved, wireWrite.output.buf, size);
        lastEncodedSize = size;
        return size;
      } catch (error) {
        out.mallocAck(before);
        throw toPublicError(error);
      } finally {
        wireWrite.restoreScratch();
      }
    },
    fromJSON(body: Uint8Array | string, jsonOptions?: ProtoFromJSONOptions): Uint8Array {
      return jsonTranscoder().fromJSON(body, jsonOptions);
    },
    fromJSONTo(body: Uint8Array | string, out: LinkBuffer, jsonOptions?: ProtoFromJSONOptions): number {
      return jsonTranscoder().fromJSONTo(body, out, jsonOptions);
    },
    toJSON(bytes: Uint8Array, jsonOptions?: ProtoToJSONOptions): Buffer {
      return jsonTranscoder().toJSON(bytes, jsonOptions);
    },
    path: (spec) => paths().path(spec),
    peek: (bytes, path) => paths().peek(bytes, path),
    peekMany: (bytes, list) => paths().peekMany(bytes, list),
    patch: ((bytes: Uint8Array, path: string | CompiledProtoPath, value: unknown, patchOptions?: PieceOutputOptions) =>
      paths().patch(bytes, path, value, patchOptions)) as Codec<T>['patch'],
    project: ((bytes: Uint8Array, mask: readonly string[], projectOptions?: PieceOutputOptions) =>
      paths().project(bytes, mask, projectOptions)) as Codec<T>['project'],
    decodeFrom(input: LinkBuffer, length: number = input.length): T {
      const value = codec.decode(input.peek(length));
      input.skip(length);
      return value;
    },
  };
  return codec;
}

function requireTables(jsonTables: (() => ProtoJsonTables) | undefined, typeName: string): ProtoJsonTables {
  if (jsonTables === undefined) throw new HeddleError('ERR_INVALID_ARGUMENT', `the codec of ${typeName} was built without its root; JSON transcoding needs root.codec()`);
  return jsonTables();
}

/**
 * The most it reserves, however large the last message was: a larger one grows into a buffer of
 * its own, which is linked, so one huge message does not make every later reservation huge.
 */
const MAX_RESERVATION = 256 * 1024;

type DecodeFn = (buf: Uint8Array, pos: number, end: number, depth: number, target: unknown, endTag: number) => unknown;
type EncodeFn = (value: unknown, pos: number) => number;
