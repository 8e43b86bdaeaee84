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
/** Prefix of metadata a server sends back to its caller (`metainfo.SendBackwardValue`). */
export const BACKWARD_PREFIX = 'RPC_BACKWARD_';

/**
 * Kitex metadata carried in a TTHeader: the integer-keyed and string-keyed info maps, with
 * accessors for integer keys by name and for transient, persistent and backward metadata (string
 * keys with the `RPC_TRANSIT_`, `RPC_PERSIST_` and `RPC_BACKWARD_` prefixes, which these accessors
 * add and strip). A MetaInfo wraps the maps it is given, so edits show in the header they came
 * from.
 */
export class MetaInfo {
  readonly intInfo: Map<number, string>;
  readonly strInfo: Map<string, string>;

  constructor(intInfo: Map<number, string> = new Map(), strInfo: Map<string, string> = new Map()) {
    this.intInfo = intInfo;
    this.strInfo = strInfo;
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

  /** A transient value (`RPC_TRANSIT_<name>` on the wire). */
  getTransient(name: string): string | undefined {
    return this.strInfo.get(TRANSIENT_PREFIX + name);
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

  /** A backward value (`RPC_BACKWARD_<name>` on the wire), sent by a server to its caller. */
  getBackward(name: string): string | undefined {
    return this.strInfo.get(BACKWARD_PREFIX + name);
  }

  /** Sets a backward value, for a server's reply. */
  setBackward(name: string, value: string): this {
    return this.set(BACKWARD_PREFIX + name, value);
  }

  /** All transient values, prefix stripped. */
  transient(): Map<string, string> {
    return this.withPrefix(TRANSIENT_PREFIX);
  }

  /** All persistent values, prefix stripped. */
  persistent(): Map<string, string> {
    return this.withPrefix(PERSISTENT_PREFIX);
  }

  /** All backward values, prefix stripped. */
  backward(): Map<string, string> {
    return this.withPrefix(BACKWARD_PREFIX);
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
