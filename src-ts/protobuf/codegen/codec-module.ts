import { HeddleError } from '../../errors.js';
import { jsonName } from '../descriptor/json-name.js';
import type { FieldInfo, MessageInfo } from '../descriptor/type-info.js';
import type { ResolvedCodecOptions } from './codec-options.js';
import type { Codec } from './codec.js';
import { protobufjsPropertyName, type ResolvedProtobufjs } from './object-conventions.js';

/** Another message type's codec under the same options, for google.protobuf.Any's contents. */
export type CodecLookup = (typeName: string) => Codec<unknown> | undefined;

/**
 * What the encoder and decoder generators share while emitting one codec: the message types it
 * reaches (each gets an index: decoder `d<i>`, encoder `e<i>`), their property names, and the
 * constants the generated code refers to (`K<n>`).
 */
export class CodecModule {
  readonly messages: MessageInfo[] = [];
  /** Message types that occur as groups somewhere, so their decoders handle end-group tags. */
  readonly groups = new Set<MessageInfo>();
  readonly constants: unknown[] = [];
  private readonly indices = new Map<MessageInfo, number>();
  private readonly propertyNames = new Map<FieldInfo, string>();
  /** Under the protobufjs profile: the conventions; else undefined. */
  readonly pj: ResolvedProtobufjs | undefined;

  constructor(root: MessageInfo, readonly options: ResolvedCodecOptions, readonly lookup?: CodecLookup) {
    this.pj = options.protobufjs;
    this.visit(root);
  }

  private visit(message: MessageInfo): void {
    if (this.indices.has(message)) return;
    this.indices.set(message, this.messages.length);
    this.messages.push(message);
    this.assignPropertyNames(message);
    for (const field of message.fields) {
      const nested = field.kind === 'message' ? field : field.kind === 'map' ? field.value : undefined;
      if (nested?.kind !== 'message') continue;
      const type = nested.message();
      if (nested.group) this.groups.add(type);
      this.visit(type);
    }
  }

  private assignPropertyNames(message: MessageInfo): void {
    const seen = new Map<string, string>();
    for (const field of message.fields) {
      const name = propertyNameOf(message, field, this.options);
      const other = seen.get(name);
      if (other !== undefined) {
        throw new HeddleError('ERR_INVALID_ARGUMENT',
          `fields "${other}" and "${field.name}" of ${message.fullName} both map to property "${name}"; use keepCase: true`);
      }
      if (name === '__proto__' || name === '$unknown') {
        throw new HeddleError('ERR_INVALID_ARGUMENT', `field "${field.name}" of ${message.fullName} cannot be a property named "${name}"`);
      }
      seen.set(name, field.name);
      this.propertyNames.set(field, name);
    }
  }

  /** The index of a message type, used in function names. */
  index(message: MessageInfo): number {
    return this.indices.get(message)!;
  }

  /** The JavaScript property that holds `field`. */
  propertyName(field: FieldInfo): string {
    return this.propertyNames.get(field)!;
  }

  /**
   * The oneof a field belongs to as protobufjs sees it, proto3 `optional`'s synthetic one
   * (`_name`) included, by its property name; undefined for other fields.
   */
  oneofProperty(message: MessageInfo, field: FieldInfo): string | undefined {
    const proto = message.proto.field.find((f) => f.number === field.number && field.extension === undefined);
    if (proto?.oneof_index === undefined) return undefined;
    const declared = message.proto.oneof_decl[proto.oneof_index]!.name!;
    return protobufjsPropertyName(message.fullName, declared, this.options.keepCase);
  }

  /** Registers a value the generated code needs and returns the name it is bound to. */
  constant(value: unknown): string {
    const existing = this.constants.indexOf(value);
    if (existing >= 0) return `K${existing}`;
    this.constants.push(value);
    return `K${this.constants.length - 1}`;
  }
}

/** The JavaScript property a codec under `options` gives `field` of `message`. */
export function propertyNameOf(message: MessageInfo, field: FieldInfo, options: ResolvedCodecOptions): string {
  if (field.extension !== undefined) return `[${field.extension}]`;
  if (options.protobufjs !== undefined) return protobufjsPropertyName(message.fullName, field.name, options.keepCase);
  return options.keepCase ? field.name : jsonName(field.name);
}
