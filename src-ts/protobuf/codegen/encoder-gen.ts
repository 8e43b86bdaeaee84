import { is64Bit, type FieldInfo, type FieldKind, type MessageInfo, type ScalarType } from '../descriptor/type-info.js';
import type { CodecModule } from './codec-module.js';
import { wireType } from './decoder-gen.js';
import { property, varintBytes, type SourceBuilder } from './source-builder.js';
import { HIGH, LOW } from './int64-word.js';
import { UTF8_LOOP_MAX } from './wire-write.js';
import { anyFromObjectHook } from './object-any.js';

/**
 * Emits one encoder per message type: `e<i>(m, pos)` writes `m`'s fields in field-number order
 * into the scratch buffer `output.buf` at `pos` and returns the position after them. Each field
 * checks its value's type before writing (ERR_BAD_VALUE) and makes room for what it writes;
 * helpers that may grow the buffer are followed by a reload of `buf` (and `view`).
 */
export function emitEncoders(mod: CodecModule, out: SourceBuilder): void {
  for (const message of mod.messages) emitEncoder(mod, message, out);
}

/** Largest encoding of one value of a kind, without its tag; 0 for variable-length kinds. */
function maxValueSize(kind: FieldKind): number {
  if (kind.kind === 'enum') return 10;
  if (kind.kind !== 'scalar') return 0;
  switch (kind.scalar) {
    case 'double': case 'fixed64': case 'sfixed64': return 8;
    case 'float': case 'fixed32': case 'sfixed32': return 4;
    case 'bool': return 1;
    case 'string': case 'bytes': return 0;
    default: return 10;
  }
}

/** Whether an encoder needs `view`: for doubles, floats and the four-char stores of strings. */
function usesView(message: MessageInfo): boolean {
  const viewed = (kind: FieldKind): boolean => kind.kind === 'scalar' && (kind.scalar === 'double' || kind.scalar === 'float' || kind.scalar === 'string');
  return message.fields.some((f) => viewed(f) || (f.kind === 'map' && (viewed(f.value) || f.key === 'string')));
}

class EncoderWriter {
  constructor(readonly mod: CodecModule, readonly out: SourceBuilder, readonly withView: boolean) {}

  /** Reloads the buffer (and view) after a call that may have grown it. */
  reload(): void {
    this.out.line(this.withView ? 'buf = output.buf; view = output.view;' : 'buf = output.buf;');
  }

  /** Makes room for `bytes` more bytes (an expression). */
  ensure(bytes: string | number): void {
    const grow = this.withView ? `{ buf = grow(pos, ${bytes}); view = output.view; }` : `buf = grow(pos, ${bytes});`;
    this.out.line(`if (pos + ${bytes} > buf.length) ${grow}`);
  }

  tag(fieldNumber: number, wt: number): void {
    this.out.line(varintBytes(((fieldNumber << 3) | wt) >>> 0).map((b) => `buf[pos++] = ${b};`).join(' '));
  }

