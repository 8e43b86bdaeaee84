/**
 * Field paths in errors. Generated functions keep, per container level L, the element index in
 * `iL` (-1 outside the loop) and in `pL` whether a map entry's key (1) or value (2) is being
 * handled; the catch block turns the current field and these into a segment like
 * `.items[3]` or `.extra[2].value`. Nested structs add their own segments on the way out.
 */
import type { FieldDef, ThriftType } from '../model.js';
import type { SourceWriter } from './source-writer.js';
import { containerDepth } from './type-info.js';

/** The deepest container nesting among `types`: how many level variables a function needs. */
export function pathLevels(types: readonly ThriftType[]): number {
  return types.reduce((max, type) => Math.max(max, containerDepth(type)), 0);
}

function segment(field: FieldDef): string {
  const name = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(field.name) ? `.${field.name}` : `[${JSON.stringify(field.name)}]`;
  const levels = containerDepth(field.type);
  const parts = [JSON.stringify(name)];
  for (let level = 1; level <= levels; level++) parts.push(`levelPath(i${level}, p${level})`);
  return parts.join(' + ');
}

/** Emitting the level variables and the path-building catch block. */
export const levelPaths = {
  /** Declarations of iL and pL for `levels` levels. */
  declare(levels: number): string {
    const names: string[] = [];
    for (let level = 1; level <= levels; level++) names.push(`i${level} = -1`, `p${level} = 0`);
    return `let ${names.join(', ')};`;
  },

  /**
   * The body of the catch block: rethrows `e` with the segment of the current field; decoders
   * (`unknownFields`) also name a skipped field by id, as `.#7`.
   */
  emitCatch(out: SourceWriter, fields: readonly FieldDef[], unknownFields = false): void {
    out.line("let at = '';");
    out.open('switch (field) {');
    fields.forEach((field, index) => out.line(`case ${index + 1}: at = ${segment(field)}; break;`));
    if (unknownFields) out.line("case -1: at = '.#' + id; break;");
    out.close();
    out.line('throw withPath(e, at);');
  },
};
