/**
 * Partial reads and writes on raw Protobuf bytes for one codec: `path`, `peek`, `peekMany`,
 * `patch` and `project` (see docs/gateway.md, "Field paths on Protobuf bytes"). The codec builds
 * one of these on first use and forwards to it.
 *
 * Protobuf lets a field occur several times: a singular scalar's last occurrence wins, a singular
 * message's occurrences merge, repeated occurrences (packed or not) concatenate, a later map entry
 * replaces an earlier one with the same key, and a oneof member clears the members before it. The
 * walk follows those rules, so what peek returns is what decode would give.
 */
import type { LinkBuffer } from '../../buffer/link-buffer.js';
import { ErrorCode, HeddleError } from '../../errors.js';
import { asFault, CodecFault } from '../../protobuf/codegen/codec-fault.js';
import type { ResolvedCodecOptions } from '../../protobuf/codegen/codec-options.js';
import type { PieceOutputOptions } from './pieces.js';
import { CompiledProtoPath, LEN, type ProtoPathCompiler, type ProtoPathField, type ProtoPathMessage, type ProtoPathStep } from './proto-path-compile.js';
import { checkWire, entryKeyIs, entryKeyText, packedElementEnd, scanFields, varintBytes, type Occurrence, type Ranges } from './proto-wire-scan.js';
import { compileProtoMask, projectMessage, type ProtoMask } from './proto-project.js';
import { concatBytes, Parts } from './proto-parts.js';
import { NOT_DIRECT, readScalar } from './proto-read-scalar.js';

/** Most distinct text paths (and masks) a codec keeps compiled; beyond it, text forms compile on each use. */
const CACHE_LIMIT = 1024;

/** What a path leads to on the wire. */
type Found =
  /** Occurrences of a field, read together (the value of a field step). */
  | { kind: 'field'; owner: ProtoPathMessage; field: ProtoPathField; occurrences: Occurrence[] }
  /** One element of a repeated field. */
  | { kind: 'element'; owner: ProtoPathMessage; field: ProtoPathField; occurrence: Occurrence; start: number; end: number }
  /** One map entry. */
  | { kind: 'entry'; owner: ProtoPathMessage; field: ProtoPathField; occurrence: Occurrence };

export class ProtoPaths {
  private readonly compiledPaths = new Map<string, CompiledProtoPath>();
  private readonly compiledMasks = new Map<string, ProtoMask>();
  /** Encoded filler of each message type with required fields, prepended when decoding one field of it. */
  private readonly fillerBytes = new Map<ProtoPathMessage, Uint8Array>();

  constructor(
    private readonly compiler: ProtoPathCompiler,
    private readonly options: ResolvedCodecOptions,
    private readonly maxSize: number,
  ) {}

  /** Compiles `spec` (see docs/gateway.md for the syntax). */
  path(spec: string): CompiledProtoPath {
    let compiled = this.compiledPaths.get(spec);
    if (compiled === undefined) {
      compiled = this.compiler.compile(spec, this);
      if (this.compiledPaths.size < CACHE_LIMIT) this.compiledPaths.set(spec, compiled);
    }
    return compiled;
  }

  /** The value at `path` in `bytes` as decode would give it, or undefined when it is not on the wire. */
  peek(bytes: Uint8Array, path: string | CompiledProtoPath): unknown {
    const compiled = this.resolvePath(path);
    this.checkInput(bytes);
    try {
      const found = this.find(bytes, [0, bytes.length], compiled.steps, 0);
      return found === undefined ? undefined : this.read(bytes, found);
    } catch (error) {
      throw located(error, compiled.spec);
    }
  }

