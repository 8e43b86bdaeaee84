/**
 * Reading and writing the single value a path leads to, with exactly the codec's value mapping
 * (i64 as bigint/number/string/node-int64, maps as Map or object, TypedArrays, ...). Rather than
 * a second implementation of that mapping, each value type gets a generated codec of a one-field
 * wrapper struct `{ 1: T v }` with the codec's options: a value's bytes are the wrapper's bytes
 * minus its field header and STOP byte.
 *
 * Structs are decoded in place by their own generated decoder, and `binary` values are views of
 * the input (as decode gives them), so neither is copied; strings and i64s are read in place by
 * the runtime helpers the generated decoders call; other values are decoded from a small copy
 * framed as the wrapper.
 */
import { ErrorCode, HeddleError } from '../../errors.js';
import type { ResolvedCodecOptions } from '../../thrift/codec-options.js';
import { compileStruct, type StructDecoder, type StructEncoder } from '../../thrift/codegen/compile.js';
import type { StructDef, ThriftType } from '../../thrift/model.js';
import { CodecFailure, trailingBytes } from '../../thrift/runtime/codec-failure.js';
import { I64_SUFFIX } from '../../thrift/codegen/dialect.js';
import * as i64Wire from '../../thrift/runtime/i64-wire.js';
import { ReadState } from '../../thrift/runtime/read-state.js';
import { readUtf8 } from '../../thrift/runtime/read-text.js';
import { acquireWriteBuffer, releaseWriteBuffer } from '../../thrift/runtime/write-buffer.js';
import { CompactType } from '../../thrift/wire-types.js';
import type { WireType } from './compile-path.js';

interface Compiled {
  readonly encode: StructEncoder;
  readonly decode: StructDecoder;
  /** Whether decoded values may hold views of the bytes they came from. */
  readonly holdsBinary: boolean;
}

/** Per-codec readers and writers of single values. */
export class ValueCodecs {
  private readonly compiled = new Map<string, Compiled>();
  private readonly state = new ReadState(new Uint8Array(0), 0, 0);
  private scratch = new Uint8Array(64);
  /** Bytes of the wrapper's field header: Binary type + i16 id, or Compact's one-byte delta form. */
  private readonly headerSize: number;
  /**
   * The i64 reader the generated decoders use for this protocol and `i64` option. Framing an i64
   * as the wrapper (a subarray, a copy, the wrapper's decode) cost more than the rest of a peek of
   * one: three of peekMany's five benchmark fields are i64s.
   */
  private readonly readI64: (bytes: Uint8Array, start: number, state: ReadState) => unknown;

  constructor(
    private readonly structByKey: (key: string) => StructDef,
    private readonly options: ResolvedCodecOptions,
  ) {
    this.headerSize = options.protocol === 'compact' ? 1 : 3;
    this.readI64 = i64Reader(options);
  }

  get compact(): boolean {
    return this.options.protocol === 'compact';
  }

