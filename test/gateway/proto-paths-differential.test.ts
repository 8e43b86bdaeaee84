// Field paths on Protobuf bytes against decode + modify + encode, on random proto2/proto3 schemas
// and values (every scalar, enums, nested and recursive messages, repeated packed and not, maps of
// every key type, oneofs, groups). Oracles: @bufbuild/protobuf reads presence (isFieldSet) and
// reads patched bytes that are not canonical; heddle's own encode gives the canonical bytes
// a patch or projection of canonical input must equal byte for byte.
import { createFileRegistry, equals, fromBinary, isFieldSet, toJsonString, type DescMessage } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeddleError, protobuf } from '../protobuf/helpers/heddle.js';
import { propertyOf, renderSchema, schemaArb, valueArb, type FieldSpec, type MessageSpec, type SchemaSpec } from '../protobuf/helpers/random-schema.js';

type Codec = ReturnType<ReturnType<typeof protobuf.parse>['codec']>;
type Value = Record<string, unknown>;

interface Compiled {
  codec: Codec;
  desc: DescMessage;
}

const jsonName = (name: string): string => name.replace(/_(.)/g, (_, c: string) => c.toUpperCase());
const prop = (f: FieldSpec): string => propertyOf(f, jsonName);
/** The field's .proto name in a path (a group field is named after its lowercased group). */
const pname = (f: FieldSpec): string => (f.shape.kind === 'group' ? `g${f.number}` : f.name);

function compile(schema: SchemaSpec): Compiled {
  const root = protobuf.parse(renderSchema(schema), { filename: 'rnd.proto' });
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, root.toDescriptorSet()));
  return { codec: root.codec('rnd.M0'), desc: registry.getMessage('rnd.M0')! };
}

/** The same schema with every packable list's encoding flipped, so its encoder writes the other form. */
function flipPacking(schema: SchemaSpec): SchemaSpec {
  return {
    ...schema,
    messages: schema.messages.map((m) => ({
      ...m,
      fields: m.fields.map((f) => (f.label === 'repeated' && (f.shape.kind === 'enum' || (f.shape.kind === 'scalar' && f.shape.scalar !== 'string' && f.shape.scalar !== 'bytes'))
        ? { ...f, packed: !(f.packed ?? schema.syntax === 'proto3') } : f)),
    })),
  };
}

const caseArb = schemaArb.chain((schema) =>
  fc.record({
    schema: fc.constant(schema),
    values: fc.array(valueArb(schema, 0), { minLength: 2, maxLength: 4 }),
    // Replacement values for every message type, to patch in.
    pool: fc.tuple(...schema.messages.map((_, i) => valueArb(schema, i, 1))),
    seed: fc.nat(),
  }));

function isEmpty(value: unknown): boolean {
  // '0': a 64-bit zero in the codec's string form.
  if (value === undefined || value === 0 || value === 0n || value === '' || value === '0' || value === false || value === null) return true;
  if (ArrayBuffer.isView(value)) return (value as Uint8Array).length === 0;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value as object).length === 0;
  return false;
}

/** Every path into `value` (a decoded message of `spec`) two levels deep, with the value decode gives there. */
function pathsOf(schema: SchemaSpec, spec: MessageSpec, value: Value | undefined, prefix: string, depth: number, out: Array<[string, unknown]>): void {
  for (const f of spec.fields) {
    const path = `${prefix}${pname(f)}`;
    const v = value?.[prop(f)];
    out.push([path, v]);
    if (f.shape.kind === 'map') {
      const entries = (v ?? {}) as Value;
      for (const key of Object.keys(entries)) {
        const keyPath = `${path}[${JSON.stringify(key)}]`;
        out.push([keyPath, entries[key]]);
        if (f.shape.value.kind === 'message' && depth > 0) pathsOf(schema, schema.messages[f.shape.value.target]!, entries[key] as Value, `${keyPath}.`, depth - 1, out);
      }
    } else if (f.label === 'repeated') {
      const list = (v ?? []) as unknown[];
      for (let k = 0; k <= list.length; k++) {
        out.push([`${path}.${k}`, list[k]]);
        if (f.shape.kind === 'message' && depth > 0 && k < list.length) pathsOf(schema, schema.messages[f.shape.target]!, list[k] as Value, `${path}.${k}.`, depth - 1, out);
      }
    } else if (f.shape.kind === 'message' && depth > 0) {
      pathsOf(schema, schema.messages[f.shape.target]!, v as Value | undefined, `${path}.`, depth - 1, out);
    }
  }
}