  /**
   * The values at `paths`, in order: the top-level message is scanned once for the first fields
   * of all of them, and each path continues from its field's occurrences.
   */
  peekMany(bytes: Uint8Array, paths: ReadonlyArray<string | CompiledProtoPath>): unknown[] {
    if (!Array.isArray(paths)) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'peekMany expects an array of paths');
    const compiled = paths.map((path) => this.resolvePath(path));
    this.checkInput(bytes);
    const wanted = new Set<number>();
    for (const path of compiled) {
      const first = path.steps[0] as ProtoPathStep & { kind: 'field' };
      wanted.add(first.field.number);
      for (const sibling of first.field.oneofSiblings) wanted.add(sibling);
    }
    const all: Occurrence[] = [];
    let current = '';
    try {
      scanFields(bytes, [0, bytes.length], this.options.maxDepth, (n) => wanted.has(n), all);
      return compiled.map((path) => {
        current = path.spec;
        const first = path.steps[0] as ProtoPathStep & { kind: 'field' };
        const found = this.continueFrom(bytes, path.steps, 0, first.owner, first.field, liveOccurrences(first.field, all));
        return found === undefined ? undefined : this.read(bytes, found);
      });
    } catch (error) {
      throw located(error, current);
    }
  }

  /**
   * `bytes` with the value at `path` replaced by `value` (inserted when absent, removed when
   * `value` is undefined): untouched ranges as views, new bytes for the value and for the length
   * prefixes of the messages around it, whose sizes change with it.
   */
  patch(bytes: Uint8Array, path: string | CompiledProtoPath, value: unknown, options?: PieceOutputOptions): LinkBuffer | Uint8Array {
    const compiled = this.resolvePath(path);
    this.checkInput(bytes);
    if (value === null) throw new HeddleError(ErrorCode.ERR_BAD_VALUE, 'null is not a value to patch in: patch a field to undefined to remove it', { path: compiled.spec });
    const parts = new Parts(bytes);
    try {
      this.patchMessage(bytes, [0, bytes.length], compiled, 0, value, parts, 1);
    } catch (error) {
      throw located(error, compiled.spec);
    }
    return parts.finish(options);
  }

  /**
   * `bytes` trimmed to the fields `mask` names (paths of field names; repeated message fields and
   * map values are crossed, `*` optional). Required fields and fields the schema does not know
   * stay, so the result decodes and unknown fields travel on.
   */
  project(bytes: Uint8Array, mask: readonly string[], options?: PieceOutputOptions): LinkBuffer | Uint8Array {
    if (!Array.isArray(mask)) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'project expects an array of field paths');
    const key = mask.join('\u0000');
    let compiled = this.compiledMasks.get(key);
    if (compiled === undefined) {
      compiled = compileProtoMask(mask, this.compiler);
      if (this.compiledMasks.size < CACHE_LIMIT) this.compiledMasks.set(key, compiled);
    }
    this.checkInput(bytes);
    const parts = new Parts(bytes);
    try {
      projectMessage(bytes, [0, bytes.length], compiled, parts, this.options.maxDepth);
    } catch (error) {
      throw located(error, '');
    }
    return parts.finish(options);
  }

  /** Where `steps[i]` (a field step) leads within the message read from `ranges`, or undefined when absent. */
  private find(bytes: Uint8Array, ranges: Ranges, steps: readonly ProtoPathStep[], i: number): Found | undefined {
    const step = steps[i] as ProtoPathStep & { kind: 'field' };
    const field = step.field;
    if (i + 1 > this.options.maxDepth) throw new CodecFault('ERR_DEPTH_LIMIT', 'maximum recursion depth reached', ranges[0]);
    const all: Occurrence[] = [];
    const siblings = field.oneofSiblings;
    scanFields(bytes, ranges, this.options.maxDepth - i, siblings.length === 0 ? (n) => n === field.number : (n) => n === field.number || siblings.includes(n), all);
    return this.continueFrom(bytes, steps, i, step.owner, field, liveOccurrences(field, all));
  }

  /** The rest of `steps` after field step `i`, whose live occurrences are `occurrences`. */
  private continueFrom(bytes: Uint8Array, steps: readonly ProtoPathStep[], i: number, owner: ProtoPathMessage, field: ProtoPathField, occurrences: Occurrence[]): Found | undefined {
    if (occurrences.length === 0) return undefined;
    for (const occurrence of occurrences) checkWire(field, occurrence);
    if (i === steps.length - 1) return { kind: 'field', owner, field, occurrences };
    const next = steps[i + 1]!;
    const depthLeft = this.options.maxDepth - i;
    if (next.kind === 'index') {
      const at = elementAt(bytes, field, occurrences, next.index);
      if (at === undefined) return undefined;
      if (i + 1 === steps.length - 1) return { kind: 'element', owner, field, ...at };
      return this.find(bytes, [at.start, at.end], steps, i + 2);
    }
    if (next.kind === 'key') {
      const matches = matchingEntries(bytes, field, occurrences, next, depthLeft);
      const entry = matches[matches.length - 1];
      if (entry === undefined) return undefined;
      if (i + 1 === steps.length - 1) return { kind: 'entry', owner, field, occurrence: entry };
      const values = entryValues(bytes, entry, depthLeft);
      return values.length === 0 ? undefined : this.find(bytes, payloadRanges(values), steps, i + 2);
    }
    return this.find(bytes, payloadRanges(occurrences), steps, i + 1);
  }

  /** Decodes what `found` points at with its owner message's codec, so the value is in decode's form. */
  private read(bytes: Uint8Array, found: Found): unknown {
    const { owner, field } = found;
    let raw: Uint8Array;
    if (found.kind === 'field') {
      const occurrences = found.occurrences;
      const direct = readScalar(bytes, field, occurrences[occurrences.length - 1]!, this.options);
      if (direct !== NOT_DIRECT) return direct;
      raw = occurrences.length === 1
        ? bytes.subarray(occurrences[0]!.tagStart, occurrences[0]!.end)
        : concatBytes(occurrences.map((o) => bytes.subarray(o.tagStart, o.end)));
    } else if (found.kind === 'element') {
      const occurrence = found.occurrence;
      raw = occurrence.wire === LEN && field.packable
        ? concatBytes([varintBytes(field.number * 8 + field.wire), bytes.subarray(found.start, found.end)])
        : bytes.subarray(occurrence.tagStart, occurrence.end);
    } else {
      raw = bytes.subarray(found.occurrence.tagStart, found.occurrence.end);
    }
    const filler = this.fillerOf(owner);
    if (filler.length > 0) raw = concatBytes([filler, raw]);
    const value = owner.codec().decode(raw)[field.prop];
    if (found.kind === 'element') return (value as ArrayLike<unknown>)[0];
    if (found.kind === 'entry') return Object.values(value as object)[0];
    return value;
  }

  /**
   * Appends to `parts` the message read from `ranges` with field step `i` of `path` set to
   * `value` (undefined: removed). Occurrences that the change makes dead (earlier occurrences of
   * a singular field, other oneof members) are dropped; everything else is kept as views.
   */
  private patchMessage(bytes: Uint8Array, ranges: Ranges, path: CompiledProtoPath, i: number, value: unknown, parts: Parts, depth: number): void {
    if (depth > this.options.maxDepth) throw new CodecFault('ERR_DEPTH_LIMIT', 'maximum recursion depth reached', ranges[0]);
    const steps = path.steps;
    const step = steps[i] as ProtoPathStep & { kind: 'field' };
    const { owner, field } = step;
    const siblings = field.oneofSiblings;
    const relevant: Occurrence[] = [];
    scanFields(bytes, ranges, this.options.maxDepth - depth + 1, (n) => n === field.number || siblings.includes(n), relevant);
    const live = liveOccurrences(field, relevant);
    for (const occurrence of live) checkWire(field, occurrence);
    const edits = new Edits();
    const last = i === steps.length - 1;
    const next = steps[i + 1];
    if (last || next!.kind === 'field') {
      let replacement: Parts | undefined;
      if (last) {
        if (value === undefined && field.required) throw new HeddleError(ErrorCode.ERR_REQUIRED_FIELD, `required field '${field.name}' cannot be removed`, { path: path.prefix(i + 1) });
        replacement = value === undefined ? undefined : this.fieldBytes(owner, field, value);
      } else if (live.length === 0) {
        if (value === undefined) return copyRanges(bytes, ranges, parts); // nothing there to remove
        replacement = this.fieldBytes(owner, field, this.materialize(path, i + 1, value));
      } else {
        const inner = new Parts(bytes);
        this.patchMessage(bytes, payloadRanges(live), path, i + 1, value, inner, depth + 1);
        replacement = lengthDelimited(bytes, live[live.length - 1]!, inner);
      }
      for (const occurrence of relevant) edits.remove(occurrence);
      if (replacement !== undefined) {
        if (live.length > 0) edits.insertAt(live[live.length - 1]!, replacement);
        else edits.insert(this.anchor(bytes, ranges, owner, field.number, depth), replacement);
      }
      return edits.apply(bytes, ranges, parts);
    }
    if (next!.kind === 'index') {
      const at = elementAt(bytes, field, live, next!.index);
      if (at === undefined) {
        const count = countElements(bytes, field, live);
        throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `index ${next!.index} is beyond the ${count} elements of the list`, { path: path.prefix(i + 2) });
      }
      const occurrence = at.occurrence;
      let replacement: Parts;
      if (i + 1 === steps.length - 1) {
        if (value === undefined) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'only fields and map entries can be removed by patching them to undefined', { path: path.spec });
        const encoded = this.fieldBytes(owner, field, [value]);
        if (occurrence.wire === LEN && field.packable) {
          const payload = new Parts(bytes);
          payload.view(bytes, occurrence.payloadStart, at.start);
          payload.append(packedPayload(encoded.join(), field));
          payload.view(bytes, at.end, occurrence.end);
          replacement = lengthDelimited(bytes, occurrence, payload);
        } else replacement = encoded;
      } else {
        const inner = new Parts(bytes);
        this.patchMessage(bytes, [at.start, at.end], path, i + 2, value, inner, depth + 1);
        replacement = lengthDelimited(bytes, occurrence, inner);
      }
      edits.remove(occurrence);
      edits.insertAt(occurrence, replacement);
      return edits.apply(bytes, ranges, parts);
    }
    // A map key.
    const key = (next as ProtoPathStep & { kind: 'key' }).key;
    const keyed = live.map((occurrence) => ({ occurrence, key: entryKeyText(bytes, occurrence.payloadStart, occurrence.end, field.mapKey!, this.options.maxDepth - depth) }));
    const matches = keyed.filter((entry) => entry.key === key).map((entry) => entry.occurrence);
    const target = matches[matches.length - 1];
    let replacement: Parts | undefined;
    if (i + 1 === steps.length - 1) {
      replacement = value === undefined ? undefined : this.fieldBytes(owner, field, { [key]: value });
    } else if (target === undefined) {
      if (value === undefined) return copyRanges(bytes, ranges, parts);
      replacement = this.fieldBytes(owner, field, { [key]: this.materialize(path, i + 2, value) });
    } else {
      const values = entryValues(bytes, target, this.options.maxDepth - depth);
      const inner = new Parts(bytes);
      this.patchMessage(bytes, payloadRanges(values), path, i + 2, value, inner, depth + 1);
      const entry = new Parts(bytes);
      const keys: Occurrence[] = [];
      scanFields(bytes, [target.payloadStart, target.end], this.options.maxDepth - depth, (n) => n === 1, keys);
      const keyField = keys[keys.length - 1];
      if (keyField !== undefined) entry.view(bytes, keyField.tagStart, keyField.end);
      entry.append(Uint8Array.of(2 * 8 + LEN));
      entry.append(varintBytes(inner.length));
      entry.take(inner);
      replacement = lengthDelimited(bytes, target, entry);
    }
    for (const occurrence of matches) edits.remove(occurrence);
    if (replacement !== undefined) {
      if (target !== undefined) edits.insertAt(target, replacement);
      else {
        const before = insertionPoint(keyed, key);
        if (before !== undefined) edits.insertAt(before, replacement);
        else if (live.length > 0) edits.insertAfter(live[live.length - 1]!, replacement);
        else edits.insert(this.anchor(bytes, ranges, owner, field.number, depth), replacement);
      }
    }
    edits.apply(bytes, ranges, parts);
  }

  /**
   * Where encode would write field `number` when it is absent: before the first field the schema
   * knows with a higher number, else after the last known field (unknown fields come last).
   */
  private anchor(bytes: Uint8Array, ranges: Ranges, owner: ProtoPathMessage, number: number, depth: number): { range: number; at: number } {
    const known: Occurrence[] = [];
    scanFields(bytes, ranges, this.options.maxDepth - depth + 1, (n) => owner.byNumber.has(n), known);
    const after = known.find((o) => o.number > number);
    if (after !== undefined) return { range: after.range, at: after.tagStart };
    const lastKnown = known[known.length - 1];
    if (lastKnown !== undefined) return { range: lastKnown.range, at: lastKnown.end };
    return { range: 0, at: ranges.length === 0 ? 0 : ranges[0]! };
  }

  /** The wire bytes of `field` set to `value`, written by the owner's encoder (a copy per call). */
  private fieldBytes(owner: ProtoPathMessage, field: ProtoPathField, value: unknown): Parts {
    const filler = owner.filler();
    const hasFiller = Object.keys(filler).length > 0;
    const encoded = owner.codec().encode(hasFiller ? { ...filler, [field.prop]: value } : { [field.prop]: value });
    const parts = new Parts(encoded);
    if (!hasFiller) {
      parts.append(encoded);
      return parts;
    }
    const own: Occurrence[] = [];
    scanFields(encoded, [0, encoded.length], this.options.maxDepth, (n) => n === field.number, own);
    for (const occurrence of own) parts.view(encoded, occurrence.tagStart, occurrence.end);
    return parts;
  }

  /** The value of step `from` of `path` when it and the steps after it are absent: nested messages and maps around `value`. */
  private materialize(path: CompiledProtoPath, from: number, value: unknown): unknown {
    let inner = value;
    for (let i = path.steps.length - 1; i >= from; i--) {
      const step = path.steps[i]!;
      if (step.kind === 'field') inner = { ...step.owner.filler(), [step.field.prop]: inner };
      else if (step.kind === 'key') inner = { [step.key]: inner };
      else throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `index ${step.index} cannot be created in an absent list`, { path: path.prefix(i + 1) });
    }
    return inner;
  }

  private fillerOf(owner: ProtoPathMessage): Uint8Array {
    let bytes = this.fillerBytes.get(owner);
    if (bytes === undefined) {
      const filler = owner.filler();
      bytes = Object.keys(filler).length === 0 ? EMPTY : owner.codec().encode(filler).slice();
      this.fillerBytes.set(owner, bytes);
    }
    return bytes;
  }

  private resolvePath(path: string | CompiledProtoPath): CompiledProtoPath {
    if (typeof path === 'string') return this.path(path);
    if (path instanceof CompiledProtoPath && path.owner === this) return path;
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'a path must be a string or a path compiled by this codec');
  }

  private checkInput(bytes: Uint8Array): void {
    if (!(bytes instanceof Uint8Array)) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'expected the message bytes as a Uint8Array');
    if (bytes.length > this.maxSize) throw new HeddleError(ErrorCode.ERR_SIZE_LIMIT, `size ${bytes.length} exceeds maxSize ${this.maxSize}`, { offset: 0 });
  }
}