  /**
   * Checks `x` against a scalar or enum type and writes it (room already made). Leaves `x`
   * unchanged unless noted.
   */
  value(kind: FieldKind & { kind: 'scalar' | 'enum' }, x: string): void {
    const out = this.out;
    if (kind.kind === 'enum') {
      // Lenient, the protobufjs profile writes any number, as fromObject passes it on.
      if (kind.enum.closed && (this.mod.pj === undefined || this.mod.pj.strict)) {
        const known = this.mod.constant(new Set(kind.enum.names.keys()));
        out.line(`if (!${known}.has(${x})) throw badEnum(${x}, ${JSON.stringify(kind.enum.fullName)});`);
      } else {
        out.line(`if ((${x} | 0) !== ${x}) throw badScalar(${x}, "an enum number (int32)");`);
      }
      out.line(`if (${x} >>> 7 === 0) buf[pos++] = ${x}; else pos = writeInt32(buf, pos, ${x});`);
      return;
    }
    const scalar = kind.scalar;
    switch (scalar) {
      case 'int32':
        out.line(`if ((${x} | 0) !== ${x}) throw badScalar(${x}, "an int32");`);
        out.line(`if (${x} >>> 7 === 0) buf[pos++] = ${x}; else pos = writeInt32(buf, pos, ${x});`);
        return;
      case 'uint32':
        out.line(`if ((${x} >>> 0) !== ${x}) throw badScalar(${x}, "a uint32");`);
        out.line(`if (${x} < 128) buf[pos++] = ${x}; else pos = writeVarint32(buf, pos, ${x});`);
        return;
      case 'sint32':
        out.line(`if ((${x} | 0) !== ${x}) throw badScalar(${x}, "an int32");`);
        out.line(`pos = writeVarint32(buf, pos, ((${x} << 1) ^ (${x} >> 31)) >>> 0);`);
        return;
      case 'bool':
        out.line(`if (${x} === true) buf[pos++] = 1; else if (${x} === false) buf[pos++] = 0; else throw badScalar(${x}, "a boolean");`);
        return;
      case 'int64':
      case 'uint64': {
        // A bigint in range goes through the scratch word here, without calls: TurboFan inlines
        // little into a large encoder (see `string`). Numbers and decimal strings take the helper.
        const range = scalar === 'int64' ? `${x} >= INT64_MIN && ${x} <= INT64_MAX` : `${x} >= 0n && ${x} <= UINT64_MAX`;
        // Values under 2^21 (three bytes: prices, counts, quantities) are written here too.
        out.block(`if (typeof ${x} === "bigint" && ${range}) {`, () => {
          out.line(`word64[0] = ${x};`, `const hi = word32[${HIGH}];`);
          out.block('if (hi === 0) {', () => {
            out.line(`const lo = word32[${LOW}];`);
            out.line('if (lo < 0x80) buf[pos++] = lo;');
            out.line('else if (lo < 0x4000) { buf[pos] = lo | 0x80; buf[pos + 1] = lo >>> 7; pos += 2; }');
            out.line('else if (lo < 0x200000) { buf[pos] = lo | 0x80; buf[pos + 1] = (lo >>> 7) | 0x80; buf[pos + 2] = lo >>> 14; pos += 3; }');
            out.line('else pos = writeVarint32(buf, pos, lo);');
          });
          out.line(`else pos = writeVarint64(buf, pos, word32[${LOW}], hi);`);
        });
        out.line(`else pos = writeInt64Varint(buf, pos, ${x}, ${scalar === 'int64'});`);
        return;
      }
      case 'sint64':
        out.line(`splitInt64(${x}, true);`, 'zigzag64();', 'pos = writeVarint64(buf, pos, halves.lo, halves.hi);');
        return;
      case 'fixed64':
      case 'sfixed64':
        out.line(`splitInt64(${x}, ${scalar === 'sfixed64'});`, 'pos = writeFixed64(buf, pos, halves.lo, halves.hi);');
        return;
      case 'fixed32':
        out.line(`if ((${x} >>> 0) !== ${x}) throw badScalar(${x}, "a uint32");`, `pos = writeFixed32(buf, pos, ${x});`);
        return;
      case 'sfixed32':
        out.line(`if ((${x} | 0) !== ${x}) throw badScalar(${x}, "an int32");`, `pos = writeFixed32(buf, pos, ${x});`);
        return;
      case 'double':
        out.line(`if (typeof ${x} !== "number") throw badScalar(${x}, "a number");`, `view.setFloat64(pos, ${x}, true);`, 'pos += 8;');
        return;
      case 'float':
        out.line(`if (typeof ${x} !== "number") throw badScalar(${x}, "a number");`, `view.setFloat32(pos, ${x}, true);`, 'pos += 4;');
        return;
      case 'string':
        out.line(`if (typeof ${x} !== "string") throw badScalar(${x}, "a string");`);
        this.string(x);
        return;
      case 'bytes':
        out.line(`if (!(${x} instanceof Uint8Array)) throw badScalar(${x}, "a Uint8Array");`);
        // Under 128 bytes the length takes one byte, and the copy needs no call (see `string`).
        out.block(`if (${x}.length < 128) {`, () => {
          this.ensure(`1 + ${x}.length`);
          out.line(`buf[pos++] = ${x}.length;`, `buf.set(${x}, pos);`, `pos += ${x}.length;`);
        });
        out.block('else {', () => {
          out.line(`pos = writeBytes(pos, ${x});`);
          this.reload();
        });
        return;
    }
  }

