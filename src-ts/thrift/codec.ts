/** A compiled Thrift struct codec: `encode`, `decode`, and the generated source behind them. */
import { ErrorCode, HeddleError } from '../errors.js';
import type { ResolvedCodecOptions } from './codec-options.js';
import type { CompiledStruct, StructDecoder, StructEncoder } from './codegen/compile.js';
import type { StructDef } from './model.js';
import { sizeLimit, toHeddleError, trailingBytes } from './runtime/codec-failure.js';
import { ReadState } from './runtime/read-state.js';
import { SegmentedReadState } from './runtime/segmented-read-state.js';
import { acquireWriteBuffer, releaseWriteBuffer, WriteBuffer } from './runtime/write-buffer.js';
import type { LinkBuffer } from '../buffer/link-buffer.js';
import { finishReserved, nextReservation } from '../buffer/write-reserved.js';
import { ThriftPaths, type CompiledPath, type PieceOutputOptions } from '../gateway/paths/index.js';
import { buildDescriptor, ThriftJsonTranscoder, type FromJSONOptions, type ToJSONOptions } from '../gateway/thrift-json/index.js';

const EMPTY = new Uint8Array(0);
/**
 * The read state every top-level decode uses: decoding runs no user code, so it never re-enters,
 * and reusing the state saves an allocation per call. Its input is dropped after each decode.
 */
const sharedState = new ReadState(EMPTY, 0, 0);
/** The same for `decodeFrom` on messages spread over several slabs. */
const piecesState = new SegmentedReadState();

/**
 * Encodes and decodes one struct, union or exception type in one protocol with one set of options.
 * Obtain it from `doc.codec(name, options)`; it is cached there, so asking again is cheap.
 *
 * Values follow heddle's mapping (see the README): structs are plain objects with IDL field names;
 * `binary` fields decode as views into the input bytes (copy them to keep them past the input's
 * lifetime); ASCII strings of 17-256 bytes may be slices of a shared copy of up to 1 KiB of the
 * input, which stays in memory while one of them does; `uuid` is a lowercase canonical string; null and undefined both mean "not set".
 */
export class Codec<T = any> {
  /** The struct's key in the model (`prefix.Name`). */
  readonly type: string;
  /** The struct's definition. */
  readonly struct: StructDef;
  /** The options this codec was compiled with, defaults applied. */
  readonly options: ResolvedCodecOptions;
  /**
   * The generated JavaScript, one function per struct reached from this one; readable, with IDL
   * names and comments. Compile with `debug: true` to see it by name in stack traces.
   */
  readonly source: string;
  /** Size of the last `encodeTo` result: what the next one probably needs. */
  private lastEncodedSize = 0;
  /** @internal The generated encoder: writes a struct at `w.pos`. */
  readonly writeStruct: StructEncoder;
  /** @internal The generated decoder: reads a struct at `r.pos`. */
  readonly readStruct: StructDecoder;
  /** The decoder of messages in pieces, compiled on the first one `decodeFrom` meets. */
  private readonly decodeInPieces: () => StructDecoder;
  /** Resolves struct keys for the JSON descriptor table. */
  private readonly structByKey: ((key: string) => StructDef) | undefined;
  /** The JSON transcoders over this type's descriptor table, built on the first fromJSON/toJSON. */
  private jsonTranscoder: ThriftJsonTranscoder | undefined;
  /** Field paths on raw bytes (peek, patch, project), built on first use. */
  private fieldPaths: ThriftPaths | undefined;

  /** @internal Use `doc.codec()`. */
  constructor(struct: StructDef, options: ResolvedCodecOptions, compiled: CompiledStruct, structByKey?: (key: string) => StructDef) {
    this.type = struct.key;
    this.struct = struct;
    this.options = options;
    this.source = compiled.source;
    this.writeStruct = compiled.encode;
    this.readStruct = compiled.decode;
    this.decodeInPieces = compiled.decodeInPieces;
    this.structByKey = structByKey;
  }

  /**
   * Transcodes a JSON body (UTF-8 bytes or a string) straight to this type's wire bytes, with no
   * JS object per field, following Kitex's JSON generic conventions (see docs/gateway.md): i64 as
   * exact numbers or digit strings, binary as base64, enums as integers, unknown members skipped
   * (or rejected with `unknownFields: 'reject'`), IDL defaults written for absent fields. Returns
   * a Uint8Array of its own. Throws HeddleError naming the JSON byte offset and the field path.
   */
  fromJSON(body: Uint8Array | string, options?: FromJSONOptions): Uint8Array {
    return this.json().fromJSON(body, options);
  }

