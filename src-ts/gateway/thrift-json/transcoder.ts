/**
 * The Thrift JSON transcoders of one codec: the native ones (src-native/codec/thrift_json.cc, one
 * Node-API call per message over a table handed to the addon once) when the addon is loaded, the
 * TypeScript twin otherwise. Both give the same bytes and the same HeddleErrors; the native side
 * hands back the few inputs it cannot convert exactly (see `thriftJsonFromJsonInto` in native.ts) and
 * the twin converts those.
 */
import type { LinkBuffer } from '../../buffer/link-buffer.js';
import { nativeAddon } from '../../native.js';
import { nativeInto, nativeOutput, nativeScratch } from '../native-json-call.js';
import type { StructDesc } from './descriptor.js';
import { fromJSONInput, jsonToWire, type FromJSONOptions, type TranscodeLimits } from './from-json.js';
import { NATIVE_MAX_DEPTH, serializeTable } from './native-table.js';
import { toJSONInput, wireToJson, type ToJSONOptions } from './to-json.js';

export type { NativeJsonError } from '../native-json-call.js';

export class ThriftJsonTranscoder {
  /** The addon's handle of the serialized table; undefined on the TypeScript path. */
  private readonly table: unknown;
  /** Size of the last `fromJSONTo` result: what the next one probably needs. */
  private lastSize = 0;

  constructor(
    private readonly desc: StructDesc,
    private readonly limits: TranscodeLimits,
    useNative: boolean = nativeAddon?.thriftJsonTable !== undefined,
  ) {
    if (useNative && nativeAddon?.thriftJsonTable !== undefined && limits.maxDepth <= NATIVE_MAX_DEPTH) {
      const { ints, bytes } = serializeTable(desc, limits);
      this.table = nativeAddon.thriftJsonTable(ints, bytes);
    }
  }

  /** Whether the native transcoder runs. */
  get isNative(): boolean {
    return this.table !== undefined;
  }

  fromJSON(body: Uint8Array | string, options: FromJSONOptions = {}): Uint8Array {
    if (this.table === undefined) return jsonToWire(body, this.desc, this.limits, options);
    const { src, flags } = fromJSONInput(body, this.limits, options);
    const result = nativeAddon!.thriftJsonFromJsonInto!(this.table, src, flags, nativeScratch);
    if (result === null) return jsonToWire(src, this.desc, this.limits, options);
    return nativeOutput(result, this.take);
  }

  /** Copies the bytes a native call kept (they did not fit its buffer) into `dst`. */
  private readonly take = (dst: Uint8Array): void => nativeAddon!.thriftJsonTakeInto!(this.table, dst);

  /**
   * Writes the wire bytes of JSON `body` at the end of `out` (readable after `out.flush()`);
   * returns their size. On error `out` is left as it was.
   */
  fromJSONTo(body: Uint8Array | string, out: LinkBuffer, options: FromJSONOptions = {}): number {
    if (this.table !== undefined) {
      const { src, flags } = fromJSONInput(body, this.limits, options);
      const size = nativeInto(out, this.lastSize, this.limits.maxSize, (dst) => nativeAddon!.thriftJsonFromJsonInto!(this.table, src, flags, dst), this.take);
      if (size !== null) {
        this.lastSize = size;
        return size;
      }
      body = src;
    }
    const bytes = jsonToWire(body, this.desc, this.limits, options);
    out.malloc(bytes.length).set(bytes);
    return bytes.length;
  }

  toJSON(bytes: Uint8Array, options: ToJSONOptions = {}): Buffer {
    if (this.table === undefined) return wireToJson(bytes, this.desc, this.limits, options);
    const flags = toJSONInput(bytes, this.limits, options);
    return nativeOutput(nativeAddon!.thriftJsonToJsonInto!(this.table, bytes, flags, nativeScratch), this.take);
  }
}
