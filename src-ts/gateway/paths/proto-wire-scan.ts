/**
 * Walking Protobuf wire bytes for field paths: the fields of a message (or of several ranges read
 * as one message, which is how Protobuf merges repeated occurrences of a message field), packed
 * elements, and map entry keys. Malformed bytes raise the codecs' CodecFault with the offset.
 */
import { CodecFault } from '../../protobuf/codegen/codec-fault.js';
import { cursor, readLength, readStringLenient, readTag, skipField, truncated } from '../../protobuf/codegen/wire-read.js';
import type { ScalarType } from '../../protobuf/descriptor/type-info.js';
import { I32, I64, LEN, scalarWire, VARINT, type ProtoPathField } from './proto-path-compile.js';

/** One field occurrence on the wire. */
export interface Occurrence {
  /** Which of the scanned ranges it is in. */
  readonly range: number;
  readonly number: number;
  readonly wire: number;
  readonly tagStart: number;
  readonly valueStart: number;
  /** For LEN fields, where the payload starts (after the length prefix); else valueStart. */
  readonly payloadStart: number;
  readonly end: number;
}

/** A list of message ranges, `[start0, end0, start1, end1, ...]`, read one after the other. */
export type Ranges = readonly number[];

/**
 * Appends the occurrences of the fields `wanted` accepts in `ranges` to `into`, in wire order.
 * Every field on the way is skipped by its wire type, so bad framing anywhere is reported.
 */
export function scanFields(buf: Uint8Array, ranges: Ranges, depthLeft: number, wanted: (number: number) => boolean, into: Occurrence[]): void {
  for (let r = 0; r < ranges.length; r += 2) {
    let pos = ranges[r]!;
    const end = ranges[r + 1]!;
    while (pos < end) {
      const tagStart = pos;
      // One-byte tags (field numbers up to 15) and lengths under 128 are read inline: a scan
      // crosses every field of the message, and most have both.
      let tag = buf[pos]!;
      let valueStart = pos + 1;
      if (tag >= 0x80 || tag < 8) {
        tag = readTag(buf, pos, end);
        valueStart = cursor.pos;
      }
      const wire = tag & 7;
      let payloadStart = valueStart;
      let next: number;
      if (wire === LEN) {
        let length = buf[valueStart];
        payloadStart = valueStart + 1;
        if (length === undefined || valueStart >= end) throw truncated(tagStart);
        if (length >= 0x80) {
          length = readLength(buf, valueStart);
          payloadStart = cursor.pos;
        }
        if (!(length <= end - payloadStart)) throw truncated(tagStart);
        next = payloadStart + length;
      } else if (wire === VARINT && valueStart < end && buf[valueStart]! < 0x80) {
        next = valueStart + 1;
      } else {
        next = skipField(buf, valueStart, end, tag, depthLeft, tagStart);
      }
      const number = tag >>> 3;
      if (wanted(number)) into.push({ range: r >> 1, number, wire, tagStart, valueStart, payloadStart, end: next });
      pos = next;
    }
  }
}

/** Checks that `occurrence` has a wire type `field` can have (its own, or packed). */
export function checkWire(field: ProtoPathField, occurrence: Occurrence): void {
  if (occurrence.wire === field.wire || (field.packable && occurrence.wire === LEN)) return;
  throw new CodecFault('ERR_BAD_TYPE', `field ${field.name} (${field.number}) has wire type ${occurrence.wire}, expected ${field.wire}`, occurrence.tagStart);
}

/** The end of the element of wire type `wire` starting at `pos` in a packed run ending at `end`. */
export function packedElementEnd(buf: Uint8Array, pos: number, end: number, wire: number): number {
  if (wire === I32) return pos + 4 <= end ? pos + 4 : fail(pos);
  if (wire === I64) return pos + 8 <= end ? pos + 8 : fail(pos);
  const start = pos;
  while (pos < end) {
    if (buf[pos++]! < 0x80) return pos;
    if (pos - start === 10) throw new CodecFault('ERR_BAD_VALUE', 'varint longer than 10 bytes', start);
  }
  return fail(start);
}

