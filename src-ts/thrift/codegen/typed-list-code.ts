/**
 * Numeric lists as TypedArrays: one whole-buffer kernel call per list (byte swap or varint run)
 * instead of a loop over elements. Decoding produces them under `typedArrays: true`; encoding
 * takes this path whenever it is handed a TypedArray of the list's form.
 */
import type { SourceWriter } from './source-writer.js';
import type { GenerationContext } from './context.js';
import type { TypedElement, TypedListInfo } from './typed-lists.js';

const BINARY_DECODERS: Partial<Record<TypedElement, [string, number]>> = {
  double: ['decodeFloat64BE', 8],
  i64: ['decodeInt64BE', 8],
  i32: ['decodeInt32BE', 4],
  i16: ['decodeInt16BE', 2],
};

/**
 * Reads the n{level} elements of a list whose header was just read into `target` as a
 * TypedArray. The header's count check has already bounded n{level} by the bytes present.
 */
export function emitTypedListRead(out: SourceWriter, typed: TypedListInfo, target: string, level: number, ctx: GenerationContext): void {
  const n = `n${level}`;
  const access = ctx.decoding.access;
  if (typed.element === 'i8') {
    out.line(...access.span(n));
    out.line(`${target} = new Int8Array(buf.buffer, buf.byteOffset + pos, ${n}).slice();`, `pos += ${n};`);
    return;
  }
  if (ctx.options.protocol === 'binary' || typed.element === 'double') {
    const [decoder, width] = ctx.options.protocol === 'binary' ? BINARY_DECODERS[typed.element]! : ['decodeFloat64LE', 8];
    out.line(...access.span(`${n} * ${width}`));
    out.line(`${target} = ${decoder}(buf, pos, ${n});`, `pos += ${n} * ${width};`);
    return;
  }
  const run = `d${level}`;
  if (access.segmented) {
    // A run the window may not hold whole (varints take 1 to 10 bytes) is read piece by piece.
    out.open(`if (pos + ${n} * 10 > end) {`);
    out.line(`${target} = readVarintRunInPieces(r, pos, ${n}, '${typed.element}');`, 'pos = r.pos;', ...access.reload);
    out.middle('} else {');
  }
  out.line(`const ${run} = ${typed.element === 'i64' ? 'decodeVarint64s' : 'decodeVarint32s'}(buf, pos, ${n}, true);`);
  out.line(`if (${run}.end > end) throw truncated(pos, 'a list');`);
  out.line(`${target} = ${typed.element === 'i16' ? `toInt16Array(${run}.values, pos)` : `${run}.values`};`);
  out.line(`pos = ${run}.end;`);
  if (access.segmented) out.close();
}

const BINARY_ENCODERS: Partial<Record<TypedElement, [string, number]>> = {
  double: ['encodeFloat64BE', 8],
  i64: ['encodeInt64BE', 8],
  i32: ['encodeInt32BE', 4],
  i16: ['encodeInt16BE', 2],
};

/**
 * Emits the `if (items instanceof <TypedArray>) { ... }` branch writing a whole TypedArray with a
 * kernel, and returns true; returns false (emitting nothing) when no kernel covers this element
 * type and protocol, and the element loop handles TypedArrays like arrays.
 */
export function emitTypedListWrite(
  out: SourceWriter,
  typed: TypedListInfo,
  items: string,
  header: (count: string) => { size: number; code: string[] },
  ctx: GenerationContext,
): boolean {
  const n = `${items}.length`;
  const room = (size: string): void => {
    out.line(`if (pos + ${size} > buf.length) buf = w.grow(pos, ${size});`);
  };
  const binary = ctx.options.protocol === 'binary';
  if (typed.element === 'i8') {
    out.open(`if (${items} instanceof Int8Array) {`);
    room(`${header(n).size} + ${n}`);
    out.line(...header(n).code);
    out.line(`buf.set(new Uint8Array(${items}.buffer, ${items}.byteOffset, ${n}), pos);`, `pos += ${n};`);
  } else if (binary || typed.element === 'double') {
    const [encoder, width] = binary ? BINARY_ENCODERS[typed.element]! : ['encodeFloat64LE', 8];
    out.open(`if (${items} instanceof ${typed.arrayType}) {`);
    room(`${header(n).size} + ${n} * ${width}`);
    out.line(...header(n).code);
    out.line(`${encoder}(${items}, buf, pos);`, `pos += ${n} * ${width};`);
  } else if (typed.element === 'i32' || typed.element === 'i64') {
    const bits = typed.element === 'i32' ? '32' : '64';
    out.open(`if (${items} instanceof ${typed.arrayType}) {`);
    out.line(`const size = varint${bits}sSize(${items}, true);`);
    room(`${header(n).size} + size`);
    out.line(...header(n).code);
    out.line(`pos = encodeVarint${bits}s(${items}, true, buf, pos);`);
  } else {
    return false;
  }
  return true;
}
