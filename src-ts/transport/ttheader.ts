import { ErrorCode, HeddleError } from '../errors.js';
import { MetaInfo } from './metainfo.js';

/** The fields of a decoded TTHeader, in wire terms. */
export interface TTHeader {
  /** FLAGS (see `TTHeaderFlag`). */
  flags: number;
  /** SEQUENCE NUMBER, as a signed 32-bit integer. */
  seqId: number;
  /** PROTOCOL ID of the payload (see `TTHeaderProtocol`). */
  protocolId: number;
  /** TRANSFORM IDs; Kitex neither writes nor applies any. */
  transforms: number[];
  /** INTKEYVALUE entries, in wire order. */
  intInfo: Map<number, string>;
  /** KEYVALUE entries, in wire order. */
  strInfo: Map<string, string>;
  /** The ACL token block, when present. Kitex exposes it as the transient value `gdpr-token`. */
  aclToken?: string;
}

/** A TTHeader to encode: every field optional. Map entries are written in iteration order, which
 * is how a decoded header re-encodes to the same bytes. As in Kitex, a `RPC_TRANSIT_gdpr-token`
 * string entry is written as the ACL token block when `aclToken` is not given. */
export interface TTHeaderInit {
  flags?: number;
  seqId?: number;
  protocolId?: number;
  transforms?: readonly number[];
  intInfo?: ReadonlyMap<number, string> | Readonly<Record<number, string>>;
  strInfo?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
  aclToken?: string;
}

/** The header's metadata as a {@link MetaInfo}, sharing its maps. */
export function metaInfoOf(header: TTHeader): MetaInfo {
  return new MetaInfo(header.intInfo, header.strInfo, header.aclToken);
}

/** Entries of a Map or a plain record, with record keys converted by `key`. */
export function entriesOf<K, V>(source: ReadonlyMap<K, V> | Readonly<Record<string, V>> | undefined, key: (raw: string) => K): Array<[K, V]> {
  if (source === undefined) return [];
  if (source instanceof Map) return [...source.entries()];
  return Object.entries(source as Record<string, V>).map(([raw, value]) => [key(raw), value]);
}

/** Checks that `value` is an integer in `[min, max]`; `what` names it in the error. */
export function checkInteger(value: number, min: number, max: number, what: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${what} must be an integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}
