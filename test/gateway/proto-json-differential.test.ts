// ProtoJSON transcoding against @bufbuild/protobuf (which passes Google's conformance suite) as the
// oracle, on random schemas and values: toJSON(bytes) is byte-identical to toJsonString(fromBinary),
// and fromJSON(json) decodes to the message fromJsonString reads, for JSON bufbuild writes in its
// default form and in its variants (proto field names, enums as numbers, defaults emitted).
import { createFileRegistry, equals, fromBinary, fromJsonString, toBinary, toJsonString, type DescMessage, type Registry } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { protobuf } from '../protobuf/helpers/heddle.js';
import { renderSchema, schemaArb, valueArb, type SchemaSpec } from '../protobuf/helpers/random-schema.js';

interface Compiled {
  codec: ReturnType<ReturnType<typeof protobuf.parse>['codec']>;
  desc: DescMessage;
  registry: Registry;
}

function compile(schema: SchemaSpec): Compiled {
  const root = protobuf.parse(renderSchema(schema), { filename: 'rnd.proto' });
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, root.toDescriptorSet()));
  return { codec: root.codec('rnd.M0'), desc: registry.getMessage('rnd.M0')!, registry };
}

const caseArb = schemaArb.chain((schema) =>
  fc.record({ schema: fc.constant(schema), values: fc.array(valueArb(schema, 0), { minLength: 1, maxLength: 5 }) }));

/** The outcome of `run`: its value, or that it threw. */
function attempt<T>(run: () => T): { ok: true; value: T } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** fromJSON of `json` reads as the message bufbuild's fromJsonString reads, or both reject it. */
function expectSameRead(c: Compiled, json: string): void {
  const theirs = attempt(() => fromJsonString(c.desc, json));
  const ours = attempt(() => c.codec.fromJSON(json));
  expect({ json, ok: ours.ok }).toEqual({ json, ok: theirs.ok });
  if (!ours.ok || !theirs.ok) return;
  const decoded = fromBinary(c.desc, ours.value);
  if (!equals(c.desc, decoded, theirs.value)) {
    expect(toJsonString(c.desc, decoded)).toBe(toJsonString(c.desc, theirs.value));
    expect(Buffer.from(toBinary(c.desc, decoded)).toString('hex')).toBe(Buffer.from(toBinary(c.desc, theirs.value)).toString('hex'));
  }
}

/** toJSON's printer options, under bufbuild's names (emitDefaultValues is its alwaysEmitImplicit). */
const PRINTERS = [
  { useProtoFieldName: true },
  { enumAsInteger: true },
  { useProtoFieldName: true, enumAsInteger: true, emitDefaultValues: true },
];

describe('ProtoJSON against @bufbuild/protobuf on random schemas', () => {
  it('toJSON is byte-identical to toJsonString, with and without default values and printer options', () => {
    let compared = 0;
    fc.assert(
      fc.property(caseArb, ({ schema, values }) => {
        const c = compile(schema);
        for (const value of values) {
          const bytes = c.codec.encode(value);
          const message = fromBinary(c.desc, bytes);
          const theirs = attempt(() => toJsonString(c.desc, message));
          const ours = attempt(() => c.codec.toJSON(bytes).toString('utf8'));
          expect(ours.ok).toBe(theirs.ok);
          if (!ours.ok || !theirs.ok) continue;
          expect(ours.value).toBe(theirs.value);
          expect(c.codec.toJSON(bytes, { emitDefaultValues: true }).toString('utf8')).toBe(toJsonString(c.desc, message, { alwaysEmitImplicit: true }));
          for (const printer of PRINTERS) {
            const options = { ...printer, alwaysEmitImplicit: printer.emitDefaultValues === true };
            expect({ printer, json: c.codec.toJSON(bytes, printer).toString('utf8') }).toEqual({ printer, json: toJsonString(c.desc, message, options) });
          }
          compared++;
        }
      }),
      { numRuns: 150 },
    );
    expect(compared).toBeGreaterThan(200);
  });

  it('fromJSON reads what fromJsonString reads: json names, proto names, enum numbers, defaults', () => {
    fc.assert(
      fc.property(caseArb, ({ schema, values }) => {
        const c = compile(schema);
        for (const value of values) {
          const message = fromBinary(c.desc, c.codec.encode(value));
          const json = attempt(() => toJsonString(c.desc, message));
          if (!json.ok) continue;
          expectSameRead(c, json.value);
          expectSameRead(c, toJsonString(c.desc, message, { useProtoFieldName: true }));
          expectSameRead(c, toJsonString(c.desc, message, { enumAsInteger: true }));
          expectSameRead(c, toJsonString(c.desc, message, { alwaysEmitImplicit: true }));
          // And the wire bytes fromJSON writes go back to the JSON bufbuild's own round trip gives
          // (not always the input: bufbuild writes a set -0.0 as 0, which reads back as unset).
          expect(c.codec.toJSON(c.codec.fromJSON(json.value)).toString('utf8')).toBe(toJsonString(c.desc, fromJsonString(c.desc, json.value)));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('packed and unpacked encodings of the same lists give the same JSON', () => {
    fc.assert(
      fc.property(caseArb, ({ schema, values }) => {
        // The same schema with every packable list's encoding flipped writes the other form.
        const flipped: SchemaSpec = {
          ...schema,
          messages: schema.messages.map((m) => ({
            ...m,
            fields: m.fields.map((f) => (f.label === 'repeated' && f.shape.kind !== 'map' && f.shape.kind !== 'message' && f.shape.kind !== 'group' &&
              !(f.shape.kind === 'scalar' && (f.shape.scalar === 'string' || f.shape.scalar === 'bytes'))
              ? { ...f, packed: !(f.packed ?? schema.syntax === 'proto3') } : f)),
          })),
        };
        const c = compile(schema);
        const other = compile(flipped);
        for (const value of values) {
          const json = attempt(() => c.codec.toJSON(c.codec.encode(value)).toString('utf8'));
          if (!json.ok) continue;
          expect(c.codec.toJSON(other.codec.encode(value)).toString('utf8')).toBe(json.value);
        }
      }),
      { numRuns: 60 },
    );
  });
});
