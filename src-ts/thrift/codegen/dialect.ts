/**
 * What differs between Binary and Compact in generated code. The struct, container and path
 * logic is shared (encoder.ts, decoder.ts); a dialect supplies the bytes: headers and scalars.
 *
 * Conventions of the generated code the snippets rely on: the buffer is `buf`, the position
 * `pos`; encoders have the writer `w`, decoders the read state `r` and the end `end`; container
 * level L has its count in `nL` and its element type in `tL`.
 */
import type { FieldDef, ThriftType } from '../model.js';
import type { ResolvedCodecOptions } from '../codec-options.js';
import type { InputAccess } from './input-access.js';
import { WINDOWED_MAX } from '../runtime/read-text.js';

/** Code that writes at most `size` bytes at `pos`, after the caller has made room for them. */
export interface Fixed {
  readonly size: number;
  readonly code: string[];
}

/** Encoder side of a protocol. */
export interface EncodeDialect {
  /** Declarations every struct encoder starts with (Compact's previous field id). */
  readonly structLocals: string[];
  /** The header of `fields[index]`; earlier fields tell Compact whether the short form is certain. */
  fieldHeader(fields: readonly FieldDef[], index: number): Fixed;
  /** Header and value of a bool field when the protocol merges them (Compact), else undefined. */
  boolField(fields: readonly FieldDef[], index: number, value: string): Fixed | undefined;
  /** The field stop byte. */
  readonly stop: Fixed;
  /** A scalar of bounded size (value checks included), or undefined for string, binary, containers, structs. */
  fixedValue(type: ThriftType, value: string): Fixed | undefined;
  /** Statements writing a string or binary through a helper that makes its own room. */
  growingValue(type: ThriftType, value: string): string[];
  /** A list or set header for `count` elements. */
  listHeader(element: ThriftType, count: string): Fixed;
  /** A map header for `count` entries. */
  mapHeader(key: ThriftType, value: ThriftType, count: string): Fixed;
}

/** Decoder side of a protocol. */
export interface DecodeDialect {
  /** Declarations every struct decoder starts with. */
  readonly structLocals: string[];
  /** Reads the next field header into `type` and `id`; `break`s out of the field loop on STOP. */
  readonly fieldHeader: string[];
  /** An expression testing the local `type` against a field's expected wire type. */
  fieldTypeTest(type: ThriftType): string;
  /** For a bool field whose value travels in the header (Compact): the expression of the value. */
  readonly boolFromHeader: string | undefined;
  /** Statements skipping the current unknown field. */
  readonly skipField: string;
  /**
   * Statements reading a scalar, string or binary into `target`. `checked` says the bytes are known
   * to be present (a fixed-width element after the count check), so bounds checks can go.
   * `asKey` says the value is a map key (strings then go through the short-key cache); `'name'`,
   * a key of a map decoded as an object, wanted as its property name (an i64 then comes as its
   * decimal string, whatever the i64 option).
   */
  readValue(type: ThriftType, target: string, checked: boolean, asKey?: boolean | 'name'): string[];
  /** Reads a list/set header at level L into `nL`, checking the element type and the count. */
  listHeader(level: number, element: ThriftType): string[];
  /** Reads a map header at level L into `nL`, checking key and value types and the count. */
  mapHeader(level: number, key: ThriftType, value: ThriftType): string[];
  /** Bytes a fixed-width value always takes (so per-element bounds checks can go), else undefined. */
  fixedWidth(type: ThriftType): number | undefined;
  /** How the generated code reaches its input: in place, or through a moving window. */
  readonly access: InputAccess;
}

/** Builds a {@link Fixed}, dropping absent lines (a value check a type does not need). */
export function fixed(size: number, ...code: (string | undefined)[]): Fixed {
  return { size, code: code.filter((line): line is string => line !== undefined) };
}

/** The suffix of the runtime's i64 helpers for each JS form (`writeI64BinaryBigint`, ...). */
export const I64_SUFFIX = { bigint: 'Bigint', number: 'Number', string: 'String', 'node-int64': 'NodeInt64' } as const;

/** Statements writing a string or binary with the runtime helper of `protocol`, which grows `buf`. */
export function growingWrite(protocol: 'Binary' | 'Compact', type: ThriftType, value: string): string[] {
  const isBinary = type.kind === 'base' && type.name === 'binary';
  if (protocol === 'Binary' && !isBinary && /^[\w$]+$/.test(value)) return binaryStringInPlace(value);
  const writer = isBinary ? `writeBytes${protocol}` : `writeString${protocol}`;
  return [`pos = ${writer}(w, pos, ${value});`, 'buf = w.buf;'];
}