  /**
   * Under the protobufjs profile, converts `x` (a variable) to the field's own type when it is not
   * already of it, as object-values-write.ts says. Enum and bytes values may become undefined:
   * the field (or map entry) is then not written.
   */
  coerce(kind: FieldKind & { kind: 'scalar' | 'enum' }, x: string, repeated: boolean): void {
    const strict = this.mod.pj!.strict;
    const out = this.out;
    if (kind.kind === 'enum') {
      const numbers = this.mod.constant(kind.enum.numbers);
      out.line(`if (typeof ${x} !== "number" || (${x} | 0) !== ${x}) ${x} = toEnum(${x}, ${numbers}, ${kind.enum.closed}, ${repeated}, ${strict});`);
      return;
    }
    const scalar = kind.scalar;
    if (is64Bit(scalar)) {
      out.line(`if (typeof ${x} !== "bigint") ${x} = toInt64Number(${x}, ${scalar === 'uint64' || scalar === 'fixed64'}, ${strict});`);
      return;
    }
    switch (scalar) {
      case 'int32': case 'sint32': case 'sfixed32':
        out.line(`if ((${x} | 0) !== ${x}) ${x} = toInt32(${x}, ${strict});`);
        return;
      case 'uint32': case 'fixed32':
        out.line(`if ((${x} >>> 0) !== ${x}) ${x} = toUint32(${x}, ${strict});`);
        return;
      case 'bool':
        out.line(`if (typeof ${x} !== "boolean") ${x} = toBool(${x}, ${strict});`);
        return;
      case 'double': case 'float':
        out.line(`if (typeof ${x} !== "number") ${x} = toDouble(${x}, ${strict});`);
        return;
      case 'string':
        out.line(`if (typeof ${x} !== "string") ${x} = toText(${x}, ${strict});`);
        return;
      case 'bytes':
        out.line(`if (!(${x} instanceof Uint8Array)) ${x} = toBytes(${x}, ${strict});`);
        return;
    }
  }

  /**
   * Writes string `x` with its length prefix. Under UTF8_LOOP_MAX chars (one-byte prefix) in
   * place: the ASCII prefix four chars at a time (text/utf8-write.ts `writeAsciiPrefix`, spelled
   * out here rather than called), stopping at the first group that is not ASCII, and the rest by
   * `writeUtf8` from there; longer strings by `writeStringUtf8`. TurboFan stops inlining helpers
   * into a large encoder once its inlining budget is spent, so a call would stay a call; a Nesting
   * message writes 67 strings, and the calls measured 6-8% of its encode. Text that is not ASCII
   * pays one call, not an ASCII pass thrown away and two calls as before (the realistic orders
   * write 18 short Chinese strings each).
   */
  string(x: string): void {
    const out = this.out;
    out.block('{', () => {
      out.line(`const length = ${x}.length;`);
      out.block(`if (length < ${UTF8_LOOP_MAX}) {`, () => {
        this.ensure('1 + length * 3');
        out.line('let end = pos + 1, at = 0;');
        out.block('for (; at + 4 <= length; at += 4) {', () => {
          out.line(`const a = ${x}.charCodeAt(at), b = ${x}.charCodeAt(at + 1), c = ${x}.charCodeAt(at + 2), d = ${x}.charCodeAt(at + 3);`);
          out.line('if ((a | b | c | d) >= 0x80) break;');
          out.line('view.setUint32(end, a | (b << 8) | (c << 16) | (d << 24), true);', 'end += 4;');
        });
        out.line(`for (; at < length; at++) { const c = ${x}.charCodeAt(at); if (c >= 0x80) break; buf[end++] = c; }`);
        out.line(`if (at < length) end = writeUtf8(buf, end, ${x}, at, loneSurrogate);`);
        out.line('buf[pos] = end - pos - 1;', 'pos = end;');
      });
      out.block('else {', () => { out.line(`pos = writeStringUtf8(pos, ${x});`); this.reload(); });
    });
  }

