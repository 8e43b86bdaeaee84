/**
 * The Thrift JSON transcoders of one codec: the native ones (src-native/codec/thrift_json.cc, one
 * Node-API call per message over a table handed to the addon once) when the addon is loaded, the
 * TypeScript twin otherwise. Both give the same bytes and the same HeddleErrors; the native side
 * hands back the few inputs it cannot convert exactly (see `thriftJsonFromJsonInto` in native.ts) and
 * the twin converts those.
 */
import type { LinkBuffer } from '../../buffer/link-buffer.js';
import { ErrorCode, HeddleError } from '../../errors.js';
import { nativeAddon } from '../../native.js';
import type { StructDesc } from './descriptor.js';
import { fromJSONInput, jsonToWire, type FromJSONOptions, type TranscodeLimits } from './from-json.js';
import { NATIVE_MAX_DEPTH, serializeTable } from './native-table.js';
import { toJSONInput, wireToJson, type ToJSONOptions } from './to-json.js';

/** What the native transcoder returns for a bad input: [code, message, offset (-1: none), path]. */
export type NativeJsonError = [code: string, message: string, offset: number, path: string];

/**
 * Where the native transcoder writes a result, copied out into a Buffer of its own (measured
 * cheaper than the addon making the Buffer); a larger result stays in the addon until taken.
 */
const scratch = new Uint8Array(64 * 1024);

/** The smallest reservation `fromJSONTo` makes in its LinkBuffer. */
const MIN_RESERVATION = 256;

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
    const { src, reject } = fromJSONInput(body, this.limits, options);
    const result = nativeAddon!.thriftJsonFromJsonInto!(this.table, src, reject, scratch);
    if (result === null) return jsonToWire(src, this.desc, this.limits, options);
    return this.take(result);
  }

  /** A Buffer of its own with the bytes a native call wrote into `scratch` (or kept, when they did not fit). */
  private take(result: number | NativeJsonError): Buffer {
    if (typeof result !== 'number') throw errorOf(result);
    if (result < 0) {
      const out = Buffer.allocUnsafe(-result);
      nativeAddon!.thriftJsonTakeInto!(this.table, out);
      return out;
    }
    const out = Buffer.allocUnsafe(result);
    out.set(scratch.subarray(0, result));
    return out;
  }

  /**
   * Writes the wire bytes of JSON `body` at the end of `out` (readable after `out.flush()`);
   * returns their size. On error `out` is left as it was.
   */
  fromJSONTo(body: Uint8Array | string, out: LinkBuffer, options: FromJSONOptions = {}): number {
    if (this.table === undefined) {
      const bytes = jsonToWire(body, this.desc, this.limits, options);
      out.malloc(bytes.length).set(bytes);
      return bytes.length;
    }
    const { src, reject } = fromJSONInput(body, this.limits, options);
    const before = out.mallocLen;
    const reserved = out.malloc(Math.min(this.limits.maxSize, Math.max(MIN_RESERVATION, this.lastSize)));
    const result = nativeAddon!.thriftJsonFromJsonInto!(this.table, src, reject, reserved);
    if (typeof result === 'number') {
      if (result >= 0) {
        out.mallocAck(before + result);
        this.lastSize = result;
        return result;
      }
      // Outgrew the reservation: the addon kept the bytes; copy them once into room that fits.
      out.mallocAck(before);
      const size = -result;
      nativeAddon!.thriftJsonTakeInto!(this.table, out.malloc(size));
      this.lastSize = size;
      return size;
    }
    out.mallocAck(before);
    if (result === null) {
      const bytes = jsonToWire(src, this.desc, this.limits, options);
      out.malloc(bytes.length).set(bytes);
      return bytes.length;
    }
    throw errorOf(result);
  }

  toJSON(bytes: Uint8Array, options: ToJSONOptions = {}): Buffer {
    if (this.table === undefined) return wireToJson(bytes, this.desc, this.limits, options);
    const i64String = toJSONInput(bytes, this.limits, options);
    return this.take(nativeAddon!.thriftJsonToJsonInto!(this.table, bytes, i64String, scratch));
  }
}

/** The HeddleError the TypeScript twin throws for the same input. */
function errorOf([code, message, offset, path]: NativeJsonError): HeddleError {
  if (offset < 0) return new HeddleError(code as ErrorCode, message);
  return new HeddleError(code as ErrorCode, message, path === '' ? { offset } : { offset, path });
}