  /**
   * As {@link fromJSON}, writing the wire bytes at the end of `out` (readable after `out.flush()`)
   * instead of returning them; returns their size. On error `out` is left as it was.
   */
  fromJSONTo(body: Uint8Array | string, out: LinkBuffer, options?: FromJSONOptions): number {
    return this.json().fromJSONTo(body, out, options);
  }

  /**
   * Transcodes this type's wire bytes straight to JSON: i64 as exact numbers (or strings with
   * `i64: 'string'`), binary as base64, map keys as strings. Throws HeddleError naming the wire
   * offset and the field path.
   */
  toJSON(bytes: Uint8Array, options?: ToJSONOptions): Buffer {
    return this.json().toJSON(bytes, options);
  }

  /**
   * Compiles a field path once for use with {@link peek}, {@link peekMany} and {@link patch}:
   * dot-separated field names (IDL or JSON names), list/set indexes and map keys, e.g.
   * `items.0.title`, `attrs["zh"]`, `names[-7]`. A segment that does not resolve is
   * ERR_INVALID_ARGUMENT naming it. Text paths given to the other methods are compiled and cached.
   */
  path(spec: string): CompiledPath {
    return this.paths().path(spec);
  }

  /**
   * The value at `path` in this type's wire `bytes`, as {@link decode} would give it (a struct
   * decoded, binary as a view), or undefined when absent; the rest of the message is skipped, not
   * decoded nor validated. Malformed bytes on the way are HeddleError with the offset and path.
   */
  peek(bytes: Uint8Array, path: string | CompiledPath): unknown {
    return this.paths().peek(bytes, path);
  }

  /** The values at several paths, in order, scanning the top-level struct once. */
  peekMany(bytes: Uint8Array, paths: ReadonlyArray<string | CompiledPath>): unknown[] {
    return this.paths().peekMany(bytes, paths);
  }

  /**
   * `bytes` with the value at `path` set to `value` (inserted where encode would place it when
   * absent, removed when undefined), as a LinkBuffer chain of views of the untouched input and the
   * new bytes (keep `bytes` unchanged until it is read), or one Uint8Array with `output: 'bytes'`.
   */
  patch(bytes: Uint8Array, path: string | CompiledPath, value: unknown, options: PieceOutputOptions & { output: 'bytes' }): Uint8Array;
  patch(bytes: Uint8Array, path: string | CompiledPath, value: unknown, options?: PieceOutputOptions): LinkBuffer;
  patch(bytes: Uint8Array, path: string | CompiledPath, value: unknown, options?: PieceOutputOptions): LinkBuffer | Uint8Array {
    return this.paths().patch(bytes, path, value, options);
  }

  /**
   * `bytes` trimmed to the fields named by `mask` (field-name paths; lists and maps are crossed,
   * `*` optional), required fields kept; views of the input as {@link patch} gives them.
   */
  project(bytes: Uint8Array, mask: readonly string[], options: PieceOutputOptions & { output: 'bytes' }): Uint8Array;
  project(bytes: Uint8Array, mask: readonly string[], options?: PieceOutputOptions): LinkBuffer;
  project(bytes: Uint8Array, mask: readonly string[], options?: PieceOutputOptions): LinkBuffer | Uint8Array {
    return this.paths().project(bytes, mask, options);
  }