/** peek of every path equals decode's value there, or is undefined where decode gives an empty value. */
function expectPeeks(schema: SchemaSpec, c: Compiled, bytes: Uint8Array): number {
  const decoded = c.codec.decode(bytes) as Value;
  const paths: Array<[string, unknown]> = [];
  pathsOf(schema, schema.messages[0]!, decoded, '', 2, paths);
  for (const [path, expected] of paths) {
    const got = c.codec.peek(bytes, path);
    if (got === undefined) expect({ path, empty: isEmpty(expected) }).toEqual({ path, empty: true });
    else expect({ path, value: got }).toEqual({ path, value: expected });
  }
  // Presence at the top level as bufbuild reads it.
  const message = fromBinary(c.desc, bytes);
  for (const f of schema.messages[0]!.fields) {
    const field = c.desc.fields.find((d) => d.number === f.number)!;
    expect({ path: pname(f), set: c.codec.peek(bytes, pname(f)) !== undefined }).toEqual({ path: pname(f), set: isFieldSet(message, field) });
  }
  const names = schema.messages[0]!.fields.map((f) => pname(f));
  expect(c.codec.peekMany(bytes, names)).toEqual(names.map((name) => c.codec.peek(bytes, name)));
  return paths.length;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function concat(...chunks: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(chunks));
}

/** A change to make: a path, the value to set there (undefined removes), and the same change on a decoded value. */
interface Change {
  path: string;
  value: unknown;
  apply(decoded: Value): Value;
}

function oneofCleared(spec: MessageSpec, f: FieldSpec, value: Value): Value {
  const out = { ...value };
  if (f.oneof !== undefined) for (const other of spec.fields) if (other.oneof === f.oneof && other !== f) delete out[prop(other)];
  return out;
}

function set(spec: MessageSpec, f: FieldSpec, value: Value, v: unknown): Value {
  const out = oneofCleared(spec, f, value);
  if (v === undefined) delete out[prop(f)];
  else out[prop(f)] = v;
  return out;
}

/** Changes at the top level and one level down, built from `pool` values and the decoded message. */
function changesFor(schema: SchemaSpec, decoded: Value, pool: Value[], seed: number): Change[] {
  const spec = schema.messages[0]!;
  const replacement = pool[0]!;
  const changes: Change[] = [];
  const hasRequired = (target: number) => schema.messages[target]!.fields.some((g) => g.label === 'required');
  spec.fields.forEach((f, i) => {
    const p = prop(f);
    const next = replacement[p];
    if (f.label !== 'required' || next !== undefined) changes.push({ path: pname(f), value: next, apply: (d) => set(spec, f, d, next) });
    const current = decoded[p];
    if (f.shape.kind === 'map') {
      const map = (current ?? {}) as Value;
      const newEntries = Object.entries((next ?? {}) as Value);
      const existing = Object.keys(map);
      if (newEntries.length > 0) {
        const [key, v] = newEntries[0]!;
        changes.push({ path: `${pname(f)}[${JSON.stringify(key)}]`, value: v, apply: (d) => ({ ...d, [p]: { ...(d[p] as Value), [key]: v } }) });
        if (existing.length > 0) {
          const old = existing[(seed + i) % existing.length]!;
          changes.push({ path: `${pname(f)}[${JSON.stringify(old)}]`, value: v, apply: (d) => ({ ...d, [p]: { ...(d[p] as Value), [old]: v } }) });
        }
      }
      if (existing.length > 0) {
        const old = existing[seed % existing.length]!;
        changes.push({ path: `${pname(f)}[${JSON.stringify(old)}]`, value: undefined, apply: (d) => {
          const m = { ...(d[p] as Value) };
          delete m[old];
          return { ...d, [p]: m };
        } });
        const target = f.shape.value.kind === 'message' ? f.shape.value.target : undefined;
        if (target !== undefined) changes.push(...nestedChanges(schema, target, pool, `${pname(f)}[${JSON.stringify(old)}]`, (d, change) => {
          const m = { ...(d[p] as Value) };
          m[old] = change((m[old] ?? {}) as Value);
          return { ...d, [p]: m };
        }));
      }
    } else if (f.label === 'repeated') {
      const list = (current ?? []) as unknown[];
      const nextList = (next ?? []) as unknown[];
      if (list.length > 0 && nextList.length > 0) {
        const k = (seed + i) % list.length;
        changes.push({ path: `${pname(f)}.${k}`, value: nextList[0], apply: (d) => ({ ...d, [p]: (d[p] as unknown[]).map((e, j) => (j === k ? nextList[0] : e)) }) });
      }
      if (list.length > 0 && f.shape.kind === 'message') {
        const k = seed % list.length;
        changes.push(...nestedChanges(schema, f.shape.target, pool, `${pname(f)}.${k}`, (d, change) => ({ ...d, [p]: (d[p] as Value[]).map((e, j) => (j === k ? change(e) : e)) })));
      }
    } else if (f.shape.kind === 'message' && (current !== undefined || !hasRequired(f.shape.target))) {
      changes.push(...nestedChanges(schema, f.shape.target, pool, pname(f), (d, change) => set(spec, f, d, change((d[p] ?? {}) as Value))));
    }
  });
  return changes;
}

