/**
 * Finding a path's value in Thrift Binary or Compact bytes without decoding anything else: struct
 * fields are scanned header by header and skipped by wire type, list elements of fixed width are
 * jumped over in one step, map keys are compared as wire bytes.
 *
 * Skipping (fast-skip.ts) checks every length and count against the bytes that remain and nesting
 * against maxDepth: hostile input fails with a byte offset, never loops or allocates.
 */
import { ErrorCode, HeddleError } from '../../errors.js';
import { badLength, badType, CodecFailure, truncated } from '../../thrift/runtime/codec-failure.js';
import { ReadState } from '../../thrift/runtime/read-state.js';
import { skipBinaryValue, skipCompactValue } from './fast-skip.js';
import { readVarint32, readZigzag32, writeVarint32 } from '../../thrift/runtime/varint.js';
import { BINARY_MIN_SIZE, COMPACT_MIN_SIZE, CompactType } from '../../thrift/wire-types.js';
import type { PathStep, StructLayout, WireType } from './compile-path.js';

const BINARY_WIDTH: Readonly<Record<number, number>> = { 2: 1, 3: 1, 4: 8, 6: 2, 8: 4, 10: 8, 16: 16 };

/** A field header as read: where it starts, its type, id and where its value starts. */
export interface FieldHeader {
  start: number;
  /** Binary type id, or the Compact type nibble (bool fields: 1 true, 2 false). */
  type: number;
  id: number;
  valueStart: number;
  /** Compact: the id the header's delta counts from (the previous field's id, 0 first). */
  lastId: number;
}

/** Where a struct field is, or where it would go. */
export interface FieldSearch {
  found: FieldHeader | undefined;
  /** End of the found field's value. */
  valueEnd: number;
  /** For an absent field: the header it goes before (a later-ranked field) or the STOP byte. */
  insertAt: number;
  /** Compact: the id of the field before `insertAt` (0 at the start). */
  insertLastId: number;
  /** The header at `insertAt` (absent) or right after the found field, when it is a field; else undefined (STOP). */
  next: FieldHeader | undefined;
}

/** A container's header: where its elements (or entries) start, its count and element types. */
export interface ContainerHeader {
  start: number;
  count: number;
  bodyStart: number;
}

/** One protocol's walking primitives over one input. */
export class WireWalker {
  readonly r = new ReadState(new Uint8Array(0), 0, 0);

  constructor(
    readonly compact: boolean,
    readonly maxDepth: number,
  ) {}

  load(bytes: Uint8Array): void {
    this.r.reset(bytes, 0, bytes.length);
  }

  /** The last header {@link readHeader} read: type, id and where its value starts. */
  headerType = 0;
  headerId = 0;
  headerEnd = 0;

  /**
   * Reads the field header at `pos` (`lastId`: the previous field's id, for Compact deltas) into
   * headerType/headerId/headerEnd, without allocating; false at the STOP byte.
   */
  readHeader(pos: number, lastId: number): boolean {
    const r = this.r;
    const buf = r.buf;
    if (pos >= r.end) throw truncated(pos, 'a field header');
    const first = buf[pos]!;
    if (first === 0) return false;
    if (!this.compact) {
      if (pos + 3 > r.end) throw truncated(pos, 'a field header');
      this.headerType = first;
      this.headerId = ((buf[pos + 1]! << 24) | (buf[pos + 2]! << 16)) >> 16;
      this.headerEnd = pos + 3;
      return true;
    }
    const delta = first >> 4;
    this.headerType = first & 0x0f;
    if (delta !== 0) {
      this.headerId = lastId + delta;
      this.headerEnd = pos + 1;
    } else {
      this.headerId = readZigzag32(r, pos + 1);
      this.headerEnd = r.pos;
    }
    return true;
  }

  /** The field header at `pos` as an object (see {@link readHeader}); undefined at STOP. */
  header(pos: number, lastId: number): FieldHeader | undefined {
    if (!this.readHeader(pos, lastId)) return undefined;
    return { start: pos, type: this.headerType, id: this.headerId, valueStart: this.headerEnd, lastId };
  }

  /** The end of the field value at `pos` with header type `type`, `depth` levels deep. */
  skipField(pos: number, type: number, depth: number): number {
    if (!this.compact) return skipBinaryValue(this.r.buf, pos, this.r.end, type, depth, this.maxDepth);
    // A Compact bool field's value is in its header.
    return type === CompactType.BOOLEAN_TRUE || type === CompactType.BOOLEAN_FALSE ? pos : skipCompactValue(this.r.buf, pos, this.r.end, type, depth, this.maxDepth);
  }

  /** The end of the element or map key/value at `pos` of wire type `type`. */
  skipElement(pos: number, type: number, depth: number): number {
    return this.compact ? skipCompactValue(this.r.buf, pos, this.r.end, type, depth, this.maxDepth) : skipBinaryValue(this.r.buf, pos, this.r.end, type, depth, this.maxDepth);
  }

  /** True when a header of type `type` carries a value of `want`. */
  matches(type: number, want: WireType): boolean {
    if (!this.compact) return type === want.binary;
    return type === want.compact || (want.compact === CompactType.BOOLEAN_TRUE && type === CompactType.BOOLEAN_FALSE);
  }