/**
 * A Binary string written in place, as runtime/strings.ts `writeStringBinary` does for short
 * strings (its limit, 48 chars): the ASCII prefix four chars at a time (text/utf8-write.ts
 * `writeAsciiPrefix`, spelled out), then `writeUtf8` from the first group that is not ASCII. A
 * call per string, of the 36 an e-commerce order holds, is what this saves; longer strings and
 * values that are not strings take `writeStringBinary`.
 */
function binaryStringInPlace(x: string): string[] {
  return [
    `if (typeof ${x} === 'string' && ${x}.length <= 48) {`,
    `  const length = ${x}.length;`,
    '  if (pos + 4 + length * 3 > buf.length) buf = w.grow(pos, 4 + length * 3);',
    '  const view = w.view;',
    '  let end = pos + 4, at = 0;',
    '  for (; at + 4 <= length; at += 4) {',
    `    const a = ${x}.charCodeAt(at), b = ${x}.charCodeAt(at + 1), c = ${x}.charCodeAt(at + 2), d = ${x}.charCodeAt(at + 3);`,
    '    if ((a | b | c | d) >= 0x80) break;',
    '    view.setUint32(end, a | (b << 8) | (c << 16) | (d << 24), true);',
    '    end += 4;',
    '  }',
    `  for (; at < length; at++) { const c = ${x}.charCodeAt(at); if (c >= 0x80) break; buf[end++] = c; }`,
    `  if (at < length) end = writeUtf8(buf, end, ${x}, at, unpairedSurrogate);`,
    '  const bytes = end - pos - 4;',
    '  buf[pos] = bytes >>> 24; buf[pos + 1] = bytes >>> 16; buf[pos + 2] = bytes >>> 8; buf[pos + 3] = bytes;',
    '  pos = end;',
    '} else {',
    `  pos = writeStringBinary(w, pos, ${x});`,
    '  buf = w.buf;',
    '}',
  ];
}

/**
 * Reads that are the same in both protocols (i8, uuid, and string/binary given the protocol's
 * length-prefix reader), or undefined for the others.
 */
export function readSharedScalar(
  name: string,
  target: string,
  checked: boolean,
  access: InputAccess,
  lengthPrefixed: (target: string, read: string, before?: string[]) => string[],
  binaryForm: Pick<ResolvedCodecOptions, 'binary' | 'bytes'>,
  asKey: boolean | 'name' = false,
): string[] | undefined {
  switch (name) {
    case 'i8':
      return [...access.check(1, 'an i8', checked), `${target} = buf[pos++] << 24 >> 24;`];
    case 'uuid':
      return [...access.check(16, 'a uuid', checked), `${target} = readUuid(buf, pos);`, 'pos += 16;'];
    case 'string':
      if (asKey !== false) return lengthPrefixed(target, 'readKeyText(r, pos, pos + len)');
      // readText's window hit, written out at each string field rather than left for V8 to
      // inline: a decoder's inlining budget ran out after a few fields (decode_b_Order inlined
      // one of its three readText calls and one of its two i64 readers), so the others were
      // calls. Everything else is readTextOutsideWindow's, as in readText (read-text.ts).
      return lengthPrefixed(target,
        `pos >= r.textStart && pos + len <= r.textEnd && len <= ${WINDOWED_MAX} && isAsciiInView(r.view, pos, pos + len) ` +
        '? r.text.substring(pos - r.textStart, pos + len - r.textStart) : readTextOutsideWindow(r, pos, pos + len)');
    case 'binary':
      if (binaryForm.bytes === 'copy') return lengthPrefixed(target, `${binaryForm.binary === 'Buffer' ? 'copyToBuffer' : 'copyBytes'}(buf, pos, pos + len)`);
      // A plain Uint8Array view: cheaper than subarray, which goes through Buffer's species. Its
      // ArrayBuffer and offset are read from `buf` once per input (see ReadState.viewsOf).
      return lengthPrefixed(target, `${binaryForm.binary === 'Buffer' ? 'new BufferView' : 'new Uint8Array'}(r.ab, r.abOffset + pos, len)`, ['if (r.viewsOf !== buf) viewInput(r, buf);']);
    default:
      return undefined;
  }
}