function nestedChanges(schema: SchemaSpec, target: number, pool: Value[], prefix: string, wrap: (d: Value, change: (inner: Value) => Value) => Value): Change[] {
  const spec = schema.messages[target]!;
  const out: Change[] = [];
  for (const g of spec.fields) {
    if (g.label === 'required' || g.shape.kind === 'group') continue;
    const v = pool[target]![prop(g)];
    if (v === undefined) continue;
    out.push({ path: `${prefix}.${pname(g)}`, value: v, apply: (d) => wrap(d, (inner) => set(spec, g, inner, v)) });
  }
  return out;
}

function attempt<T>(run: () => T): { ok: true; value: T } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Each change patched into `bytes`, with encode of the change applied to `decoded`; both must
 * succeed or both fail (a value the encoder refuses), and only successes are returned.
 */
function patchesFor(c: Compiled, schema: SchemaSpec, bytes: Uint8Array, decoded: Value, pool: Value[], seed: number): Array<{ change: Change; ours: Uint8Array; expected: Uint8Array }> {
  const out: Array<{ change: Change; ours: Uint8Array; expected: Uint8Array }> = [];
  for (const change of changesFor(schema, decoded, pool, seed)) {
    const expected = attempt(() => c.codec.encode(change.apply(decoded)));
    const ours = attempt(() => c.codec.patch(bytes, change.path, change.value, { output: 'bytes' }));
    expect({ path: change.path, ok: ours.ok }).toEqual({ path: change.path, ok: expected.ok });
    if (ours.ok && expected.ok) out.push({ change, ours: ours.value, expected: expected.value });
  }
  return out;
}

