/**
 * Trimming a struct on the wire to a field mask: kept fields are views of the input; only Compact
 * field headers whose delta changes (because a field before them was dropped) are written anew.
 */
import type { CompiledMask, ValueMask } from './field-mask.js';
import type { Pieces } from './pieces.js';
import { fieldHeader, type WireWalker } from './wire-walk.js';

/** Appends the masked struct at `pos` to `pieces`; returns the end of the input struct. */
export function projectStruct(walker: WireWalker, pieces: Pieces, pos: number, mask: CompiledMask, depth: number): number {
  let lastId = 0;
  let keptLastId = 0;
  for (;;) {
    if (!walker.readHeader(pos, lastId)) {
      pieces.range(pos, pos + 1);
      return pos + 1;
    }
    const id = walker.headerId;
    const type = walker.headerType;
    const valueStart = walker.headerEnd;
    const end = walker.skipField(valueStart, type, depth + 1);
    const entry = mask.fields.get(id);
    if (entry !== undefined || mask.required.has(id)) {
      if (!walker.compact || lastId === keptLastId) pieces.range(pos, valueStart);
      else pieces.bytes(fieldHeader(true, id, type, keptLastId));
      if (entry?.sub !== undefined && walker.matches(type, entry.wire)) projectValue(walker, pieces, valueStart, entry.sub, depth + 1);
      else pieces.range(valueStart, end);
      keptLastId = id;
    }
    lastId = id;
    pos = end;
  }
}

/** Appends the masked value at `pos`; returns its end in the input. */
function projectValue(walker: WireWalker, pieces: Pieces, pos: number, mask: ValueMask, depth: number): number {
  switch (mask.kind) {
    case 'struct':
      return projectStruct(walker, pieces, pos, mask.mask, depth);
    case 'list': {
      const header = walker.listHeader(pos, mask.element);
      pieces.range(pos, header.bodyStart);
      let at = header.bodyStart;
      for (let i = 0; i < header.count; i++) at = projectValue(walker, pieces, at, mask.inner, depth + 1);
      return at;
    }
    case 'map': {
      const header = walker.mapHeader(pos, mask.key, mask.value);
      pieces.range(pos, header.bodyStart);
      const keyType = walker.compact ? mask.key.compact : mask.key.binary;
      let at = header.bodyStart;
      for (let i = 0; i < header.count; i++) {
        const keyEnd = walker.skipElement(at, keyType, depth + 1);
        pieces.range(at, keyEnd);
        at = projectValue(walker, pieces, keyEnd, mask.inner, depth + 1);
      }
      return at;
    }
  }
}
