import { is64Bit, type EnumInfo, type FieldInfo, type FieldKind } from '../descriptor/type-info.js';
import type { CodecModule } from './codec-module.js';

/**
 * Default and zero values in the forms of the protobufjs profile (object-conventions.ts), built
 * once per codec and shared by every decoded message (Long objects are immutable; a shared empty
 * Buffer has nothing to change).
 */

type ValueKind = FieldKind & { kind: 'scalar' | 'enum' };

/** A field's default under `defaults`: its proto2 `[default]`, else the first enum value, else zero. */
export function pjDefaultValue(mod: CodecModule, field: FieldInfo & { kind: 'scalar' | 'enum' }): unknown {
  if (field.defaultValue !== undefined) return pjValue(mod, field, field.defaultValue);
  return pjZeroValue(mod, field);
}

/** The zero value of a kind (an enum's is its first declared value, as protobufjs takes it). */
export function pjZeroValue(mod: CodecModule, kind: ValueKind): unknown {
  if (kind.kind === 'enum') return pjValue(mod, kind, kind.enum.names.keys().next().value ?? 0);
  switch (kind.scalar) {
    case 'bool': return false;
    case 'string': return '';
    case 'bytes': return pjValue(mod, kind, new Uint8Array(0));
    default: return pjValue(mod, kind, is64Bit(kind.scalar) ? 0n : 0);
  }
}

/** A value of heddle's default form (bigint for 64-bit, number for enums, bytes) in the profile's form. */
function pjValue(mod: CodecModule, kind: ValueKind, raw: unknown): unknown {
  const pj = mod.pj!;
  if (kind.kind === 'enum') return pj.enums === 'string' ? kind.enum.names.get(raw as number) ?? raw : raw;
  const scalar = kind.scalar;
  if (is64Bit(scalar)) {
    const big = raw as bigint;
    switch (pj.longs) {
      case 'long': {
        const bits = BigInt.asUintN(64, big);
        return pj.Long!.fromBits(Number(bits & 0xffffffffn) | 0, Number(bits >> 32n) | 0, scalar === 'uint64' || scalar === 'fixed64');
      }
      case 'string': return big.toString();
      case 'number': return Number(big);
      case 'bigint': return big;
    }
  }
  if (scalar === 'bytes') {
    const bytes = raw as Uint8Array;
    return pj.bytes === 'buffer' ? Buffer.from(bytes) : pj.bytes === 'base64' ? Buffer.from(bytes).toString('base64') : [...bytes];
  }
  if (pj.json && (scalar === 'double' || scalar === 'float') && !Number.isFinite(raw)) return String(raw);
  return raw;
}

/** Value names by number, for `enums: 'string'` (aliases keep the first name). */
export function pjEnumNames(info: EnumInfo): Record<number, string> {
  const names: Record<number, string> = Object.create(null) as Record<number, string>;
  for (const [number, name] of info.names) names[number] = name;
  return names;
}