  /**
   * Decodes the value of `wire`'s type at `bytes[start, end)`. `headerType` is the Compact header
   * type of a bool field (its value), undefined for elements. `path` names it in errors.
   */
  read(bytes: Uint8Array, start: number, end: number, wire: WireType, headerType: number | undefined, path: string): unknown {
    const type = wire.type;
    if (type.kind === 'base' && type.name === 'bool') {
      if (this.compact) return headerType !== undefined ? headerType === CompactType.BOOLEAN_TRUE : bytes[start] === 1;
      return bytes[start] !== 0;
    }
    if (type.kind === 'base' && type.name === 'binary') return this.binaryView(bytes, start, end);
    const state = this.state;
    try {
      if (type.kind === 'base' && type.name === 'string') return readUtf8(bytes, this.dataStart(bytes, start), end);
      if (type.kind === 'base' && type.name === 'i64') {
        // The walk has found the value's end, so the bytes are there: an 8-byte Binary value, or
        // a Compact varint of at most 10 bytes.
        state.reset(bytes, start, end);
        return this.readI64(bytes, start, state);
      }
      if (type.kind === 'struct') {
        state.reset(bytes, start, end);
        const value = this.compiledFor(type).decode(state, 1);
        if (state.pos !== end) throw trailingBytes(state.pos, end - state.pos);
        return value;
      }
      const compiled = this.compiledFor(type);
      const framed = this.frame(end - start, compiled.holdsBinary);
      this.writeWrapperHeader(framed, wire);
      framed.set(bytes.subarray(start, end), this.headerSize);
      state.reset(framed, 0, framed.length);
      return (compiled.decode(state, 1) as { v: unknown }).v;
    } catch (error) {
      if (!(error instanceof CodecFailure)) throw error;
      const absolute = type.kind === 'struct' || (type.kind === 'base' && (type.name === 'string' || type.name === 'i64'));
      const offset = error.offset === undefined ? undefined : absolute ? error.offset : error.offset - this.headerSize + start;
      throw new HeddleError(error.code, error.message, { offset, path, cause: error.cause });
    } finally {
      state.reset(EMPTY, 0, 0);
    }
  }

  /**
   * The wire bytes of `value` as a value of `wire`'s type (no field header). A Compact bool field
   * has none: its value goes in the header (see {@link compactBoolType}). ERR_BAD_VALUE and the
   * like, naming `path`, for a value the codec's encode would refuse.
   */
  write(value: unknown, wire: WireType, path: string): Uint8Array {
    const type = wire.type;
    if (this.compact && type.kind === 'base' && type.name === 'bool') {
      checkBool(value, path);
      return Uint8Array.of(value ? CompactType.BOOLEAN_TRUE : CompactType.BOOLEAN_FALSE);
    }
    const writer = acquireWriteBuffer();
    try {
      const encode = this.compiledFor(type).encode;
      if (type.kind === 'struct') {
        encode(writer, value, 1);
        return writer.finish(this.options.maxSize);
      }
      encode(writer, { v: value }, 1);
      const framed = writer.finish(this.options.maxSize);
      return framed.subarray(this.headerSize, framed.length - 1);
    } catch (error) {
      if (error instanceof CodecFailure) {
        const where = error.segments.length === 0 ? path : `${path}${error.segments.reverse().join('').replace(/^\.v/, '')}`;
        throw new HeddleError(error.code, error.message, { path: where, cause: error.cause });
      }
      throw error;
    } finally {
      releaseWriteBuffer(writer);
    }
  }

  /** A struct's decoder and encoder, or a wrapper's for other types, compiled once with the codec's options. */
  private compiledFor(type: ThriftType): Compiled {
    const key = type.kind === 'struct' ? `struct:${type.key}` : typeKey(type);
    let compiled = this.compiled.get(key);
    if (compiled === undefined) {
      const def: StructDef =
        type.kind === 'struct'
          ? this.structByKey(type.key)
          : {
              kind: 'struct',
              key: `(path value ${key})`,
              name: '(path value)',
              fields: [{ id: 1, implicitId: false, name: 'v', type, requiredness: 'default', annotations: {}, loc: NOWHERE }],
              annotations: {},
              loc: NOWHERE,
            };
      const { encode, decode } = compileStruct(def, this.structByKey, this.options);
      compiled = { encode, decode, holdsBinary: holdsBinary(type, this.structByKey) };
      this.compiled.set(key, compiled);
    }
    return compiled;
  }

  private writeWrapperHeader(framed: Uint8Array, wire: WireType): void {
    if (this.compact) framed[0] = (1 << 4) | wire.compact;
    else {
      framed[0] = wire.binary;
      framed[1] = 0;
      framed[2] = 1;
    }
  }

