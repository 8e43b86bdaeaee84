/**
 * Compiling a field path against a Thrift type: each text segment becomes a step that knows the
 * field id and wire types to look for, so reading and patching never consult names again.
 *
 * Field segments match the IDL name first, then the JSON name the Thrift JSON transcoder accepts
 * (`go.tag` json name, `api.key`). List and set segments are indexes; map segments are keys of a
 * string, integer or enum key type (integer keys compared by their wire bytes).
 */
import { ErrorCode, HeddleError } from '../../errors.js';
import type { FieldDef, StructDef, ThriftType } from '../../thrift/model.js';
import { binaryTypeOf, compactTypeOf } from '../../thrift/wire-types.js';
import { jsonNameOf } from '../thrift-json/descriptor.js';
import { joinSegments, splitPath, type SpecSegment } from './path-spec.js';

/** How a struct's fields are written, for placing an inserted field where encode would. */
export interface StructLayout {
  readonly def: StructDef;
  /** Write rank of each field id: encode writes fields in ascending rank. */
  readonly rank: ReadonlyMap<number, number>;
  /** Field lookup by IDL name and by JSON name. */
  readonly byName: ReadonlyMap<string, FieldDef>;
}

/** What the steps of a path need to know about one Thrift type on the wire. */
export interface WireType {
  readonly type: ThriftType;
  readonly binary: number;
  readonly compact: number;
}

export type PathStep =
  | { readonly kind: 'field'; readonly text: string; readonly owner: StructLayout; readonly field: FieldDef; readonly value: WireType }
  | { readonly kind: 'index'; readonly text: string; readonly index: number; readonly value: WireType }
  | {
      readonly kind: 'key';
      readonly text: string;
      /** The key as a JS value of the key type (string, number or bigint). */
      readonly key: string | number | bigint;
      readonly keyType: WireType;
      readonly value: WireType;
    };

/**
 * A path compiled for one codec by `codec.path(spec)`: reusable across messages, and cheaper than
 * passing the text form, which is compiled (and cached) on each first use.
 */
export class CompiledPath {
  /** @internal */
  constructor(
    /** The path as written. */
    readonly spec: string,
    /** @internal */
    readonly steps: readonly PathStep[],
    /** The codec the path was compiled for; a path from another codec is refused. */
    readonly owner: object,
  ) {}

  /** The Thrift type of the value the path leads to. */
  get type(): ThriftType {
    return this.steps[this.steps.length - 1]!.value.type;
  }

  /** The spec of the first `count` steps, for error locations. */
  prefix(count: number): string {
    return joinSegments(this.steps, count);
  }
}

const INTEGER_RANGE: Record<string, [bigint, bigint]> = {
  i8: [-(2n ** 7n), 2n ** 7n - 1n],
  i16: [-(2n ** 15n), 2n ** 15n - 1n],
  i32: [-(2n ** 31n), 2n ** 31n - 1n],
  i64: [-(2n ** 63n), 2n ** 63n - 1n],
};

/** Compiles paths against a root struct, caching struct layouts. */
export class PathCompiler {
  private readonly layouts = new Map<string, StructLayout>();

  constructor(
    private readonly root: StructDef,
    private readonly structByKey: (key: string) => StructDef,
    private readonly fieldOrder: 'declaration' | 'id',
  ) {}

  /** The layout of the root struct. */
  get rootLayout(): StructLayout {
    return this.layoutOf(this.root);
  }

  /** Compiles `spec` for `owner`; ERR_INVALID_ARGUMENT naming the segment that does not resolve. */
  compile(spec: string, owner: object): CompiledPath {
    const segments = splitPath(spec);
    const steps: PathStep[] = [];
    let current: ThriftType = { kind: 'struct', key: this.root.key };
    for (const segment of segments) {
      const step = this.step(current, segment, spec, steps.length === 0 ? '' : new CompiledPath(spec, steps, owner).prefix(steps.length));
      steps.push(step);
      current = step.value.type;
    }
    return new CompiledPath(spec, steps, owner);
  }

  /** The layout of struct `def`. */
  layoutOf(def: StructDef): StructLayout {
    let layout = this.layouts.get(def.key);
    if (layout === undefined) {
      const order = this.fieldOrder === 'id' ? [...def.fields].sort((a, b) => a.id - b.id) : def.fields;
      const byName = new Map<string, FieldDef>();
      for (const field of def.fields) byName.set(field.name, field);
      for (const field of def.fields) if (!byName.has(jsonNameOf(field))) byName.set(jsonNameOf(field), field);
      layout = { def, rank: new Map(order.map((field, rank) => [field.id, rank])), byName };
      this.layouts.set(def.key, layout);
    }
    return layout;
  }

  /** The definition behind a struct type. */
  structOf(type: ThriftType & { kind: 'struct' }): StructDef {
    return type.key === this.root.key ? this.root : this.structByKey(type.key);
  }

  private step(type: ThriftType, segment: SpecSegment, spec: string, where: string): PathStep {
    const fail = (why: string): never => {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `field path ${JSON.stringify(spec)}: segment ${JSON.stringify(segment.text)} ${why}`, {
        path: where === '' || segment.text.startsWith('[') ? `${where}${segment.text}` : `${where}.${segment.text}`,
      });
    };
    switch (type.kind) {
      case 'struct': {
        const owner = this.layoutOf(this.structOf(type));
        const field = segment.quoted ? undefined : owner.byName.get(segment.value);
        if (field === undefined) return fail(`names no field of ${owner.def.name}`);
        return { kind: 'field', text: segment.text, owner, field, value: wireTypeOf(field.type) };
      }
      case 'list':
      case 'set': {
        if (segment.quoted || !/^\d+$/.test(segment.value)) return fail(`is not an index into a ${type.kind}`);
        const index = Number(segment.value);
        if (!Number.isSafeInteger(index) || index > 0x7fffffff) return fail('is beyond any list length');
        return { kind: 'index', text: segment.text, index, value: wireTypeOf(type.element) };
      }
      case 'map': {
        const keyType = type.key;
        let key: string | number | bigint;
        if (keyType.kind === 'base' && keyType.name === 'string') key = segment.value;
        else if ((keyType.kind === 'base' && keyType.name in INTEGER_RANGE) || keyType.kind === 'enum') {
          if (segment.quoted || !/^-?\d+$/.test(segment.value)) return fail('is not an integer map key');
          const name = keyType.kind === 'enum' ? 'i32' : (keyType as { name: string }).name;
          const big = BigInt(segment.value);
          const [min, max] = INTEGER_RANGE[name]!;
          if (big < min || big > max) return fail(`is out of the ${name} range`);
          key = name === 'i64' ? big : Number(big);
        } else return fail('addresses a map whose key type cannot be written in a path');
        return { kind: 'key', text: segment.text, key, keyType: wireTypeOf(keyType), value: wireTypeOf(type.value) };
      }
      default:
        return fail('descends into a value that has no fields');
    }
  }
}

/** The wire type ids of `type` in both protocols. */
export function wireTypeOf(type: ThriftType): WireType {
  return { type, binary: binaryTypeOf(type), compact: compactTypeOf(type) };
}
