/**
 * The deepest `maxDepth` the native transcoders take (kMaxNativeDepth in thrift_json.h): they
 * recurse on the C++ stack. A codec allowing deeper nesting runs the TypeScript twin.
 */
export const NATIVE_MAX_DEPTH = 1000;

/**
 * The descriptor table in the flat form the native transcoder reads (src-native/codec/
 * thrift_json.cc, ParseTable), built once per codec: an Int32Array of numbers and a Uint8Array
 * of the names and IDL-default wire bytes they point into.
 *
 * ints: [magic, compact, maxDepth, maxSize, typeCount, structCount,
 *        typeCount × (kind, wire, compact, a, b),           a: element, map key or struct index; b: map value
 *        per struct: (nameOff, nameLen, isUnion, needsEndCheck, fieldCount,
 *                     fieldCount × (id, type, requiredness, jsonOff, jsonLen, nameOff, nameLen, keyOff, keyLen,
 *                                   defaultState, defaultOff, defaultLen, defaultBoolCtype))]
 * requiredness: 0 default, 1 required, 2 optional.
 * defaultState: 0 none, 1 the wire bytes at defaultOff, 2 writing the default throws (optional
 * fields' defaults included: the fill options of fromJSON write them).
 * Struct 0 is the root.
 */
import { CompactType } from '../../thrift/wire-types.js';
import { ByteSink } from '../byte-sink.js';
import { Numbering, TextPool } from '../table-numbering.js';
import { constInt, writeConst } from './default-value.js';
import { Kind, type StructDesc, type TypeDesc } from './descriptor.js';
import type { TranscodeLimits } from './from-json.js';

const TABLE_MAGIC = 0x544a5332;

export interface SerializedTable {
  ints: Int32Array;
  bytes: Uint8Array;
}

export function serializeTable(root: StructDesc, limits: TranscodeLimits): SerializedTable {
  const structs = new Numbering<StructDesc>();
  const types = new Numbering<TypeDesc>();
  structs.of(root);
  // Number every type and struct reachable from the root, breadth first.
  for (let s = 0; s < structs.items.length; s++) {
    for (const f of structs.items[s]!.fields) {
      const pending = [f.type];
      while (pending.length > 0) {
        const t = pending.pop()!;
        if (types.has(t)) continue;
        types.of(t);
        if (t.elem !== undefined) pending.push(t.elem);
        if (t.key !== undefined) pending.push(t.key);
        if (t.value !== undefined) pending.push(t.value);
        if (t.struct !== undefined) structs.of(t.struct);
      }
    }
  }

  const pool = new TextPool();
  const text = (s: string | Uint8Array) => pool.text(s);
  const ints: number[] = [TABLE_MAGIC, limits.compact ? 1 : 0, limits.maxDepth, Math.min(limits.maxSize, 0x7fffffff), types.items.length, structs.items.length];
  for (const t of types.items) {
    const a = t.elem !== undefined ? types.of(t.elem) : t.key !== undefined ? types.of(t.key) : t.struct !== undefined ? structs.of(t.struct) : 0;
    const b = t.value !== undefined ? types.of(t.value) : 0;
    ints.push(t.kind, t.wire, t.compact, a, b);
  }
  const defaultSink = new ByteSink();
  for (const s of structs.items) {
    ints.push(...text(s.name), s.isUnion ? 1 : 0, s.needsEndCheck ? 1 : 0, s.fields.length);
    for (const f of s.fields) {
      ints.push(f.id, types.of(f.type), f.required ? 1 : f.optional ? 2 : 0, ...text(f.jsonNameBytes), ...text(f.name), ...text(f.keyBytes));
      let state = 0;
      let wire: [number, number] = [0, 0];
      let boolCtype = 0;
      if (f.default !== undefined) {
        state = 1;
        if (f.type.kind === Kind.BOOL && limits.compact) {
          boolCtype = constInt(f.default) !== 0n ? CompactType.BOOLEAN_TRUE : CompactType.BOOLEAN_FALSE;
        } else {
          defaultSink.pos = 0;
          try {
            writeConst(defaultSink, f.type, f.default, limits.compact);
            wire = text(defaultSink.buf.subarray(0, defaultSink.pos));
          } catch {
            state = 2;
          }
        }
      }
      ints.push(state, ...wire, boolCtype);
    }
  }
  return { ints: Int32Array.from(ints), bytes: pool.bytes() };
}