  /**
   * Room for a value of `size` bytes framed as the wrapper: `fresh` when the decoded value may view
   * it (a type holding `binary`), else a scratch array reused from call to call.
   */
  private frame(size: number, fresh: boolean): Uint8Array {
    const length = this.headerSize + size + 1;
    if (fresh) return new Uint8Array(length);
    if (this.scratch.length < length) this.scratch = new Uint8Array(Math.max(length, this.scratch.length * 2));
    const framed = this.scratch.subarray(0, length);
    framed[length - 1] = 0; // the wrapper's STOP
    return framed;
  }

  /** Where the bytes of the string or binary at `start` begin, after its length. */
  private dataStart(bytes: Uint8Array, start: number): number {
    if (!this.compact) return start + 4;
    let at = start;
    while (bytes[at]! >= 0x80) at++;
    return at + 1;
  }

  /** A `binary` value as decode gives it: a view of the input (or a copy with `bytes: 'copy'`), a Buffer with `binary: 'Buffer'`. */
  private binaryView(bytes: Uint8Array, start: number, end: number): Uint8Array {
    const dataStart = this.dataStart(bytes, start);
    const length = end - dataStart;
    if (this.options.bytes === 'copy') {
      const copy = bytes.slice(dataStart, end);
      return this.options.binary === 'Buffer' ? Buffer.from(copy.buffer, copy.byteOffset, length) : copy;
    }
    return this.options.binary === 'Buffer'
      ? Buffer.from(bytes.buffer, bytes.byteOffset + dataStart, length)
      : new Uint8Array(bytes.buffer, bytes.byteOffset + dataStart, length);
  }
}

const EMPTY = new Uint8Array(0);

/**
 * The generated decoders' i64 reader for the codec's protocol and `i64` form (named as the
 * dialects name it), as one signature.
 */
function i64Reader(options: ResolvedCodecOptions): (bytes: Uint8Array, start: number, state: ReadState) => unknown {
  const suffix = I64_SUFFIX[options.i64];
  if (options.protocol === 'compact') {
    const read = i64Wire[`readI64Compact${suffix}`];
    return (_bytes, start, state) => read(state, start);
  }
  const read = i64Wire[`readI64Binary${suffix}`];
  return (bytes, start) => read(bytes, start);
}
const NOWHERE = { file: '(field path)', line: 0, column: 0 };

/** Whether values of `type` can hold a `binary` (and so a view of the bytes they were decoded from). */
function holdsBinary(type: ThriftType, structByKey: (key: string) => StructDef, seen = new Set<string>()): boolean {
  switch (type.kind) {
    case 'base':
      return type.name === 'binary';
    case 'enum':
      return false;
    case 'list':
    case 'set':
      return holdsBinary(type.element, structByKey, seen);
    case 'map':
      return holdsBinary(type.key, structByKey, seen) || holdsBinary(type.value, structByKey, seen);
    case 'struct':
      if (seen.has(type.key)) return false;
      seen.add(type.key);
      return structByKey(type.key).fields.some((field) => holdsBinary(field.type, structByKey, seen));
  }
}

/** A stable key of a type's structure, annotations left out. */
function typeKey(type: ThriftType): string {
  switch (type.kind) {
    case 'base':
      return type.name;
    case 'list':
    case 'set':
      return `${type.kind}<${typeKey(type.element)}>`;
    case 'map':
      return `map<${typeKey(type.key)},${typeKey(type.value)}>`;
    case 'enum':
    case 'struct':
      return `${type.kind}:${type.key}`;
  }
}

/** The Compact header type that carries bool `value` in a field header. */
export function compactBoolType(value: unknown, path: string): number {
  checkBool(value, path);
  return value ? CompactType.BOOLEAN_TRUE : CompactType.BOOLEAN_FALSE;
}

function checkBool(value: unknown, path: string): asserts value is boolean {
  if (typeof value !== 'boolean') throw new HeddleError(ErrorCode.ERR_BAD_VALUE, `expected a boolean, got ${typeof value}`, { path });
}
