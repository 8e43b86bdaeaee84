/**
 * Compiling a field path against a Protobuf message type: each text segment becomes a step that
 * knows the field number, wire type and property name to look for, so reading and patching never
 * consult names again. Field segments match the .proto name or the json_name; repeated fields take
 * an index, maps a key of their key type (compared by value, so any varint form matches).
 */
import { ErrorCode, HeddleError } from '../../errors.js';
import type { Codec } from '../../protobuf/codegen/codec.js';
import { propertyNameOf } from '../../protobuf/codegen/codec-module.js';
import type { ResolvedCodecOptions } from '../../protobuf/codegen/codec-options.js';
import type { FieldInfo, MessageInfo, ScalarType } from '../../protobuf/descriptor/type-info.js';
import { joinSegments, splitPath, type SpecSegment } from './path-spec.js';

/** Protobuf wire types. */
export const VARINT = 0, I64 = 1, LEN = 2, SGROUP = 3, I32 = 5;

/** One field of a message as paths need it. */
export interface ProtoPathField {
  readonly number: number;
  readonly name: string;
  /** The property the codec's objects hold it in. */
  readonly prop: string;
  readonly repeated: boolean;
  readonly isMap: boolean;
  /** Wire type of one value (for maps, of the entry: LEN). */
  readonly wire: number;
  /** A repeated scalar or enum, which may be packed on the wire. */
  readonly packable: boolean;
  /** The scalar type of a scalar field (not of maps); undefined for other kinds. */
  readonly scalar: ScalarType | undefined;
  /** proto3 strings must be valid UTF-8. */
  readonly strictUtf8: boolean;
  /** The key's scalar type, for maps. */
  readonly mapKey: ScalarType | undefined;
  /** The message type of a message field, or of a map's message values. */
  readonly message: (() => ProtoPathMessage) | undefined;
  readonly group: boolean;
  /** Field numbers of the other members of its oneof (setting this field clears them). */
  readonly oneofSiblings: readonly number[];
  readonly required: boolean;
}

/** One message type as paths need it. */
export interface ProtoPathMessage {
  readonly info: MessageInfo;
  readonly byNumber: ReadonlyMap<number, ProtoPathField>;
  readonly byName: ReadonlyMap<string, ProtoPathField>;
  /** This type's codec under the same options (its encoder writes new field bytes, its decoder reads peeked values). */
  readonly codec: () => Codec<Record<string, unknown>>;
  /** A value with every proto2 required field filled, so encoding one field of it does not fail. */
  readonly filler: () => Record<string, unknown>;
}

export type ProtoPathStep =
  | { readonly kind: 'field'; readonly text: string; readonly owner: ProtoPathMessage; readonly field: ProtoPathField }
  | { readonly kind: 'index'; readonly text: string; readonly index: number }
  | {
      readonly kind: 'key';
      readonly text: string;
      /** The key in canonical text: the property name the codec's map objects use. */
      readonly key: string;
      /** A string key as UTF-8, compared in place; undefined for other key types. */
      readonly keyBytes: Uint8Array | undefined;
    };

/** A path compiled by one codec's {@link ProtoPathCompiler}, reusable across messages. */
export class CompiledProtoPath {
  /** @internal */
  constructor(
    /** The path as written. */
    readonly spec: string,
    /** @internal */
    readonly steps: readonly ProtoPathStep[],
    /** The codec the path was compiled for; a path from another codec is refused. */
    readonly owner: object,
  ) {}

  /** The spec of the first `count` steps, for error locations. */
  prefix(count: number): string {
    return joinSegments(this.steps, count);
  }
}

export function scalarWire(scalar: ScalarType): number {
  switch (scalar) {
    case 'double': case 'fixed64': case 'sfixed64': return I64;
    case 'float': case 'fixed32': case 'sfixed32': return I32;
    case 'string': case 'bytes': return LEN;
    default: return VARINT;
  }
}

const KEY_RANGE: Partial<Record<ScalarType, readonly [bigint, bigint]>> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n], sint32: [-(2n ** 31n), 2n ** 31n - 1n], sfixed32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n], fixed32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n], sint64: [-(2n ** 63n), 2n ** 63n - 1n], sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n], fixed64: [0n, 2n ** 64n - 1n],
};

const utf8 = new TextEncoder();

/** Builds per-message tables on demand (recursive types resolve lazily) and compiles paths. */
export class ProtoPathCompiler {
  private readonly messages = new Map<MessageInfo, ProtoPathMessage>();
  readonly root: ProtoPathMessage;

  constructor(
    root: MessageInfo,
    private readonly options: ResolvedCodecOptions,
    private readonly codecOf: (info: MessageInfo) => Codec<Record<string, unknown>>,
  ) {
    this.root = this.message(root);
  }

  message(info: MessageInfo): ProtoPathMessage {
    const cached = this.messages.get(info);
    if (cached !== undefined) return cached;
    const byNumber = new Map<number, ProtoPathField>();
    const byName = new Map<string, ProtoPathField>();
    let codec: Codec<Record<string, unknown>> | undefined;
    let filler: Record<string, unknown> | undefined;
    const table: ProtoPathMessage = {
      info,
      byNumber,
      byName,
      codec: () => (codec ??= this.codecOf(info)),
      filler: () => (filler ??= this.fillerOf(table, 0)),
    };
    this.messages.set(info, table);
    for (const f of info.fields) {
      if (f.extension !== undefined) continue;
      const field = this.field(info, f);
      byNumber.set(field.number, field);
      byName.set(f.name, field);
      if (!byName.has(f.jsonName)) byName.set(f.jsonName, field);
    }
    return table;
  }