const EMPTY = new Uint8Array(0);

/** The occurrences of `field` among `all` that count: those after the last occurrence of another member of its oneof. */
function liveOccurrences(field: ProtoPathField, all: Occurrence[]): Occurrence[] {
  let live: Occurrence[] = [];
  const siblings = field.oneofSiblings;
  for (const occurrence of all) {
    if (occurrence.number === field.number) live.push(occurrence);
    else if (siblings.length > 0 && siblings.includes(occurrence.number)) live = [];
  }
  return live;
}

function payloadRanges(occurrences: readonly Occurrence[]): number[] {
  const ranges: number[] = [];
  for (const occurrence of occurrences) ranges.push(occurrence.payloadStart, occurrence.end);
  return ranges;
}

/** Element `index` of a repeated field over all its occurrences, packed or not. */
function elementAt(bytes: Uint8Array, field: ProtoPathField, occurrences: readonly Occurrence[], index: number): { occurrence: Occurrence; start: number; end: number } | undefined {
  let seen = 0;
  for (const occurrence of occurrences) {
    if (occurrence.wire === LEN && field.packable) {
      let pos = occurrence.payloadStart;
      while (pos < occurrence.end) {
        const end = packedElementEnd(bytes, pos, occurrence.end, field.wire);
        if (seen++ === index) return { occurrence, start: pos, end };
        pos = end;
      }
    } else if (seen++ === index) {
      return { occurrence, start: occurrence.wire === LEN ? occurrence.payloadStart : occurrence.valueStart, end: occurrence.end };
    }
  }
  return undefined;
}

