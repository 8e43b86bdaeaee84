import { ErrorCode, HeddleError } from '../errors.js';

/** TTHeader integer info keys (INTKEYVALUE block), by Kitex's names. */
export const IntKey = {
  MeshVersion: 0,
  TransportType: 1,
  LogID: 2,
  FromService: 3,
  FromCluster: 4,
  FromIDC: 5,
  ToService: 6,
  ToCluster: 7,
  ToIDC: 8,
  ToMethod: 9,
  Env: 10,
  DestAddress: 11,
  RPCTimeout: 12,
  ReadTimeout: 13,
  RingHashKey: 14,
  DDPTag: 15,
  WithMeshHeader: 16,
  ConnectTimeout: 17,
  SpanContext: 18,
  ShortConnection: 19,
  FromMethod: 20,
  StressTag: 21,
  MsgType: 22,
  HTTPContentType: 23,
  RawRingHashKey: 24,
  LBType: 25,
  ClusterShardID: 26,
  FrameType: 27,
} as const;

/** The name of a known integer key. */
export type IntKeyName = keyof typeof IntKey;

const intKeyNames: readonly IntKeyName[] = (() => {
  const names: IntKeyName[] = [];
  for (const [name, id] of Object.entries(IntKey)) names[id] = name as IntKeyName;
  return names;
})();

/** The Kitex name of integer key `id`, or undefined for keys Kitex does not name. */
export function intKeyName(id: number): IntKeyName | undefined {
  return intKeyNames[id];
}

/** String info keys (KEYVALUE block) Kitex itself reads or writes. */
export const StrKey = {
  /** IDL service name, written by Kitex clients. */
  IDLServiceName: 'isn',
  RemoteAddr: 'rip',
  ToCluster: 'tc',
  ToIDC: 'ti',
  /** A business status error (server replies): decimal code, message and JSON extra. */
  BizStatus: 'biz-status',
  BizMessage: 'biz-message',
  BizExtra: 'biz-extra',
  /** The server will close the connection: the client should not reuse it. */
  ConnectionReadyToReset: 'crrst',
} as const;

/** Prefix of metadata a client sends to the next hop only (`metainfo.WithValue` in Go). */
export const TRANSIENT_PREFIX = 'RPC_TRANSIT_';
/** Prefix of metadata propagated along the whole call chain (`metainfo.WithPersistentValue`). */
export const PERSISTENT_PREFIX = 'RPC_PERSIST_';
/** The string key under which Kitex exposes a TTHeader's ACL token block: the transient value
 * `gdpr-token`. Kitex writes this key as the ACL block, never as a KEYVALUE entry. */
export const ACL_TOKEN_KEY = `${TRANSIENT_PREFIX}gdpr-token`;

/**
 * Kitex metadata carried in a TTHeader: the integer-keyed and string-keyed info maps, with
 * accessors for integer keys by name and for transient and persistent metadata (string keys with
 * the `RPC_TRANSIT_` and `RPC_PERSIST_` prefixes, which these accessors add and strip). Backward
 * values, which a server sends to its caller, travel in the reply as plain string keys. A MetaInfo
 * wraps the maps it is given, so edits show in the header they came from.
 */
export class MetaInfo {
  readonly intInfo: Map<number, string>;
  readonly strInfo: Map<string, string>;
  /** The ACL token block, which Kitex presents as the transient value `gdpr-token`. */
  aclToken: string | undefined;

  constructor(intInfo: Map<number, string> = new Map(), strInfo: Map<string, string> = new Map(), aclToken?: string) {
    this.intInfo = intInfo;
    this.strInfo = strInfo;
    this.aclToken = aclToken;
  }

  /** The value of an integer key, by Kitex name (`'ToMethod'`) or number. */
  getInt(key: IntKeyName | number): string | undefined {
    return this.intInfo.get(intKeyId(key));
  }

  /** Sets an integer key, by Kitex name or number. */
  setInt(key: IntKeyName | number, value: string): this {
    this.intInfo.set(intKeyId(key), checkValue(value));
    return this;
  }

  /** The value of a string key, exactly as on the wire (no prefix handling). */
  get(key: string): string | undefined {
    return this.strInfo.get(key);
  }

  /** Sets a string key, exactly as on the wire. */
  set(key: string, value: string): this {
    this.strInfo.set(checkValue(key), checkValue(value));
    return this;
  }

  /** A transient value (`RPC_TRANSIT_<name>` on the wire; `gdpr-token` is the ACL block). */
  getTransient(name: string): string | undefined {
    const key = TRANSIENT_PREFIX + name;
    return key === ACL_TOKEN_KEY && this.aclToken !== undefined ? this.aclToken : this.strInfo.get(key);
  }

  /** Sets a transient value: sent to the next hop only. */
  setTransient(name: string, value: string): this {
    return this.set(TRANSIENT_PREFIX + name, value);
  }

  /** A persistent value (`RPC_PERSIST_<name>` on the wire). */
  getPersistent(name: string): string | undefined {
    return this.strInfo.get(PERSISTENT_PREFIX + name);
  }

  /** Sets a persistent value: propagated along the whole call chain. */
  setPersistent(name: string, value: string): this {
    return this.set(PERSISTENT_PREFIX + name, value);
  }

  /** Sets a backward value in a server's reply: a plain string key, as `metainfo.SendBackwardValue`
   * sends it. */
  setBackward(name: string, value: string): this {
    return this.set(name, value);
  }

  /** All transient values, prefix stripped, the ACL token included as `gdpr-token`. */
  transient(): Map<string, string> {
    const values = this.withPrefix(TRANSIENT_PREFIX);
    if (this.aclToken !== undefined) values.set(ACL_TOKEN_KEY.slice(TRANSIENT_PREFIX.length), this.aclToken);
    return values;
  }

  /** All persistent values, prefix stripped. */
  persistent(): Map<string, string> {
    return this.withPrefix(PERSISTENT_PREFIX);
  }

  /** What a Kitex client receives as backward values from this reply header: every string entry
   * that is not transient or persistent (Kitex's own `biz-*` and `crrst` keys included). */
  backward(): Map<string, string> {
    const values = new Map<string, string>();
    for (const [key, value] of this.strInfo) {
      if (!key.startsWith(TRANSIENT_PREFIX) && !key.startsWith(PERSISTENT_PREFIX)) values.set(key, value);
    }
    return values;
  }

  /** The integer keys as a plain object keyed by Kitex name (numbers for unnamed keys), for logs. */
  namedIntInfo(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [id, value] of this.intInfo) out[intKeyName(id) ?? String(id)] = value;
    return out;
  }

  private withPrefix(prefix: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const [key, value] of this.strInfo) {
      if (key.startsWith(prefix)) out.set(key.slice(prefix.length), value);
    }
    return out;
  }
}

function intKeyId(key: IntKeyName | number): number {
  const id = typeof key === 'number' ? key : IntKey[key];
  if (!Number.isInteger(id) || id < 0 || id > 0xffff) {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `unknown TTHeader integer key ${String(key)}`);
  }
  return id;
}

function checkValue(value: string): string {
  if (typeof value !== 'string') {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `TTHeader info keys and values are strings, got ${typeof value}`);
  }
  return value;
}