  /**
   * Writes the length of what was written after the one-byte placeholder at `start` (`buf` is
   * current). Under 128 bytes it fits the placeholder; only longer content calls patchLength,
   * which moves it right.
   */
  patch(start: string): void {
    this.out.line(`if (pos - ${start} <= 128) buf[${start}] = pos - ${start} - 1;`);
    this.out.block('else {', () => {
      this.out.line(`pos = patchLength(${start}, pos);`);
      this.reload();
    });
  }

  /** A whole field with tag: scalar, enum, message or group value `x` (presence already checked). */
  element(field: FieldInfo, kind: FieldKind & { kind: 'scalar' | 'enum' | 'message' }, x: string): void {
    const out = this.out;
    if (kind.kind === 'message') {
      const e = `e${this.mod.index(kind.message())}`;
      out.line(`if (typeof ${x} !== "object" || ${x} === null) throw badScalar(${x}, "a message object");`);
      if (kind.group) {
        this.ensure(5);
        this.tag(field.number, 3);
        out.line(`pos = ${e}(${x}, pos);`);
        this.reload();
        this.ensure(5);
        this.tag(field.number, 4);
      } else {
        this.ensure(6);
        this.tag(field.number, 2);
        out.line('start = pos++;', `pos = ${e}(${x}, pos);`);
        this.reload();
        this.patch('start');
      }
      return;
    }
    const size = maxValueSize(kind);
    this.ensure(5 + size);
    this.tag(field.number, wireType(kind));
    this.value(kind, x);
  }
}

function emitEncoder(mod: CodecModule, message: MessageInfo, out: SourceBuilder): void {
  const i = mod.index(message);
  const withView = usesView(message);
  const w = new EncoderWriter(mod, out, withView);
  const props = mod.constant(message.fields.map((f) => mod.propertyName(f)));
  out.line(`// ${message.fullName}`);
  out.block(`function e${i}(m, pos) {`, () => {
    if (mod.pj !== undefined && message.fullName === 'google.protobuf.Any' && mod.lookup !== undefined) {
      out.line(`if (m["@type"]) m = ${mod.constant(anyFromObjectHook(mod.lookup))}(m);`);
    }
    out.line(withView ? 'let buf = output.buf, view = output.view;' : 'let buf = output.buf;');
    out.line('let v, fi = -1, ix, start = 0;');
    out.block('try {', () => {
      // Lenient, the protobufjs profile writes every member that is set, as protobufjs does.
      for (const oneof of mod.pj === undefined || mod.pj.strict ? message.oneofs : []) {
        const present = oneof.fields.map((name) => {
          const p = property('m', mod.propertyName(message.fields.find((f) => f.name === name)!));
          return `(${p} !== undefined && ${p} !== null ? 1 : 0)`;
        });
        out.line(`if (${present.join(' + ')} > 1) throw oneofConflict(${JSON.stringify(oneof.name)});`);
      }
      message.fields.forEach((field, index) => emitField(w, field, index));
      if (mod.options.keepUnknown) {
        out.line('fi = -1;');
        out.line('v = m.$unknown;');
        out.line('if (v !== undefined) { for (const chunk of v) pos = writeRaw(pos, chunk); buf = output.buf; }');
      }
    }, `} catch (e) { throw fi < 0 ? e : withPath(e, ${props}[fi], ix); }`);
    out.line('return pos;');
  });
}