  /**
   * Looks for field `id` of a struct starting at `pos`. With `full`, an absent field's insertion
   * point (before the first field `layout` ranks after it) and the header after a found one are
   * filled in; without, the scan stops at the field.
   */
  findField(pos: number, layout: StructLayout, id: number, depth: number, full: boolean, needEnd: boolean): FieldSearch {
    const rank = layout.rank.get(id)!;
    let lastId = 0;
    let insertAt = -1;
    let insertLastId = 0;
    let insertHeader: FieldHeader | undefined;
    for (;;) {
      if (!this.readHeader(pos, lastId)) {
        if (insertAt < 0) return { found: undefined, valueEnd: -1, insertAt: pos, insertLastId: lastId, next: undefined };
        return { found: undefined, valueEnd: -1, insertAt, insertLastId, next: insertHeader };
      }
      const headerId = this.headerId;
      if (headerId === id) {
        const header: FieldHeader = { start: pos, type: this.headerType, id, valueStart: this.headerEnd, lastId };
        // A path that goes on into the value does not need its end: skipping it would cost as much as the value is long.
        if (!full && !needEnd) return { found: header, valueEnd: -1, insertAt: pos, insertLastId: lastId, next: undefined };
        const valueEnd = this.skipField(header.valueStart, header.type, depth + 1);
        const next = full ? this.header(valueEnd, id) : undefined;
        return { found: header, valueEnd, insertAt: pos, insertLastId: lastId, next };
      }
      if (full && insertAt < 0) {
        const other = layout.rank.get(headerId);
        if (other !== undefined && other > rank) {
          insertAt = pos;
          insertLastId = lastId;
          insertHeader = { start: pos, type: this.headerType, id: headerId, valueStart: this.headerEnd, lastId };
        }
      }
      pos = this.skipField(this.headerEnd, this.headerType, depth + 1);
      lastId = headerId;
    }
  }

  /** Reads a list or set header at `pos` whose elements should be of `element`'s type. */
  listHeader(pos: number, element: WireType): ContainerHeader {
    const r = this.r;
    let count: number;
    let type: number;
    let bodyStart: number;
    if (!this.compact) {
      if (pos + 5 > r.end) throw truncated(pos, 'a list header');
      type = r.buf[pos]!;
      count = (r.buf[pos + 1]! << 24) | (r.buf[pos + 2]! << 16) | (r.buf[pos + 3]! << 8) | r.buf[pos + 4]!;
      bodyStart = pos + 5;
    } else {
      if (pos >= r.end) throw truncated(pos, 'a list header');
      type = r.buf[pos]! & 0x0f;
      count = r.buf[pos]! >> 4;
      bodyStart = pos + 1;
      if (count === 15) {
        count = readVarint32(r, pos + 1);
        bodyStart = r.pos;
      }
    }
    if (count !== 0 && !this.matches(type, element)) throw badType(pos, `list element type ${type} is not the schema's`);
    this.checkCount(pos, bodyStart, count, (this.compact ? COMPACT_MIN_SIZE : BINARY_MIN_SIZE)[type] ?? 1, 'list size');
    return { start: pos, count, bodyStart };
  }

  /** Reads a map header at `pos` whose keys and values should be of the given types. */
  mapHeader(pos: number, key: WireType, value: WireType): ContainerHeader {
    const r = this.r;
    let count: number;
    let bodyStart: number;
    let keyType: number;
    let valueType: number;
    if (!this.compact) {
      if (pos + 6 > r.end) throw truncated(pos, 'a map header');
      keyType = r.buf[pos]!;
      valueType = r.buf[pos + 1]!;
      count = (r.buf[pos + 2]! << 24) | (r.buf[pos + 3]! << 16) | (r.buf[pos + 4]! << 8) | r.buf[pos + 5]!;
      bodyStart = pos + 6;
    } else {
      count = readVarint32(r, pos);
      bodyStart = r.pos;
      if (count === 0) return { start: pos, count, bodyStart };
      if (bodyStart >= r.end) throw truncated(bodyStart, 'map key and value types');
      keyType = r.buf[bodyStart]! >> 4;
      valueType = r.buf[bodyStart]! & 0x0f;
      bodyStart++;
    }
    if (count !== 0 && !(this.matches(keyType, key) && this.matches(valueType, value))) throw badType(pos, 'map key or value type is not the schema\'s');
    const min = this.compact ? COMPACT_MIN_SIZE : BINARY_MIN_SIZE;
    this.checkCount(pos, bodyStart, count, (min[keyType] ?? 1) + (min[valueType] ?? 1), 'map size');
    return { start: pos, count, bodyStart };
  }