  private field(owner: MessageInfo, f: FieldInfo): ProtoPathField {
    const siblings = f.oneof === undefined ? [] : owner.fields.filter((o) => o.oneof === f.oneof && o !== f).map((o) => o.number);
    const valueKind = f.kind === 'map' ? f.value : f;
    const target = valueKind.kind === 'message' ? valueKind.message : undefined;
    const wire = f.kind === 'map' ? LEN : f.kind === 'scalar' ? scalarWire(f.scalar) : f.kind === 'enum' ? VARINT : f.group ? SGROUP : LEN;
    return {
      number: f.number,
      name: f.name,
      prop: propertyNameOf(owner, f, this.options),
      repeated: f.repeated || f.kind === 'map',
      isMap: f.kind === 'map',
      wire,
      packable: f.kind !== 'map' && f.repeated && (f.kind === 'enum' || (f.kind === 'scalar' && wire !== LEN)),
      scalar: f.kind === 'scalar' ? f.scalar : undefined,
      strictUtf8: f.strictUtf8,
      mapKey: f.kind === 'map' ? f.key : undefined,
      message: target === undefined ? undefined : () => this.message(target()),
      group: f.kind === 'message' && f.group,
      oneofSiblings: siblings,
      required: f.required,
    };
  }

  /** Zero values for the required fields of `message` (nested required messages filled too). */
  private fillerOf(message: ProtoPathMessage, depth: number): Record<string, unknown> {
    const value: Record<string, unknown> = {};
    if (depth > 32) return value;
    for (const f of message.info.fields) {
      if (!f.required) continue;
      const prop = message.byNumber.get(f.number)!.prop;
      if (f.kind === 'message') value[prop] = this.fillerOf(this.message(f.message()), depth + 1);
      else if (f.kind === 'enum') value[prop] = f.enum.numbers.values().next().value ?? 0;
      else if (f.kind === 'scalar') value[prop] = f.scalar === 'string' ? '' : f.scalar === 'bytes' ? new Uint8Array(0) : f.scalar === 'bool' ? false : 0;
    }
    return value;
  }

  /** Compiles `spec`; a segment that does not resolve is ERR_INVALID_ARGUMENT naming it. */
  compile(spec: string, owner: object): CompiledProtoPath {
    const segments = splitPath(spec);
    const steps: ProtoPathStep[] = [];
    let message: ProtoPathMessage | undefined = this.root;
    let container: ProtoPathField | undefined;
    let where = '';
    for (const segment of segments) {
      const fail = (why: string): never => {
        throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `field path ${JSON.stringify(spec)}: segment ${JSON.stringify(segment.text)} ${why}`, {
          path: where === '' || segment.text.startsWith('[') ? `${where}${segment.text}` : `${where}.${segment.text}`,
        });
      };
      if (container !== undefined) {
        steps.push(container.isMap ? this.keyStep(container, segment, fail) : indexStep(segment, fail));
        message = container.group ? undefined : container.message?.();
        container = undefined;
      } else {
        if (message === undefined) fail('descends into a value that has no fields');
        const field = segment.quoted ? undefined : message!.byName.get(segment.value);
        if (field === undefined) return fail(`names no field of ${message!.info.fullName}`);
        steps.push({ kind: 'field', text: segment.text, owner: message!, field });
        if (field.repeated) {
          container = field;
          message = undefined;
        } else {
          if (field.group && steps.length < segments.length) fail('is a group: paths do not descend into groups');
          message = field.message?.();
        }
      }
      where = where === '' || segment.text.startsWith('[') ? `${where}${segment.text}` : `${where}.${segment.text}`;
    }
    return new CompiledProtoPath(spec, steps, owner);
  }

  private keyStep(map: ProtoPathField, segment: SpecSegment, fail: (why: string) => never): ProtoPathStep {
    const scalar = map.mapKey!;
    if (scalar === 'string') return { kind: 'key', text: segment.text, key: segment.value, keyBytes: utf8.encode(segment.value) };
    if (scalar === 'bool') {
      if (segment.value !== 'true' && segment.value !== 'false') fail('is not a bool map key (true or false)');
      return { kind: 'key', text: segment.text, key: segment.value, keyBytes: undefined };
    }
    // Quoted or not: ProtoJSON writes every map key as a string.
    if (!/^-?\d+$/.test(segment.value)) fail('is not an integer map key');
    const key = BigInt(segment.value);
    const [min, max] = KEY_RANGE[scalar]!;
    if (key < min || key > max) fail(`is out of the ${scalar} range`);
    return { kind: 'key', text: segment.text, key: String(key), keyBytes: undefined };
  }
}

function indexStep(segment: SpecSegment, fail: (why: string) => never): ProtoPathStep {
  if (segment.quoted || !/^\d+$/.test(segment.value)) fail('is not an index into a repeated field');
  const index = Number(segment.value);
  if (!Number.isSafeInteger(index) || index > 0x7fffffff) fail('is beyond any list length');
  return { kind: 'index', text: segment.text, index };
}