function emitField(w: EncoderWriter, field: FieldInfo, index: number): void {
  const { out, mod } = w;
  const name = mod.propertyName(field);
  out.line(`fi = ${index};`, `v = ${property('m', name)};`);
  if (field.required) out.line('if (v === undefined || v === null) throw missingRequiredOnEncode();');
  // protobufjs's fromObject skips a falsy repeated or map value rather than rejecting it.
  const present = mod.pj !== undefined && !mod.pj.strict ? 'if (v) {' : 'if (v !== undefined && v !== null) {';
  if (field.kind === 'map') {
    out.block(present, () => emitMap(w, field));
    return;
  }
  if (field.repeated) {
    out.block(present, () => {
      out.line('if (!isList(v)) throw badScalar(v, "an array");');
      out.line('const n = v.length;');
      out.block('if (n !== 0) {', () => {
        if (field.packed) emitPacked(w, field as FieldInfo & { kind: 'scalar' | 'enum' });
        else {
          out.block('for (let i = 0; i < n; i++) {', () => {
            out.line('ix = i;', `${binding(mod)} x = v[i];`);
            if (mod.pj !== undefined && field.kind !== 'message') w.coerce(field as FieldInfo & { kind: 'scalar' | 'enum' }, 'x', true);
            w.element(field, field as FieldInfo & { kind: 'scalar' | 'enum' | 'message' }, 'x');
          });
        }
        out.line('ix = undefined;');
      });
    });
    return;
  }
  if (mod.pj !== undefined) {
    // Under the protobufjs profile every value that is set is written, zeros included.
    out.block('if (v !== undefined && v !== null) {', () => {
      if (field.kind === 'message') w.element(field, field, 'v');
      else {
        w.coerce(field as FieldInfo & { kind: 'scalar' | 'enum' }, 'v', false);
        out.block('if (v !== undefined) {', () => w.element(field, field as FieldInfo & { kind: 'scalar' | 'enum' }, 'v'));
      }
    });
    return;
  }
  let condition = 'v !== undefined && v !== null';
  if (field.presence === 'implicit') condition = implicitPresence(field);
  if (field.defaultValue !== undefined) condition += ` && hasOwn(m, ${JSON.stringify(name)})`;
  out.block(`if (${condition}) {`, () => w.element(field, field as FieldInfo & { kind: 'scalar' | 'enum' | 'message' }, 'v'));
}

/** proto3 implicit presence: zero values are not written. -0.0 is written, as protobuf does. */
function implicitPresence(field: FieldInfo): string {
  if (field.kind === 'enum') return 'v !== undefined && v !== 0';
  if (field.kind !== 'scalar') return 'v !== undefined && v !== null';
  const scalar: ScalarType = field.scalar;
  // A bigint is compared with 0n alone: comparing it with 0 and "0" as well costs more than the typeof.
  if (is64Bit(scalar)) return '(typeof v === "bigint" ? v !== 0n : v !== undefined && v !== 0 && v !== "0")';
  switch (scalar) {
    case 'bool': return 'v !== undefined && v !== false';
    case 'string': return 'v !== undefined && v !== ""';
    case 'bytes': return 'v !== undefined && v.length !== 0';
    case 'double': case 'float': return 'v !== undefined && (v !== 0 || 1 / v < 0)';
    default: return 'v !== undefined && v !== 0';
  }
}

