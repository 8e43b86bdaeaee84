/**
 * The ProtoJSON transcoder of one Protobuf codec, both ways: the native one
 * (src-native/codec/proto_json.cc and proto_json_to_json.cc, one Node-API call per message over a
 * table handed to the addon once) when the addon is loaded, the TypeScript twins
 * ({@link protoJsonToWire}, {@link protoWireToJson}) otherwise. Both give the same bytes and the
 * same HeddleErrors; the native side hands back the inputs it does not convert and the twin
 * converts those: from JSON, Any, Timestamp, Duration, FieldMask and integers written with a
 * fraction or an exponent; to JSON, every well-known type, a singular message in several
 * occurrences, and maps whose keys the twin reorders or dedupes (more than 32 entries, a repeated
 * key, array-index keys out of ascending order).
 */
import type { LinkBuffer } from '../../buffer/link-buffer.js';
import { nativeAddon } from '../../native.js';
import { jsonBodyBytes } from '../json-body.js';
import { nativeInto, nativeOutput, nativeScratch } from '../native-json-call.js';
import type { PMessage, ProtoJsonTables } from './descriptor.js';
import { ignoresUnknownFields, protoJsonToWire, type ProtoFromJSONOptions, type ProtoJsonLimits } from './from-json.js';
import { NATIVE_MAX_DEPTH, serializeProtoTable } from './native-table.js';
import { checkToJsonInput, protoWireToJson, type ProtoToJSONOptions } from './to-json.js';

export class ProtoJsonTranscoder {
  /** The addon's handle of the serialized table; undefined on the TypeScript path. */
  private readonly table: unknown;
  /** Size of the last `fromJSONTo` result: what the next one probably needs. */
  private lastSize = 0;

  constructor(
    private readonly desc: PMessage,
    private readonly tables: ProtoJsonTables,
    private readonly limits: ProtoJsonLimits,
    useNative: boolean = nativeAddon?.protoJsonTable !== undefined,
  ) {
    if (useNative && nativeAddon?.protoJsonTable !== undefined && limits.maxDepth <= NATIVE_MAX_DEPTH) {
      const { ints, bytes } = serializeProtoTable(desc, limits);
      this.table = nativeAddon.protoJsonTable(ints, bytes);
    }
  }

  /** Whether the native transcoder runs. */
  get isNative(): boolean {
    return this.table !== undefined;
  }

  fromJSON(body: Uint8Array | string, options: ProtoFromJSONOptions = {}): Uint8Array {
    if (this.table === undefined) return this.twin(body, options);
    const src = jsonBodyBytes(body, this.limits.maxSize);
    const result = nativeAddon!.protoJsonFromJsonInto!(this.table, src, ignoresUnknownFields(options) ? 1 : 0, nativeScratch);
    if (result === null) return this.twin(src, options);
    return nativeOutput(result, this.take);
  }

  /**
   * Writes the wire bytes of JSON `body` at the end of `out` (readable after `out.flush()`);
   * returns their size. On error `out` is left as it was.
   */
  fromJSONTo(body: Uint8Array | string, out: LinkBuffer, options: ProtoFromJSONOptions = {}): number {
    if (this.table === undefined) return this.twinTo(body, out, options);
    const src = jsonBodyBytes(body, this.limits.maxSize);
    const ignore = ignoresUnknownFields(options) ? 1 : 0;
    const size = nativeInto(out, this.lastSize, this.limits.maxSize, (dst) => nativeAddon!.protoJsonFromJsonInto!(this.table, src, ignore, dst), this.take);
    if (size === null) return this.twinTo(src, out, options);
    this.lastSize = size;
    return size;
  }

  toJSON(bytes: Uint8Array, options: ProtoToJSONOptions = {}): Buffer {
    if (this.table === undefined) return protoWireToJson(bytes, this.desc, this.tables, this.limits, options);
    const flags = checkToJsonInput(bytes, this.limits, options);
    const result = nativeAddon!.protoJsonToJsonInto!(this.table, bytes, flags, nativeScratch);
    if (result === null) return protoWireToJson(bytes, this.desc, this.tables, this.limits, options);
    return nativeOutput(result, this.take);
  }

  /** Copies the bytes a native call kept (they did not fit its buffer) into `dst`. */
  private readonly take = (dst: Uint8Array): void => nativeAddon!.protoJsonTakeInto!(this.table, dst);

  private twin(body: Uint8Array | string, options: ProtoFromJSONOptions): Uint8Array {
    return protoJsonToWire(body, this.desc, this.tables, this.limits, options);
  }

  private twinTo(body: Uint8Array | string, out: LinkBuffer, options: ProtoFromJSONOptions): number {
    const bytes = this.twin(body, options);
    out.malloc(bytes.length).set(bytes);
    return bytes.length;
  }
}