  /** Skips `count` elements of `element`'s type from `pos`; fixed-width Binary elements in one jump. */
  skipElements(pos: number, count: number, element: WireType, depth: number): number {
    if (!this.compact) {
      const width = BINARY_WIDTH[element.binary];
      if (width !== undefined) {
        if (count * width > this.r.end - pos) throw truncated(pos, `${count} elements`);
        return pos + count * width;
      }
    } else if (element.compact === CompactType.DOUBLE || element.compact === CompactType.UUID) {
      const width = element.compact === CompactType.DOUBLE ? 8 : 16;
      if (count * width > this.r.end - pos) throw truncated(pos, `${count} elements`);
      return pos + count * width;
    }
    const type = this.compact ? element.compact : element.binary;
    for (let i = 0; i < count; i++) pos = this.skipElement(pos, type, depth);
    return pos;
  }

  private checkCount(at: number, pos: number, count: number, minSize: number, what: string): void {
    if (count < 0 || count * minSize > this.r.end - pos) throw badLength(at, what, count, this.r.end - pos);
  }
}

/** Where one step of a path landed. */
export interface StepHit {
  /** The value's span; `end` is -1 for steps a read goes on from (only the last value's end is needed). */
  start: number;
  end: number;
  /** The field header (field steps). */
  header?: FieldHeader;
  /** The enclosing container's header (index and key steps). */
  container?: ContainerHeader;
}

/** Where a path ran out: the step that missed and what patching needs to insert there. */
export interface PathMiss {
  step: number;
  /** The struct search (field steps). */
  field?: FieldSearch;
  /** The container header and the end of its entries (key and index steps). */
  container?: ContainerHeader;
  entriesEnd?: number;
}

/**
 * Follows `steps` (from index `from`) starting at the value at `pos`: `hits` gets one entry per step found; the result is
 * undefined when every step was found, else where it stopped. With `full`, field misses and hits
 * carry what patching needs (see {@link WireWalker.findField}).
 */
export function walk(
  walker: WireWalker,
  steps: readonly PathStep[],
  from: number,
  pos: number,
  hits: StepHit[],
  full: boolean,
  keyBytes: (step: PathStep & { kind: 'key' }) => Uint8Array,
): PathMiss | undefined {
  let depth = 1 + from;
  for (let i = from; i < steps.length; i++) {
    const step = steps[i]!;
    const last = i === steps.length - 1;
    switch (step.kind) {
      case 'field': {
        const search = walker.findField(pos, step.owner, step.field.id, depth, full, last);
        const header = search.found;
        if (header === undefined) return { step: i, field: search };
        if (!walker.matches(header.type, step.value)) throw badType(header.start, `field ${step.field.name} has wire type ${header.type}, not the schema's`);
        hits.push({ start: header.valueStart, end: search.valueEnd, header });
        pos = header.valueStart;
        break;
      }
      case 'index': {
        const container = walker.listHeader(pos, step.value);
        if (step.index >= container.count) return { step: i, container };
        const start = walker.skipElements(container.bodyStart, step.index, step.value, depth + 1);
        const end = last || full ? walker.skipElements(start, 1, step.value, depth + 1) : -1;
        hits.push({ start, end, container });
        pos = start;
        break;
      }
      case 'key': {
        const container = walker.mapHeader(pos, step.keyType, step.value);
        const wanted = keyBytes(step);
        const keyType = walker.compact ? step.keyType.compact : step.keyType.binary;
        const valueType = walker.compact ? step.value.compact : step.value.binary;
        const buf = walker.r.buf;
        let at = container.bodyStart;
        let hit: StepHit | undefined;
        for (let n = 0; n < container.count; n++) {
          const keyEnd = walker.skipElement(at, keyType, depth + 1);
          const match = keyEnd - at === wanted.length && sameBytes(buf, at, wanted);
          const valueEnd = !match || last || full ? walker.skipElement(keyEnd, valueType, depth + 1) : -1;
          if (match) {
            hit = { start: keyEnd, end: valueEnd, container };
            break;
          }
          at = valueEnd;
        }
        if (hit === undefined) return { step: i, container, entriesEnd: at };
        hits.push(hit);
        pos = hit.start;
        break;
      }
    }
    depth++;
  }
  return undefined;
}

function sameBytes(buf: Uint8Array, at: number, wanted: Uint8Array): boolean {
  for (let i = 0; i < wanted.length; i++) if (buf[at + i] !== wanted[i]) return false;
  return true;
}

/** A HeddleError for a failure met while following `path` (the spec text up to the failing step). */
export function walkError(error: unknown, path: string): unknown {
  if (error instanceof CodecFailure) return new HeddleError(error.code, error.message, { offset: error.offset, path, cause: error.cause });
  if (error instanceof RangeError) return new HeddleError(ErrorCode.ERR_SIZE_LIMIT, error.message, { path, cause: error });
  return error;
}

/** A field header: Binary type and i16 id; Compact delta form when 0 < id - lastId <= 15, else type byte and zigzag id. */
export function fieldHeader(compact: boolean, id: number, type: number, lastId: number): Uint8Array {
  if (!compact) return Uint8Array.of(type, (id >> 8) & 0xff, id & 0xff);
  if (id > lastId && id - lastId <= 15) return Uint8Array.of(((id - lastId) << 4) | type);
  const out = new Uint8Array(6);
  out[0] = type;
  const end = writeVarint32(out, 1, (id << 1) ^ (id >> 31));
  return out.subarray(0, end);
}

