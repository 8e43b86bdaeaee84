/**
 * Thrift `uuid` (16 raw bytes on the wire, in both protocols) as the canonical lowercase string
 * `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`. Encoders accept either case.
 */
import { wrongValue } from './codec-failure.js';

const HEX_PAIRS: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const CANONICAL = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** Offsets of the 16 hex pairs in the canonical string. */
const PAIR_OFFSETS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/** Writes the uuid string `value` as 16 bytes at `pos`; returns the new position. */
export function writeUuid(buf: Uint8Array, pos: number, value: unknown): number {
  if (typeof value !== 'string' || !CANONICAL.test(value)) {
    throw wrongValue('a uuid string like "123e4567-e89b-12d3-a456-426614174000"', value);
  }
  for (let i = 0; i < 16; i++) buf[pos + i] = parseInt(value.substr(PAIR_OFFSETS[i]!, 2), 16);
  return pos + 16;
}

/** Reads 16 bytes at `pos` (bounds already checked) as a canonical lowercase uuid string. */
export function readUuid(buf: Uint8Array, pos: number): string {
  const h = HEX_PAIRS;
  return (
    h[buf[pos]!]! + h[buf[pos + 1]!]! + h[buf[pos + 2]!]! + h[buf[pos + 3]!]! + '-' +
    h[buf[pos + 4]!]! + h[buf[pos + 5]!]! + '-' + h[buf[pos + 6]!]! + h[buf[pos + 7]!]! + '-' +
    h[buf[pos + 8]!]! + h[buf[pos + 9]!]! + '-' + h[buf[pos + 10]!]! + h[buf[pos + 11]!]! +
    h[buf[pos + 12]!]! + h[buf[pos + 13]!]! + h[buf[pos + 14]!]! + h[buf[pos + 15]!]!
  );
}