/** How many elements a repeated field has over all its occurrences (one pass: an error message must not cost a quadratic walk). */
function countElements(bytes: Uint8Array, field: ProtoPathField, occurrences: readonly Occurrence[]): number {
  let count = 0;
  for (const occurrence of occurrences) {
    if (occurrence.wire === LEN && field.packable) {
      for (let pos = occurrence.payloadStart; pos < occurrence.end; count++) pos = packedElementEnd(bytes, pos, occurrence.end, field.wire);
    } else count++;
  }
  return count;
}

/** The entries among `occurrences` (of a map field) whose key is `key`, in wire order. */
function matchingEntries(bytes: Uint8Array, field: ProtoPathField, occurrences: readonly Occurrence[], step: ProtoPathStep & { kind: 'key' }, depthLeft: number): Occurrence[] {
  const keyBytes = step.keyBytes;
  if (keyBytes !== undefined) return occurrences.filter((o) => entryKeyIs(bytes, o.payloadStart, o.end, keyBytes, depthLeft));
  return occurrences.filter((o) => entryKeyText(bytes, o.payloadStart, o.end, field.mapKey!, depthLeft) === step.key);
}

/** The value fields (number 2) of a map entry. */
function entryValues(bytes: Uint8Array, entry: Occurrence, depthLeft: number): Occurrence[] {
  const values: Occurrence[] = [];
  scanFields(bytes, [entry.payloadStart, entry.end], depthLeft, (n) => n === 2, values);
  for (const value of values) {
    if (value.wire !== LEN) throw new CodecFault('ERR_BAD_TYPE', `map value has wire type ${value.wire}, expected ${LEN}`, value.tagStart);
  }
  return values;
}

