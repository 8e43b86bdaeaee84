/**
 * Partial reads and writes on raw Thrift bytes for one codec: `path`, `peek`, `peekMany`, `patch`
 * and `project` (see docs/gateway.md, "Field paths"). The codec builds one of these on first use
 * and forwards to it.
 */
import { ErrorCode, HeddleError } from '../../errors.js';
import type { LinkBuffer } from '../../buffer/link-buffer.js';
import type { ResolvedCodecOptions } from '../../thrift/codec-options.js';
import type { StructDef } from '../../thrift/model.js';
import { writeVarint32 } from '../../thrift/runtime/varint.js';
import { nativeAddon } from '../../native.js';
import { CompiledPath, PathCompiler, type PathStep } from './compile-path.js';
import { compileMask, type CompiledMask } from './field-mask.js';
import { Pieces, type PieceOutputOptions } from './pieces.js';
import { projectStruct } from './project.js';
import { compactBoolType, ValueCodecs } from './value-codec.js';
import { fieldHeader, walk, walkError, WireWalker, type FieldHeader, type StepHit } from './wire-walk.js';

/** Most distinct text paths (and masks) a codec keeps compiled; beyond it, text forms compile on each use. */
const CACHE_LIMIT = 1024;

export class ThriftPaths {
  private readonly compiler: PathCompiler;
  private readonly values: ValueCodecs;
  private readonly walker: WireWalker;
  private readonly compiledPaths = new Map<string, CompiledPath>();
  private readonly compiledMasks = new Map<string, CompiledMask>();
  private readonly keyBytesOf = new WeakMap<PathStep, Uint8Array>();
  private readonly hits: StepHit[] = [];
  /** The addon's Compact field index for peekMany; undefined without the addon. */
  private readonly nativeIndex = nativeAddon?.compactFieldIndex;

  constructor(
    root: StructDef,
    structByKey: (key: string) => StructDef,
    private readonly options: ResolvedCodecOptions,
    /** Compact messages of at least this many bytes get the native index in peekMany (Infinity: never; tests set it). */
    private readonly nativeIndexFrom: number = NATIVE_INDEX_MIN_BYTES,
  ) {
    this.compiler = new PathCompiler(root, structByKey, options.fieldOrder);
    this.values = new ValueCodecs(structByKey, options);
    this.walker = new WireWalker(options.protocol === 'compact', options.maxDepth);
  }

  /** Compiles `spec` (see docs/gateway.md for the syntax). */
  path(spec: string): CompiledPath {
    let compiled = this.compiledPaths.get(spec);
    if (compiled === undefined) {
      compiled = this.compiler.compile(spec, this);
      // Key bytes are computed now, so a key of the wrong range fails at compile time.
      for (const step of compiled.steps) if (step.kind === 'key') this.keyBytes(step);
      if (this.compiledPaths.size < CACHE_LIMIT) this.compiledPaths.set(spec, compiled);
    }
    return compiled;
  }

  /** The value at `path` in `bytes`, or undefined when absent. */
  peek(bytes: Uint8Array, path: string | CompiledPath): unknown {
    const compiled = this.resolve(path);
    checkInput(bytes, this.options.maxSize);
    const hits = this.hits;
    hits.length = 0;
    this.walker.load(bytes);
    try {
      if (walk(this.walker, compiled.steps, 0, 0, hits, false, this.keyBytesFn) !== undefined) return undefined;
      return this.readHit(bytes, compiled, hits[hits.length - 1]!);
    } catch (error) {
      throw walkError(error, compiled.prefix(hits.length + 1));
    } finally {
      this.walker.load(EMPTY);
    }
  }