/** Packed repeated scalars: one length-delimited run; whole TypedArrays go to a kernel. */
function emitPacked(w: EncoderWriter, field: FieldInfo & { kind: 'scalar' | 'enum' }): void {
  const { out } = w;
  const scalar: ScalarType = field.kind === 'enum' ? 'int32' : field.scalar;
  const width = scalar === 'double' || scalar === 'fixed64' || scalar === 'sfixed64' ? 8
    : scalar === 'float' || scalar === 'fixed32' || scalar === 'sfixed32' ? 4 : 0;
  const loop = (): void => {
    out.block('for (let i = 0; i < n; i++) {', () => {
      out.line('ix = i;', `${binding(w.mod)} x = v[i];`);
      if (w.mod.pj !== undefined) w.coerce(field, 'x', true);
      w.value(field, 'x');
    });
  };
  if (width !== 0) {
    w.ensure(`10 + n * ${width}`);
    w.tag(field.number, 2);
    out.line(`pos = writeVarint32(buf, pos, n * ${width});`);
    const kernel = FIXED_KERNELS[scalar];
    if (kernel !== undefined) {
      out.line(`if (v instanceof ${kernel.type}) { ${kernel.encode}(v, buf, pos); pos += n * ${width}; }`);
      out.block('else {', loop);
    } else loop();
    return;
  }
  const varintKernel = field.kind === 'scalar' ? VARINT_KERNELS[scalar] : undefined;
  w.ensure(5);
  w.tag(field.number, 2);
  if (varintKernel !== undefined) {
    out.block(`if (${varintKernel.types.map((t) => `v instanceof ${t}`).join(' || ')}) {`, () => {
      // Room for the longest encoding and its length prefix, so the kernel writes in one pass
      // without sizing the values first; the prefix is fixed up after.
      out.line(`const reserved = varintSize(n * ${varintKernel.maxBytes});`);
      w.ensure(`reserved + n * ${varintKernel.maxBytes}`);
      out.line(`const bodyEnd = ${varintKernel.encode}(v, ${varintKernel.zigzag}, buf, pos + reserved);`);
      out.line('pos = finishLength(pos, reserved, bodyEnd);');
    });
    out.block('else {', () => varintLoop(w, loop));
  } else varintLoop(w, loop);
}

function varintLoop(w: EncoderWriter, loop: () => void): void {
  w.ensure('1 + n * 10');
  w.out.line('start = pos++;');
  loop();
  w.patch('start');
}

const FIXED_KERNELS: Partial<Record<ScalarType, { type: string; encode: string }>> = {
  double: { type: 'Float64Array', encode: 'encodeFloat64LE' },
  float: { type: 'Float32Array', encode: 'encodeFloat32LE' },
  fixed32: { type: 'Uint32Array', encode: 'encodeUint32LE' },
  sfixed32: { type: 'Int32Array', encode: 'encodeInt32LE' },
  fixed64: { type: 'BigUint64Array', encode: 'encodeUint64LE' },
  sfixed64: { type: 'BigInt64Array', encode: 'encodeInt64LE' },
};

/** Kernels that write a whole TypedArray as varints; `maxBytes` bounds one value's encoding. */
const VARINT_KERNELS: Partial<Record<ScalarType, { types: string[]; maxBytes: number; encode: string; zigzag: boolean }>> = {
  int32: { types: ['Int32Array'], maxBytes: 10, encode: 'encodeVarint32s', zigzag: false },
  sint32: { types: ['Int32Array'], maxBytes: 5, encode: 'encodeVarint32s', zigzag: true },
  int64: { types: ['BigInt64Array'], maxBytes: 10, encode: 'encodeVarint64s', zigzag: false },
  sint64: { types: ['BigInt64Array'], maxBytes: 10, encode: 'encodeVarint64s', zigzag: true },
  uint64: { types: ['BigUint64Array'], maxBytes: 10, encode: 'encodeVarint64s', zigzag: false },
};