const INDEX_KEY = /^(0|[1-9]\d{0,9})$/;

/**
 * The entry a new key goes before, as decode + modify + encode orders a map: a JavaScript object
 * keeps array-index keys first, ascending, then other keys in insertion order (a new one last).
 */
function insertionPoint(entries: ReadonlyArray<{ occurrence: Occurrence; key: string }>, key: string): Occurrence | undefined {
  if (!INDEX_KEY.test(key) || Number(key) > 4294967294) return undefined;
  const value = Number(key);
  for (const entry of entries) {
    const isIndex = INDEX_KEY.test(entry.key) && Number(entry.key) <= 4294967294;
    if (!isIndex || Number(entry.key) > value) return entry.occurrence;
  }
  return undefined;
}

/** `occurrence`'s tag (as it was) with a new length prefix and `payload`. */
function lengthDelimited(bytes: Uint8Array, occurrence: Occurrence, payload: Parts): Parts {
  const out = new Parts(bytes);
  out.view(bytes, occurrence.tagStart, occurrence.valueStart);
  out.append(varintBytes(payload.length));
  out.take(payload);
  return out;
}

/** The packed payload of one element from encoded field bytes (tag, length, element; or tag, element when written unpacked). */
function packedPayload(encoded: Uint8Array, field: ProtoPathField): Uint8Array {
  const own: Occurrence[] = [];
  scanFields(encoded, [0, encoded.length], 1, (n) => n === field.number, own);
  const occurrence = own[0]!;
  return encoded.subarray(occurrence.wire === LEN ? occurrence.payloadStart : occurrence.valueStart, occurrence.end);
}