describe('Protobuf field paths against decode + modify + encode on random schemas', () => {
  it('peek and peekMany give what decode gives, presence as bufbuild reads it', () => {
    let checked = 0;
    fc.assert(
      fc.property(caseArb, ({ schema, values }) => {
        const c = compile(schema);
        for (const value of values) checked += expectPeeks(schema, c, c.codec.encode(value));
      }),
      { numRuns: 150 },
    );
    expect(checked).toBeGreaterThan(2000);
  });

  it('peek gives values in the form of the codec options: int64 as strings or numbers, bytes as views, .proto names', () => {
    let checked = 0;
    fc.assert(
      fc.property(caseArb, ({ schema, values }) => {
        const root = protobuf.parse(renderSchema(schema), { filename: 'rnd.proto' });
        for (const options of [{ int64: 'string', bytes: 'view', keepCase: true }, { int64: 'number' }] as const) {
          const codec = root.codec('rnd.M0', options);
          for (const value of values) {
            const bytes = root.codec('rnd.M0').encode(value);
            const decoded = attempt(() => codec.decode(bytes) as Value);
            for (const f of schema.messages[0]!.fields) {
              const ours = attempt(() => codec.peek(bytes, pname(f)));
              if (!decoded.ok) continue; // number mode refuses a 64-bit value beyond 2^53; peek may too
              if (!ours.ok) throw ours.error;
              const key = 'keepCase' in options ? (f.shape.kind === 'group' ? pname(f) : f.name) : prop(f);
              if (ours.value === undefined) expect({ path: pname(f), empty: isEmpty(decoded.value[key]) }).toEqual({ path: pname(f), empty: true });
              else expect({ path: pname(f), value: ours.value }).toEqual({ path: pname(f), value: decoded.value[key] });
              checked++;
            }
          }
        }
      }),
      { numRuns: 100 },
    );
    expect(checked).toBeGreaterThan(500);
  });

  it('peek follows Protobuf merge rules on concatenated messages and mixed packed/unpacked lists', () => {
    let checked = 0;
    fc.assert(
      fc.property(caseArb, ({ schema, values }) => {
        const c = compile(schema);
        const other = compile(flipPacking(schema)).codec;
        // Concatenation is a merge: last singular scalar wins, messages merge, lists concatenate,
        // later map entries replace, a later oneof member clears the earlier one.
        const merged = concat(c.codec.encode(values[0]!), other.encode(values[1]!), ...values.slice(2).map((v) => c.codec.encode(v)));
        checked += expectPeeks(schema, c, merged);
      }),
      { numRuns: 150 },
    );
    expect(checked).toBeGreaterThan(1000);
  });

  it('patch of canonical bytes equals encode of the modified value, byte for byte, also as a LinkBuffer', () => {
    let patched = 0;
    let inserted = 0;
    fc.assert(
      fc.property(caseArb, ({ schema, values, pool, seed }) => {
        const c = compile(schema);
        const bytes = c.codec.encode(values[0]!);
        const decoded = c.codec.decode(bytes) as Value;
        // Canonical: re-encoding the decoded value gives the same bytes.
        expect(hex(c.codec.encode(decoded))).toBe(hex(bytes));
        for (const { change, ours, expected } of patchesFor(c, schema, bytes, decoded, pool, seed)) {
          expect({ path: change.path, hex: hex(ours) }).toEqual({ path: change.path, hex: hex(expected) });
          const chain = c.codec.patch(bytes, change.path, change.value);
          expect(hex(chain.next(chain.length))).toBe(hex(expected));
          if (c.codec.peek(bytes, change.path) === undefined) inserted++;
          patched++;
        }
      }),
      { numRuns: 200 },
    );
    expect(patched).toBeGreaterThan(500);
    expect(inserted).toBeGreaterThan(50);
  });

  it('patch of merged, mixed-packing bytes reads back in bufbuild as the modified merge', () => {
    let patched = 0;
    fc.assert(
      fc.property(caseArb, ({ schema, values, pool, seed }) => {
        const c = compile(schema);
        const other = compile(flipPacking(schema)).codec;
        const bytes = concat(other.encode(values[0]!), c.codec.encode(values[1]!));
        const decoded = c.codec.decode(bytes) as Value;
        for (const { change, ours, expected } of patchesFor(c, schema, bytes, decoded, pool, seed)) {
          const theirs = fromBinary(c.desc, ours);
          const reference = fromBinary(c.desc, expected);
          if (!equals(c.desc, theirs, reference)) expect({ path: change.path, json: toJsonString(c.desc, theirs) }).toEqual({ path: change.path, json: toJsonString(c.desc, reference) });
          patched++;
        }
      }),
      { numRuns: 150 },
    );
    expect(patched).toBeGreaterThan(300);
  });

  it('project equals encode of the masked value (required fields kept), on canonical and merged bytes', () => {
    let projected = 0;
    fc.assert(
      fc.property(caseArb, ({ schema, values, seed }) => {
        const c = compile(schema);
        const spec = schema.messages[0]!;
        const mask: string[] = [];
        const keep = new Map<string, string | undefined>();
        spec.fields.forEach((f, i) => {
          if ((seed >> i) % 3 === 0) {
            mask.push(pname(f));
            keep.set(prop(f), undefined);
          } else if ((seed >> i) % 3 === 1 && f.shape.kind === 'message') {
            const target = schema.messages[f.shape.target]!;
            const g = target.fields[seed % target.fields.length]!;
            if (g.shape.kind === 'group' && f.label === 'repeated') return;
            mask.push(`${pname(f)}.${pname(g)}`);
            keep.set(prop(f), pname(g));
          }
        });
        for (const bytes of [c.codec.encode(values[0]!), concat(c.codec.encode(values[0]!), c.codec.encode(values[1]!))]) {
          const decoded = c.codec.decode(bytes) as Value;
          const masked: Value = {};
          for (const f of spec.fields) {
            const p = prop(f);
            if (f.label === 'required') masked[p] = decoded[p];
            if (!keep.has(p)) continue;
            const inner = keep.get(p);
            if (inner === undefined || decoded[p] === undefined) {
              masked[p] = decoded[p];
              continue;
            }
            const target = schema.messages[(f.shape as { target: number }).target]!;
            const filter = (m: Value): Value => {
              const out: Value = {};
              for (const g of target.fields) if (pname(g) === inner || g.label === 'required') out[prop(g)] = m[prop(g)];
              return out;
            };
            masked[p] = f.label === 'repeated' ? (decoded[p] as Value[]).map(filter) : filter(decoded[p] as Value);
          }
          const expected = attempt(() => c.codec.encode(masked));
          const ours = attempt(() => c.codec.project(bytes, mask, { output: 'bytes' }));
          if (!expected.ok) continue; // a nested required field left unset by the value itself
          expect(ours.ok).toBe(true);
          if (!ours.ok) continue;
          if (hex(bytes) === hex(c.codec.encode(decoded))) expect({ mask, hex: hex(ours.value) }).toEqual({ mask, hex: hex(expected.value) });
          expect(c.codec.decode(ours.value)).toEqual(c.codec.decode(expected.value));
          projected++;
        }
      }),
      { numRuns: 150 },
    );
    expect(projected).toBeGreaterThan(200);
  });

  it('hostile bytes give a HeddleError with a code and a byte offset, never another error', () => {
    let failures = 0;
    fc.assert(
      fc.property(caseArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(), ({ schema, values, pool, seed }, flips, cut) => {
        const c = compile(schema);
        const bytes = c.codec.encode(values[0]!);
        if (bytes.length === 0) return;
        const broken = Uint8Array.from(bytes);
        for (const [at, b] of flips) broken[at % broken.length] = b;
        const inputs = [broken, bytes.subarray(0, cut % bytes.length)];
        const decoded = c.codec.decode(bytes) as Value;
        const paths = changesFor(schema, decoded, pool, seed);
        for (const input of inputs) {
          for (const change of paths) {
            for (const run of [
              () => c.codec.peek(input, change.path),
              () => c.codec.patch(input, change.path, change.value, { output: 'bytes' }),
              () => c.codec.project(input, [schema.messages[0]!.fields[0]!.shape.kind === 'group' ? `g${schema.messages[0]!.fields[0]!.number}` : schema.messages[0]!.fields[0]!.name], { output: 'bytes' }),
            ]) {
              const result = attempt(run);
              if (result.ok) continue;
              failures++;
              const error = result.error as HeddleError;
              expect(error).toBeInstanceOf(HeddleError);
              expect(error.code).toMatch(/^ERR_/);
              // Located: a byte offset for broken framing, the field path for a value decode refuses.
              if (error.code === 'ERR_TRUNCATED' || error.code === 'ERR_BAD_TYPE') expect({ code: error.code, offset: typeof error.offset }).toEqual({ code: error.code, offset: 'number' });
              else expect({ code: error.code, located: error.offset !== undefined || (error.path ?? '') !== '' }).toEqual({ code: error.code, located: true });
            }
          }
        }
      }),
      { numRuns: 200 },
    );
    expect(failures).toBeGreaterThan(100);
  });
});