function fail(offset: number): never {
  throw truncated(offset);
}

/**
 * The key of the map entry whose payload is `[start, end)`, in the text form the codecs use as a
 * property name (integers in decimal, bools as `true`/`false`); the last key field wins, and a
 * missing key is the key type's zero.
 */
export function entryKeyText(buf: Uint8Array, start: number, end: number, scalar: ScalarType, depthLeft: number): string {
  const key = lastKeyField(buf, start, end, depthLeft);
  if (key === undefined) return scalar === 'string' ? '' : scalar === 'bool' ? 'false' : '0';
  if (key.wire !== scalarWire(scalar)) throw new CodecFault('ERR_BAD_TYPE', `map key has wire type ${key.wire}, expected ${scalarWire(scalar)}`, key.tagStart);
  // As the codecs read the key: a leading U+FEFF stays part of it.
  if (scalar === 'string') return readStringLenient(buf, key.payloadStart, key.end);
  const bits = key.wire === VARINT ? varintBits(buf, key.valueStart) : fixedBits(buf, key.valueStart, key.end - key.valueStart);
  switch (scalar) {
    case 'bool': return bits === 0n ? 'false' : 'true';
    case 'int32': case 'sfixed32': return String(BigInt.asIntN(32, bits));
    case 'uint32': case 'fixed32': return String(BigInt.asUintN(32, bits));
    case 'sint32': { const v = BigInt.asUintN(32, bits); return String((v >> 1n) ^ -(v & 1n)); }
    case 'sint64': { const v = BigInt.asUintN(64, bits); return String((v >> 1n) ^ -(v & 1n)); }
    case 'int64': case 'sfixed64': return String(BigInt.asIntN(64, bits));
    default: return String(BigInt.asUintN(64, bits));
  }
}

/**
 * Whether the key of the map entry whose payload is `[start, end)` is `keyBytes` (a string key as
 * UTF-8): compared in place, as a lookup by key crosses every entry before it.
 */
export function entryKeyIs(buf: Uint8Array, start: number, end: number, keyBytes: Uint8Array, depthLeft: number): boolean {
  const key = lastKeyField(buf, start, end, depthLeft);
  if (key === undefined) return keyBytes.length === 0;
  if (key.wire !== LEN) throw new CodecFault('ERR_BAD_TYPE', `map key has wire type ${key.wire}, expected ${LEN}`, key.tagStart);
  if (key.end - key.payloadStart !== keyBytes.length) return false;
  for (let i = 0; i < keyBytes.length; i++) if (buf[key.payloadStart + i] !== keyBytes[i]) return false;
  return true;
}

const isKeyField = (n: number): boolean => n === 1;

/** The last key field (number 1) of a map entry: a later one replaces an earlier one. */
function lastKeyField(buf: Uint8Array, start: number, end: number, depthLeft: number): Occurrence | undefined {
  const keys: Occurrence[] = [];
  scanFields(buf, [start, end], depthLeft, isKeyField, keys);
  return keys[keys.length - 1];
}

function varintBits(buf: Uint8Array, pos: number): bigint {
  let value = 0n;
  let shift = 0n;
  for (;;) {
    const b = buf[pos++]!;
    value |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) return BigInt.asUintN(64, value);
    shift += 7n;
  }
}

function fixedBits(buf: Uint8Array, pos: number, size: number): bigint {
  let value = 0n;
  for (let i = size - 1; i >= 0; i--) value = (value << 8n) | BigInt(buf[pos + i]!);
  return value;
}

/** A varint's bytes. */
export function varintBytes(value: number): Uint8Array {
  if (value < 0x80) return Uint8Array.of(value);
  let size = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 128)) size++;
  const out = new Uint8Array(size);
  let i = 0;
  while (value >= 0x80) {
    out[i++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  out[i] = value;
  return out;
}
