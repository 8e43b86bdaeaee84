/**
 * The ProtoJSON descriptor tables in the flat form the native transcoder reads
 * (src-native/codec/proto_json_table.cc, ParseTable), built once per codec from the root message
 * and every message and enum reachable from it: an Int32Array of numbers and a Uint8Array of the
 * names they point into.
 *
 * ints: [magic, maxDepth, maxSize, messageCount, enumCount,
 *        per enum: (nameOff, nameLen, closed, isNullValue, valueCount, valueCount × (nameOff, nameLen, number)),
 *        per message: (nameOff, nameLen, wkt (9: the twin's), hasRequired, oneofCount, fieldCount,
 *                      fieldCount × (number, flags, oneof, nameOff, nameLen, jsonOff, jsonLen, keyOff, keyLen,
 *                                    value, mapKey, mapValue))]
 * value, mapKey, mapValue: (kind, wire, enumIndex, messageIndex), -1 for an index that does not apply.
 * flags: 1 repeated, 2 packed, 4 implicit presence, 8 required, 16 map. Message 0 is the root.
 */
import { Numbering, TextPool } from '../table-numbering.js';
import { PKind, type PEnum, type PField, type PMessage } from './descriptor.js';
import type { ProtoJsonLimits } from './from-json.js';

/** The deepest `maxDepth` the native transcoder takes (kMaxNativeDepth in proto_json.h). */
export const NATIVE_MAX_DEPTH = 1000;

const TABLE_MAGIC = 0x504a5331;

const enum Flag { REPEATED = 1, PACKED = 2, IMPLICIT = 4, REQUIRED = 8, MAP = 16 }

/**
 * The `wkt` code (kTwinOnly in proto_json.h) of a message the native transcoder hands back to the
 * twin, as it does Any: one the root knows extensions of, whose "[full.name]" members and their
 * order after the fields only the twin writes.
 */
const TWIN_ONLY = 9;

export interface SerializedProtoTable {
  ints: Int32Array;
  bytes: Uint8Array;
}

export function serializeProtoTable(root: PMessage, limits: ProtoJsonLimits): SerializedProtoTable {
  const messages = new Numbering<PMessage>();
  const enums = new Numbering<PEnum>();
  const pool = new TextPool();
  const text = (s: string | Uint8Array) => pool.text(s);
  const shape = (f: PField | undefined): number[] => {
    if (f === undefined) return [PKind.MESSAGE, 2, -1, -1];
    const enumAt = f.enumType === undefined ? -1 : enums.of(f.enumType);
    const messageAt = f.message === undefined ? -1 : messages.of(f.message());
    return [f.kind, f.wire, enumAt, messageAt];
  };

  messages.of(root);
  // Messages are numbered as they are reached; enums likewise, written after the walk.
  const messageInts: number[] = [];
  for (let m = 0; m < messages.items.length; m++) {
    const desc = messages.items[m]!;
    const wkt = desc.extensionStart < desc.fields.length ? TWIN_ONLY : desc.wkt;
    messageInts.push(...text(desc.fullName), wkt, desc.hasRequired ? 1 : 0, desc.oneofCount, desc.fields.length);
    for (const f of desc.fields) {
      const isMap = f.mapKey !== undefined;
      const flags = (f.repeated ? Flag.REPEATED : 0) | (f.packed ? Flag.PACKED : 0) | (f.implicit ? Flag.IMPLICIT : 0) |
        (f.required ? Flag.REQUIRED : 0) | (isMap ? Flag.MAP : 0);
      messageInts.push(f.number, flags, f.oneof, ...text(f.name), ...text(f.jsonName), ...text(f.jsonKey));
      messageInts.push(...(isMap ? shape(undefined) : shape(f)), ...(isMap ? shape(f.mapKey) : shape(undefined)), ...(isMap ? shape(f.mapValue) : shape(undefined)));
    }
  }
  const enumInts: number[] = [];
  for (const e of enums.items) {
    enumInts.push(...text(e.fullName), e.closed ? 1 : 0, e.isNullValue ? 1 : 0, e.numbers.size);
    for (const [name, number] of e.numbers) enumInts.push(...text(name), number);
  }
  const ints = [TABLE_MAGIC, limits.maxDepth, Math.min(limits.maxSize, 0x7fffffff), messages.items.length, enums.items.length, ...enumInts, ...messageInts];
  return { ints: Int32Array.from(ints), bytes: pool.bytes() };
}