function copyRanges(bytes: Uint8Array, ranges: Ranges, parts: Parts): void {
  for (let r = 0; r < ranges.length; r += 2) parts.view(bytes, ranges[r]!, ranges[r + 1]!);
}

/** Removals and insertions in a message read from ranges, applied in wire order. */
class Edits {
  private readonly list: Array<{ range: number; start: number; end: number; order: number; parts: Parts | undefined }> = [];

  remove(occurrence: Occurrence): void {
    this.list.push({ range: occurrence.range, start: occurrence.tagStart, end: occurrence.end, order: 1, parts: undefined });
  }

  /** Inserts before `occurrence` (which may also be removed). */
  insertAt(occurrence: Occurrence, parts: Parts): void {
    this.list.push({ range: occurrence.range, start: occurrence.tagStart, end: occurrence.tagStart, order: 0, parts });
  }

  insertAfter(occurrence: Occurrence, parts: Parts): void {
    this.list.push({ range: occurrence.range, start: occurrence.end, end: occurrence.end, order: 0, parts });
  }

  insert(where: { range: number; at: number }, parts: Parts): void {
    this.list.push({ range: where.range, start: where.at, end: where.at, order: 0, parts });
  }

  apply(bytes: Uint8Array, ranges: Ranges, out: Parts): void {
    const list = this.list;
    if (list.length > 1) list.sort((a, b) => a.range - b.range || a.start - b.start || a.order - b.order);
    let e = 0;
    // With no ranges (a message with no bytes yet), insertions land in range 0.
    const rangeCount = Math.max(1, ranges.length / 2);
    for (let r = 0; r < rangeCount; r++) {
      let pos = ranges.length === 0 ? 0 : ranges[2 * r]!;
      const end = ranges.length === 0 ? 0 : ranges[2 * r + 1]!;
      for (; e < list.length && list[e]!.range === r; e++) {
        const edit = list[e]!;
        out.view(bytes, pos, edit.start);
        if (edit.parts !== undefined) out.take(edit.parts);
        pos = Math.max(pos, edit.end);
      }
      out.view(bytes, pos, end);
    }
  }
}

/** A HeddleError with `path` (and the offset of a codec fault) for whatever a walk threw. */
function located(error: unknown, path: string): unknown {
  // An encoder's or decoder's own HeddleError already names the field inside the value.
  if (error instanceof HeddleError && error.path !== undefined) return error;
  const fault = asFault(error);
  const options: { path: string; offset?: number; cause?: unknown } = { path };
  if (fault.offset !== undefined) options.offset = fault.offset;
  if (fault.cause !== undefined) options.cause = fault.cause;
  return new HeddleError(fault.code, fault.detail, options);
}