  private paths(): ThriftPaths {
    if (this.fieldPaths === undefined) {
      const lookup = this.structByKey;
      if (lookup === undefined) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'this codec was built without its document; field paths need doc.codec()');
      this.fieldPaths = new ThriftPaths(this.struct, lookup, this.options);
    }
    return this.fieldPaths;
  }

  private json(): ThriftJsonTranscoder {
    if (this.jsonTranscoder === undefined) {
      const lookup = this.structByKey;
      if (lookup === undefined) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'this codec was built without its document; JSON transcoding needs doc.codec()');
      const limits = { compact: this.options.protocol === 'compact', maxDepth: this.options.maxDepth, maxSize: this.options.maxSize };
      this.jsonTranscoder = new ThriftJsonTranscoder(buildDescriptor(this.struct, lookup), limits);
    }
    return this.jsonTranscoder;
  }

  /** The protocol this codec speaks. */
  get protocol(): 'binary' | 'compact' {
    return this.options.protocol;
  }

  /**
   * Encodes `value` and returns its bytes: a view into a 64 KiB slab that successive encodes fill
   * (as pooled Buffers share one ArrayBuffer), so `result.buffer` holds other messages too; copy
   * with `slice()` to keep many small results for long. Throws HeddleError: ERR_REQUIRED_FIELD, ERR_BAD_VALUE (a
   * value of the wrong type or range, a union with not exactly one field), ERR_DEPTH_LIMIT,
   * ERR_SIZE_LIMIT; `err.path` names the field.
   */
  encode(value: T): Uint8Array {
    const writer = acquireWriteBuffer();
    try {
      this.writeStruct(writer, value, 1);
      return writer.finish(this.options.maxSize);
    } catch (error) {
      throw toHeddleError(error, this.struct.name);
    } finally {
      releaseWriteBuffer(writer);
    }
  }

  /**
   * Decodes one struct that fills `bytes` exactly. Throws HeddleError with `code`, `path` and
   * `offset`: ERR_TRUNCATED, ERR_BAD_TYPE, ERR_BAD_VALUE (bad UTF-8, trailing bytes, ...),
   * ERR_SIZE_LIMIT, ERR_DEPTH_LIMIT, ERR_REQUIRED_FIELD.
   */
  decode(bytes: Uint8Array): T {
    if (!(bytes instanceof Uint8Array)) {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'decode expects a Uint8Array');
    }
    const end = bytes.length;
    const state = sharedState;
    state.reset(bytes, 0, end);
    try {
      if (end > this.options.maxSize) throw sizeLimit(0, end, this.options.maxSize);
      const value = this.readStruct(state, 1) as T;
      if (state.pos !== end) throw trailingBytes(state.pos, end - state.pos);
      return value;
    } catch (error) {
      throw toHeddleError(error, this.struct.name);
    } finally {
      state.reset(EMPTY, 0, 0);
    }
  }

  /**
   * Encodes `value` straight into `out`, after whatever it already holds unflushed (a frame header
   * from `transport.beginFrame`, say): the encoder writes into space reserved with `out.malloc`,
   * and only a message that outgrows the reservation is copied once. The bytes become readable at
   * `out.flush()`. Returns the encoded size; on error `out` is left as it was.
   */
  encodeTo(value: T, out: LinkBuffer): number {
    const before = out.mallocLen;
    const reserved = out.malloc(nextReservation(this.lastEncodedSize, this.options.maxSize));
    try {
      const writer = new WriteBuffer(0, reserved);
      this.writeStruct(writer, value, 1);
      const size = writer.pos;
      if (size > this.options.maxSize) throw sizeLimit(undefined, size, this.options.maxSize);
      // The reserved space, or the buffer the writer grew into when the message outgrew it.
      finishReserved(out, before, reserved, writer.buf, size);
      this.lastEncodedSize = size;
      return size;
    } catch (error) {
      out.mallocAck(before);
      throw toHeddleError(error, this.struct.name);
    }
  }

  /**
   * Decodes one struct from the next `length` readable bytes of `input` (default: all of them) and
   * consumes them. A message inside one slab is decoded in place. One spread over several slabs is
   * read across them where it lies: only a value that straddles a boundary is copied (a string or
   * binary alone, or a few hundred bytes around the boundary for smaller values), never the
   * message. Decoded `binary` fields view `input`'s memory (or such a copy): valid until
   * `input.release()`. Throws as {@link decode} does, with offsets from the start of the message;
   * on error nothing is consumed.
   */
  decodeFrom(input: LinkBuffer, length: number = input.length): T {
    if (length > this.options.maxSize) throw toHeddleError(sizeLimit(0, length, this.options.maxSize), this.struct.name);
    const pieces = input.readableViews(length);
    const value = pieces.length <= 1 ? this.decode(pieces[0] ?? EMPTY) : this.decodePieces(pieces, length);
    input.skip(length);
    return value;
  }

  /** Decodes one struct that fills the `length` bytes of `pieces`, with the decoder for input in pieces. */
  private decodePieces(pieces: readonly Uint8Array[], length: number): T {
    const state = piecesState;
    state.load(pieces);
    try {
      const value = this.decodeInPieces()(state, 1) as T;
      const end = state.offsetOf(state.pos);
      if (end !== length) throw trailingBytes(state.pos, length - end);
      return value;
    } catch (error) {
      throw toHeddleError(error, this.struct.name, state.base);
    } finally {
      state.clear();
    }
  }

  /** @internal Writes the struct into `writer` at its position (message bodies). */
  writeInto(writer: WriteBuffer, value: T): void {
    try {
      this.writeStruct(writer, value, 1);
    } catch (error) {
      throw toHeddleError(error, this.struct.name);
    }
  }

  /** @internal Reads the struct at `state.pos` (message bodies); `state.pos` ends after it. */
  readFrom(state: ReadState): T {
    try {
      return this.readStruct(state, 1) as T;
    } catch (error) {
      throw toHeddleError(error, this.struct.name);
    }
  }
}
