/** Small helpers generated code calls that belong to no other runtime concern. */
import { badValue } from './codec-failure.js';

/** The path segment of container level state (index `i`, map phase `p`): `[3]`, `[3].key`, `[3].value`. */
export function levelPath(index: number, phase: number): string {
  if (index < 0) return '';
  return phase === 1 ? `[${index}].key` : phase === 2 ? `[${index}].value` : `[${index}]`;
}

/** True for `{}`-style objects (prototype Object.prototype or null), the only objects taken as maps. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const encoder = new TextEncoder();

/** The UTF-8 bytes of an IDL string constant used as a `binary` default (a fresh array each time). */
export function utf8Bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Narrows decoded Compact i16 varints to an Int16Array; a value out of range is ERR_BAD_VALUE. */
export function toInt16Array(values: Int32Array, offset: number): Int16Array {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== (v << 16) >> 16) throw badValue(offset, `i16 value ${v} at index ${i} is out of range`);
  }
  return Int16Array.from(values);
}

/**
 * A Buffer view of bytes, for `binary: 'Buffer'`: a Uint8Array subclass whose prototype chain
 * holds Buffer.prototype, so it is a Buffer to `Buffer.isBuffer`, `instanceof` and every Buffer
 * method, made without `Buffer.from`'s argument dispatch (a third cheaper per value).
 */
export class BufferView extends Uint8Array {}
Object.setPrototypeOf(BufferView.prototype, Buffer.prototype);