/** A map: one length-delimited entry per key, key (field 1) and value (field 2) always written. */
function emitMap(w: EncoderWriter, field: FieldInfo & { kind: 'map' }): void {
  const { out, mod } = w;
  out.line('if (typeof v !== "object") throw badScalar(v, "an object of map entries");');
  // How the entries are walked depends on what V8 makes of the keys (Node 20, maps of 10):
  // - string and bool keys: for-in with the own-property check reads `v[k]` through the object's
  //   enum cache, and allocates no key array;
  // - 32-bit integer keys are mostly array indices, kept as elements, which have no enum cache:
  //   Object.keys then `v[k]` took 400 ns against 540 ns for for-in. Object.keys is a snapshot:
  //   a key that a getter deleted meanwhile reads undefined, and the own-property check on such a
  //   value skips it, as for-in would;
  // - 64-bit keys beyond 2^32 are integer-like names that send every `v[k]` to the runtime:
  //   Object.entries, which reads them all in one call, took 650 ns against 820 ns for for-in.
  //   It runs every getter before the first entry is written, so an error one throws names the
  //   map field but not the key.
  const walk = field.key === 'string' || field.key === 'bool' ? 'for-in' : is64Bit(field.key) ? 'entries' : 'keys';
  if (walk === 'entries') out.line('const entries = Object.entries(v);');
  if (walk === 'keys') out.line('const keys = Object.keys(v);');
  out.block(walk === 'for-in' ? 'for (const k in v) {' : `for (let j = 0; j < ${walk}.length; j++) {`, () => {
    if (walk === 'for-in') out.line('if (!hasOwnProperty.call(v, k)) continue;', 'ix = k;', `${binding(mod)} x = v[k];`);
    if (walk === 'keys') out.line('const k = keys[j];', 'ix = k;', `${binding(mod)} x = v[k];`, 'if (x === undefined && !hasOwnProperty.call(v, k)) continue;');
    if (walk === 'entries') out.line('const entry = entries[j];', 'const k = entry[0];', 'ix = k;', `${binding(mod)} x = entry[1];`);
    if (mod.pj !== undefined && field.value.kind !== 'message') {
      w.coerce(field.value, 'x', false);
      out.line('if (x === undefined) continue;');
    }
    // Entry tag, length placeholder, key tag and the largest non-string key.
    w.ensure(17);
    w.tag(field.number, 2);
    out.line('start = pos++;');
    w.tag(1, wireType({ kind: 'scalar', scalar: field.key }));
    emitMapKey(w, field.key);
    const value = field.value;
    if (value.kind === 'message') {
      out.line('if (typeof x !== "object" || x === null) throw badScalar(x, "a message object");');
      w.ensure(6);
      w.tag(2, 2);
      out.line('const valueStart = pos++;', `pos = e${mod.index(value.message())}(x, pos);`);
      w.reload();
      w.patch('valueStart');
    } else {
      w.ensure(5 + maxValueSize(value));
      w.tag(2, wireType(value));
      w.value(value, 'x');
    }
    w.patch('start');
  });
  out.line('ix = undefined;');
}

/** Writes the string key `k` as the map's key type. */
function emitMapKey(w: EncoderWriter, key: ScalarType): void {
  const { out } = w;
  if (key === 'string') {
    w.value({ kind: 'scalar', scalar: 'string' }, 'k');
    return;
  }
  if (key === 'bool') {
    out.line('if (k === "true") buf[pos++] = 1; else if (k === "false") buf[pos++] = 0; else throw badScalar(k, "a bool map key (\\"true\\" or \\"false\\")");');
    return;
  }
  if (is64Bit(key)) {
    w.value({ kind: 'scalar', scalar: key }, 'k');
    return;
  }
  out.line(`${binding(w.mod)} kn = k === "" ? NaN : Number(k);`);
  if (w.mod.pj !== undefined) w.coerce({ kind: 'scalar', scalar: key }, 'kn', false);
  w.value({ kind: 'scalar', scalar: key }, 'kn');
}

/** How a value about to be written is bound: the protobufjs profile may coerce (reassign) it. */
function binding(mod: CodecModule): 'const' | 'let' {
  return mod.pj === undefined ? 'const' : 'let';
}
