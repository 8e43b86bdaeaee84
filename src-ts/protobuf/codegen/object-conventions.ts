import { HeddleError } from '../../errors.js';

/** The few members of the `long` package's class that codecs use. */
export interface LongClass {
  fromBits(low: number, high: number, unsigned?: boolean): unknown;
}

/**
 * The value conventions of protobufjs's `toObject`/`fromObject`, which @grpc/proto-loader applies
 * to every message: a codec profile, selected by `root.codec(type, { protobufjs: {...} })`. Field
 * names follow protobufjs's camelCase rule (or `.proto` names with `keepCase`), except in the
 * well-known types, whose names protobufjs fixes whatever `keepCase` says.
 */
export interface ProtobufjsConventions {
  /** 64-bit integers decode to `Long` objects (default; needs `Long`), decimal strings, numbers
   * (rounded when beyond 2^53, as protobufjs does) or bigints. */
  longs?: 'long' | 'string' | 'number' | 'bigint';
  /** The `long` package's class, required when `longs` is `'long'`. */
  Long?: LongClass;
  /** Enums decode to numbers (default) or value names (unknown numbers stay numbers). */
  enums?: 'number' | 'string';
  /** `bytes` decode to Buffers (default), base64 strings or arrays of numbers. */
  bytes?: 'buffer' | 'base64' | 'array';
  /** Unset fields decode to their defaults: zero values, `null` for messages, `[]`, `{}`. Oneof
   * members and proto3 `optional` fields stay absent. */
  defaults?: boolean;
  /** Unset repeated fields decode to `[]` even without `defaults`. */
  arrays?: boolean;
  /** Unset map fields decode to `{}` even without `defaults`. */
  objects?: boolean;
  /** Each set oneof (proto3 `optional` included) gets a property named after it holding the
   * name of the member that is set. */
  oneofs?: boolean;
  /** Non-finite floats decode to "NaN"/"Infinity"/"-Infinity", and google.protobuf.Any to its
   * packed message with an `@type` property. */
  json?: boolean;
  /** Encoding refuses the silent coercions protobufjs's `fromObject` makes (a string for a
   * number, 3.7 for an int32, an unknown enum name...) with ERR_BAD_VALUE. Each decode form of
   * these options is still accepted. */
  strict?: boolean;
}

/** ProtobufjsConventions with every default applied. */
export type ResolvedProtobufjs = Required<Omit<ProtobufjsConventions, 'Long'>> & { Long: LongClass | undefined };

/** Applies defaults and checks values (ERR_INVALID_ARGUMENT). */
export function resolveProtobufjs(options: ProtobufjsConventions): ResolvedProtobufjs {
  const longs = options.longs ?? 'long';
  const enums = options.enums ?? 'number';
  const bytes = options.bytes ?? 'buffer';
  oneOf('longs', longs, ['long', 'string', 'number', 'bigint']);
  oneOf('enums', enums, ['number', 'string']);
  oneOf('bytes', bytes, ['buffer', 'base64', 'array']);
  if (longs === 'long' && typeof options.Long?.fromBits !== 'function') {
    throw new HeddleError('ERR_INVALID_ARGUMENT', "longs: 'long' needs the long package's class as the Long option");
  }
  return {
    longs,
    Long: options.Long,
    enums,
    bytes,
    defaults: options.defaults === true,
    arrays: options.arrays === true,
    objects: options.objects === true,
    oneofs: options.oneofs === true,
    json: options.json === true,
    strict: options.strict === true,
  };
}

function oneOf(name: string, value: string, allowed: string[]): void {
  if (!allowed.includes(value)) {
    throw new HeddleError('ERR_INVALID_ARGUMENT', `protobufjs.${name} must be one of ${allowed.join(', ')}, got ${String(value)}`);
  }
}

/** A cache key part: equal for conventions that generate the same code. */
export function protobufjsKey(p: ResolvedProtobufjs | undefined): string {
  if (p === undefined) return '-';
  const flags = [p.defaults, p.arrays, p.objects, p.oneofs, p.json, p.strict].map((b) => (b ? 1 : 0)).join('');
  return `${p.longs},${p.enums},${p.bytes},${flags}`;
}

/**
 * protobufjs's camelCase: an underscore followed by a lower-case letter becomes that letter in
 * upper case, except at the very start (`c__d` → `c_D`, `foo_1bar` stays, `_x` stays). protoc's
 * json_name drops every underscore instead.
 */
export function protobufjsCamelCase(name: string): string {
  return name.slice(0, 1) + name.slice(1).replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());
}

/**
 * The property name protobufjs gives a field (or oneof) of message `messageName`. protobufjs
 * carries the well-known types as JSON with fixed names, camelCase except Any's `type_url`,
 * whatever `keepCase` says.
 */
export function protobufjsPropertyName(messageName: string, name: string, keepCase: boolean): string {
  if (messageName.startsWith('google.protobuf.')) {
    return messageName === 'google.protobuf.Any' && name === 'type_url' ? name : protobufjsCamelCase(name);
  }
  return keepCase ? name : protobufjsCamelCase(name);
}