  /**
   * The values at `paths`, in order: the top-level struct is scanned once for all of them, and
   * each path continues from its first field.
   */
  peekMany(bytes: Uint8Array, paths: ReadonlyArray<string | CompiledPath>): unknown[] {
    if (!Array.isArray(paths)) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'peekMany expects an array of paths');
    // Plain arrays scanned per field header rather than a Map of ids: for the few paths a call
    // names, the Map's set, delete and rehash cost more than the comparisons (about 2,000
    // instructions of a 95,000-instruction five-field peekMany).
    const count = paths.length;
    const compiled: CompiledPath[] = [];
    // The first field id of each path not yet found; FOUND once it is.
    const firstIds: number[] = [];
    const results: unknown[] = [];
    for (let i = 0; i < count; i++) {
      const path = this.resolve(paths[i]!);
      compiled.push(path);
      firstIds.push((path.steps[0] as PathStep & { kind: 'field' }).field.id);
      results.push(undefined);
    }
    checkInput(bytes, this.options.maxSize);
    const walker = this.walker;
    walker.load(bytes);
    let current: CompiledPath | undefined;
    try {
      // The top-level fields indexed natively when that pays (-1: walked here, header by header).
      const indexed = walker.compact && this.nativeIndex !== undefined && bytes.length >= this.nativeIndexFrom ? this.nativeIndex(bytes, walker.maxDepth, FIELD_INDEX) : -1;
      let pos = 0;
      let lastId = 0;
      let pending = count;
      for (let f = 0; pending > 0; f++) {
        let id: number;
        let type: number;
        let valueStart: number;
        let end = -1;
        if (indexed >= 0) {
          if (f === indexed) break;
          const at = f * FIELD_INDEX_INTS;
          pos = FIELD_INDEX[at]!;
          type = FIELD_INDEX[at + 1]!;
          id = FIELD_INDEX[at + 2]!;
          valueStart = FIELD_INDEX[at + 3]!;
          end = FIELD_INDEX[at + 4]!;
        } else {
          if (!walker.readHeader(pos, lastId)) break;
          id = walker.headerId;
          type = walker.headerType;
          valueStart = walker.headerEnd;
        }
        let matched = 0;
        for (let i = 0; i < count; i++) if (firstIds[i] === id) matched++;
        // The value's end is needed only to go on scanning: not after the last wanted field.
        if (indexed < 0 && (matched === 0 || matched !== pending)) end = walker.skipField(valueStart, type, 2);
        if (matched !== 0) {
          pending -= matched;
          const header: FieldHeader = { start: pos, type, id, valueStart, lastId };
          for (let i = 0; i < count; i++) {
            if (firstIds[i] !== id) continue;
            // A later field of the same id is not read again (decode would keep the last).
            firstIds[i] = FOUND;
            current = compiled[i]!;
            results[i] = this.continueFrom(bytes, current, header, end);
          }
        }
        lastId = id;
        pos = end;
      }
      current = undefined;
    } catch (error) {
      throw walkError(error, current === undefined ? '' : current.spec);
    } finally {
      walker.load(EMPTY);
    }
    return results;
  }

  /**
   * `bytes` with the value at `path` replaced by `value` (inserted when absent, removed when
   * `value` is undefined): untouched ranges as views, new bytes for the value and the few headers
   * that change (Compact field deltas, a map's count).
   */
  patch(bytes: Uint8Array, path: string | CompiledPath, value: unknown, options?: PieceOutputOptions): LinkBuffer | Uint8Array {
    const compiled = this.resolve(path);
    checkInput(bytes, this.options.maxSize);
    // An encoder writes nothing for null, which would leave the old field header with no value.
    if (value === null) throw new HeddleError(ErrorCode.ERR_BAD_VALUE, 'null is not a value to patch in: patch an optional field to undefined to remove it', { path: compiled.spec });
    const walker = this.walker;
    const hits: StepHit[] = [];
    walker.load(bytes);
    let miss;
    try {
      miss = walk(walker, compiled.steps, 0, 0, hits, true, this.keyBytesFn);
    } catch (error) {
      throw walkError(error, compiled.prefix(hits.length + 1));
    } finally {
      walker.load(EMPTY);
    }
    const pieces = new Pieces(bytes);
    const steps = compiled.steps;
    if (miss === undefined) {
      const step = steps[steps.length - 1]!;
      const hit = hits[hits.length - 1]!;
      if (value === undefined) {
        if (step.kind !== 'field') throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'only struct fields can be removed by patching them to undefined', { path: compiled.spec });
        if (step.field.requiredness === 'required') throw new HeddleError(ErrorCode.ERR_REQUIRED_FIELD, `required field '${step.field.name}' cannot be removed`, { path: compiled.spec });
        this.removeField(bytes, pieces, hit.header!, hit.end);
      } else if (step.kind === 'field' && walker.compact && isBool(step)) {
        const header = hit.header!;
        pieces.range(0, header.start);
        const first = Uint8Array.of((bytes[header.start]! & 0xf0) | compactBoolType(value, compiled.spec));
        pieces.bytes(first);
        pieces.range(header.start + 1, bytes.length);
      } else {
        pieces.range(0, hit.start);
        pieces.bytes(this.values.write(value, step.value, compiled.spec));
        pieces.range(hit.end, bytes.length);
      }
      return pieces.finish(options);
    }
    if (value === undefined) {
      pieces.range(0, bytes.length);
      return pieces.finish(options);
    }
    const step = steps[miss.step]!;
    const inner = materialize(compiled, miss.step + 1, value, (keyStep) => this.keyValue(keyStep));
    if (step.kind === 'field') {
      const search = miss.field!;
      pieces.range(0, search.insertAt);
      const bool = walker.compact && isBool(step);
      const type = bool ? compactBoolType(inner, compiled.spec) : walker.compact ? step.value.compact : step.value.binary;
      pieces.bytes(fieldHeader(walker.compact, step.field.id, type, search.insertLastId));
      if (!bool) pieces.bytes(this.values.write(inner, step.value, compiled.spec));
      const next = search.next;
      if (walker.compact && next !== undefined) {
        pieces.bytes(fieldHeader(true, next.id, next.type, step.field.id));
        pieces.range(next.valueStart, bytes.length);
      } else pieces.range(search.insertAt, bytes.length);
    } else if (step.kind === 'key') {
      const container = miss.container!;
      pieces.range(0, container.start);
      pieces.bytes(mapHeader(walker.compact, step, container.count + 1));
      pieces.range(container.bodyStart, miss.entriesEnd!);
      pieces.bytes(this.keyBytes(step));
      pieces.bytes(this.values.write(inner, step.value, compiled.spec));
      pieces.range(miss.entriesEnd!, bytes.length);
    } else {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `index ${step.index} is beyond the ${miss.container!.count} elements of the list`, {
        path: compiled.prefix(miss.step + 1),
      });
    }
    return pieces.finish(options);
  }

  /**
   * `bytes` trimmed to the fields named by `mask` (paths of field names; a path through a list,
   * set or map applies to every element or value). Required fields stay, so the result decodes.
   */
  project(bytes: Uint8Array, mask: readonly string[], options?: PieceOutputOptions): LinkBuffer | Uint8Array {
    if (!Array.isArray(mask)) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'project expects an array of field paths');
    const key = mask.join('\u0000');
    let compiled = this.compiledMasks.get(key);
    if (compiled === undefined) {
      compiled = compileMask(mask, this.compiler);
      if (this.compiledMasks.size < CACHE_LIMIT) this.compiledMasks.set(key, compiled);
    }
    checkInput(bytes, this.options.maxSize);
    const pieces = new Pieces(bytes);
    this.walker.load(bytes);
    try {
      const end = projectStruct(this.walker, pieces, 0, compiled, 1);
      if (end !== bytes.length) throw new HeddleError(ErrorCode.ERR_BAD_VALUE, `${bytes.length - end} bytes after the end of the struct`, { offset: end });
    } catch (error) {
      throw walkError(error, '');
    } finally {
      this.walker.load(EMPTY);
    }
    return pieces.finish(options);
  }

  /** The value at `hit`, the last step of `path`. */
  private readHit(bytes: Uint8Array, path: CompiledPath, hit: StepHit): unknown {
    const step = path.steps[path.steps.length - 1]!;
    return this.values.read(bytes, hit.start, hit.end, step.value, step.kind === 'field' ? hit.header!.type : undefined, path.spec);
  }

  /** The rest of `path` after its first field, found at `header` (value ending at `end`). */
  private continueFrom(bytes: Uint8Array, path: CompiledPath, header: FieldHeader, end: number): unknown {
    const first = path.steps[0] as PathStep & { kind: 'field' };
    if (!this.walker.matches(header.type, first.value)) return this.peek(bytes, path); // reports the mismatch as peek does
    if (path.steps.length === 1 && end < 0) end = this.walker.skipField(header.valueStart, header.type, 2);
    const hits: StepHit[] = [{ start: header.valueStart, end, header }];
    if (walk(this.walker, path.steps, 1, header.valueStart, hits, false, this.keyBytesFn) !== undefined) return undefined;
    return this.readHit(bytes, path, hits[hits.length - 1]!);
  }

  private removeField(bytes: Uint8Array, pieces: Pieces, header: FieldHeader, valueEnd: number): void {
    pieces.range(0, header.start);
    const next = this.walker.compact ? this.nextHeader(bytes, valueEnd, header.id) : undefined;
    if (next !== undefined) {
      pieces.bytes(fieldHeader(true, next.id, next.type, header.lastId));
      pieces.range(next.valueStart, bytes.length);
    } else pieces.range(valueEnd, bytes.length);
  }

  private nextHeader(bytes: Uint8Array, pos: number, lastId: number): FieldHeader | undefined {
    this.walker.load(bytes);
    try {
      return this.walker.header(pos, lastId);
    } finally {
      this.walker.load(EMPTY);
    }
  }

  private resolve(path: string | CompiledPath): CompiledPath {
    if (typeof path === 'string') return this.path(path);
    if (path instanceof CompiledPath && path.owner === this) return path;
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'a path must be a string or a path compiled by this codec');
  }

  /** A path's map key in the form the codec's encoder takes (i64 keys per the `i64` option). */
  private keyValue(step: PathStep & { kind: 'key' }): unknown {
    if (typeof step.key !== 'bigint') return step.key;
    const form = this.options.i64;
    return form === 'string' ? String(step.key) : form === 'number' ? Number(step.key) : step.key;
  }

  private readonly keyBytesFn = (step: PathStep & { kind: 'key' }): Uint8Array => this.keyBytes(step);

  private keyBytes(step: PathStep & { kind: 'key' }): Uint8Array {
    let bytes = this.keyBytesOf.get(step);
    if (bytes === undefined) {
      bytes = this.values.write(this.keyValue(step), step.keyType, step.text).slice();
      this.keyBytesOf.set(step, bytes);
    }
    return bytes;
  }
}

