/**
 * Field masks for `project`: a list of paths of field names, merged into a tree. A path ending at
 * a field keeps that field whole; a longer path keeps only the named parts of it. Lists, sets and
 * maps are crossed implicitly (the rest of the path applies to every element, or every map value),
 * or explicitly with a `*` segment: `items.title` and `items.*.title` mean the same.
 */
import { ErrorCode, HeddleError } from '../../errors.js';
import type { ThriftType } from '../../thrift/model.js';
import { wireTypeOf, type PathCompiler, type StructLayout, type WireType } from './compile-path.js';
import { splitPath } from './path-spec.js';

/** The mask of one struct: which fields stay, and how much of each. */
export interface CompiledMask {
  readonly layout: StructLayout;
  /** Kept fields by id: `'whole'`, or a mask of their value. */
  readonly fields: Map<number, FieldMaskEntry>;
  /** Ids of required fields, kept whole even when the mask leaves them out, so the result decodes. */
  readonly required: ReadonlySet<number>;
}

export interface FieldMaskEntry {
  /** The field's wire types, to check the header before descending. */
  readonly wire: WireType;
  /** Undefined: the whole value; otherwise the mask of its parts. */
  sub: ValueMask | undefined;
}

export type ValueMask =
  | { readonly kind: 'struct'; readonly mask: CompiledMask }
  | { readonly kind: 'list'; readonly element: WireType; readonly inner: ValueMask }
  | { readonly kind: 'map'; readonly key: WireType; readonly value: WireType; readonly inner: ValueMask };

/** Merges `paths` into a mask tree for the compiler's root struct. */
export function compileMask(paths: readonly string[], compiler: PathCompiler): CompiledMask {
  const root = emptyMask(compiler.rootLayout);
  for (const spec of paths) {
    const segments = splitPath(spec);
    let mask = root;
    for (let i = 0; i < segments.length; ) {
      const segment = segments[i]!;
      const where = segments.slice(0, i + 1).map((s) => s.text).join('.');
      const field = segment.quoted ? undefined : mask.layout.byName.get(segment.value);
      if (field === undefined) throw maskError(spec, where, `names no field of ${mask.layout.def.name}`);
      i++;
      let entry = mask.fields.get(field.id);
      if (i === segments.length) {
        // The whole field, whatever finer masks other paths asked for.
        if (entry === undefined) mask.fields.set(field.id, { wire: wireTypeOf(field.type), sub: undefined });
        else entry.sub = undefined;
        break;
      }
      if (entry !== undefined && entry.sub === undefined) break; // already whole
      // Cross containers down to the struct the rest of the path names fields of.
      let type: ThriftType = field.type;
      const crossings: ThriftType[] = [];
      while (type.kind === 'list' || type.kind === 'set' || type.kind === 'map') {
        crossings.push(type);
        if (segments[i]?.value === '*' && !segments[i]!.quoted) i++;
        type = type.kind === 'map' ? type.value : type.element;
      }
      if (type.kind !== 'struct') throw maskError(spec, where, 'has no fields to mask');
      if (i === segments.length) throw maskError(spec, where, "a '*' must be followed by a field");
      if (entry === undefined) {
        entry = { wire: wireTypeOf(field.type), sub: nestedMask(crossings, emptyMask(compiler.layoutOf(compiler.structOf(type)))) };
        mask.fields.set(field.id, entry);
      }
      mask = innermost(entry.sub!);
    }
  }
  return root;
}

function emptyMask(layout: StructLayout): CompiledMask {
  const required = new Set(layout.def.fields.filter((field) => field.requiredness === 'required').map((field) => field.id));
  return { layout, fields: new Map(), required };
}

function nestedMask(crossings: ThriftType[], mask: CompiledMask): ValueMask {
  let inner: ValueMask = { kind: 'struct', mask };
  for (let i = crossings.length - 1; i >= 0; i--) {
    const type = crossings[i]!;
    inner =
      type.kind === 'map'
        ? { kind: 'map', key: wireTypeOf(type.key), value: wireTypeOf(type.value), inner }
        : { kind: 'list', element: wireTypeOf((type as { element: ThriftType }).element), inner };
  }
  return inner;
}

function innermost(mask: ValueMask): CompiledMask {
  while (mask.kind !== 'struct') mask = mask.inner;
  return mask.mask;
}

/** A field mask path that names nothing maskable (Thrift and Protobuf masks alike). */
export function maskError(spec: string, where: string, why: string): HeddleError {
  return new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `field mask path ${JSON.stringify(spec)}: ${why}`, { path: where });
}