const EMPTY = new Uint8Array(0);
/** Numbers per field in {@link FIELD_INDEX} (kFieldIndexInts in src-native/codec/compact_field_index.h). */
const FIELD_INDEX_INTS = 5;
/** Where the native index of a peekMany goes: room for 64 top-level fields (more: walked in JavaScript). */
const FIELD_INDEX = new Int32Array(64 * FIELD_INDEX_INTS);
/**
 * Messages shorter than this are walked in JavaScript: the native call costs about what skipVarints'
 * does (~700 instructions), more than walking the headers of a small struct.
 */
const NATIVE_INDEX_MIN_BYTES = 256;
/** Not a Thrift field id (those are i16): marks a peekMany path whose first field was read. */
const FOUND = 0x10000;

function checkInput(bytes: Uint8Array, maxSize: number): void {
  if (!(bytes instanceof Uint8Array)) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'expected the message bytes as a Uint8Array');
  if (bytes.length > maxSize) throw new HeddleError(ErrorCode.ERR_SIZE_LIMIT, `size ${bytes.length} exceeds maxSize ${maxSize}`, { offset: 0 });
}

function isBool(step: PathStep): boolean {
  return step.value.type.kind === 'base' && step.value.type.name === 'bool';
}

/** The value to insert for step `from` of `path` when the steps after it are absent too: nested structs and maps around `value`. */
function materialize(path: CompiledPath, from: number, value: unknown, keyValue: (step: PathStep & { kind: 'key' }) => unknown): unknown {
  let inner = value;
  for (let i = path.steps.length - 1; i >= from; i--) {
    const step = path.steps[i]!;
    if (step.kind === 'field') inner = { [step.field.name]: inner };
    else if (step.kind === 'key') inner = new Map([[keyValue(step), inner]]);
    else throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `index ${step.index} cannot be created in an absent list`, { path: path.prefix(i + 1) });
  }
  return inner;
}

function mapHeader(compact: boolean, step: PathStep & { kind: 'key' }, count: number): Uint8Array {
  if (!compact) return Uint8Array.of(step.keyType.binary, step.value.binary, count >>> 24, (count >> 16) & 0xff, (count >> 8) & 0xff, count & 0xff);
  const out = new Uint8Array(6);
  const end = writeVarint32(out, 0, count);
  out[end] = (step.keyType.compact << 4) | step.value.compact;
  return out.subarray(0, end + 1);
}
