// heddle against Apache Thrift's Python library on a random corpus: byte-exact both ways.
// Apache's Python generator writes fields in ascending id order, so heddle encodes with
// fieldOrder: 'id' here (the random schemas declare ids in random order).
// Sets hold at most one element here (Python decodes sets into unordered `set`s); maps may hold
// several, since Python dicts keep insertion order.
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { parse } from '../../src-ts/thrift/index.js';
import { PROTOCOLS } from './fixtures.js';
import { type PeerLimits, schemaArbitrary, valueArbitrary } from './peers/random-schema.js';
import { type PythonCase, runPythonPeer } from './peers/python-peer.js';
import { toWireJson } from './peers/wire-json.js';
import { describeWithPeers } from '../helpers/peers.js';

const SEED = Number(process.env.HEDDLE_FC_SEED ?? 20240613);
const STRUCTS = 12;
const VALUES_PER_STRUCT = 12;

const limits: PeerLimits = {
  mapKeys: ['string', 'binary', 'bool', 'i8', 'i16', 'i32', 'i64', 'double', 'enum'],
  setElements: ['string', 'binary', 'bool', 'i8', 'i16', 'i32', 'i64', 'double', 'enum'],
  maxSetSize: 1,
  maxMapSize: 3,
  negativeZero: true,
};

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describeWithPeers(['thrift', 'python3-thrift'], `Apache Thrift Python peer (seed ${SEED})`, () => {
  const schema = fc.sample(schemaArbitrary(STRUCTS, limits), { seed: SEED, numRuns: 1 })[0]!;
  const doc = parse(schema.idl, { filename: schema.filename });
  const values = schema.structs.map((s, k) => fc.sample(valueArbitrary(schema, s.name, limits), { seed: SEED + k, numRuns: VALUES_PER_STRUCT }));
  const cases: PythonCase[] = [];
  const expected = new Map<number, { struct: string; protocol: 'binary' | 'compact'; value: Record<string, unknown>; hex: string }>();
  for (const protocol of PROTOCOLS) {
    schema.structs.forEach((struct, k) => {
      for (const value of values[k]!) {
        const bytes = hex(doc.codec(struct.name, { protocol, fieldOrder: 'id' }).encode(value));
        const id = cases.length;
        cases.push({ id, op: 'roundtrip', struct: struct.name, protocol, hex: bytes });
        cases.push({ id: id + 1, op: 'encode', struct: struct.name, protocol, value: toWireJson(value) });
        expected.set(id, { struct: struct.name, protocol, value, hex: bytes });
      }
    });
  }
  const answers = runPythonPeer(schema.idl, 'corpus', cases);

  test(`heddle's bytes decode and re-encode identically in Python (${expected.size} values)`, () => {
    for (const [id, want] of expected) {
      const answer = answers.get(id);
      expect(answer?.error, `${want.protocol} ${want.struct}`).toBeUndefined();
      expect(answer?.hex, `${want.protocol} ${want.struct} ${schema.idl}`).toBe(want.hex);
    }
  });

  test("Python's encoding of the same values is byte-identical and decodes to them in heddle", () => {
    for (const [id, want] of expected) {
      const answer = answers.get(id + 1);
      expect(answer?.error, `${want.protocol} ${want.struct}`).toBeUndefined();
      expect(answer?.hex, `${want.protocol} ${want.struct}`).toBe(want.hex);
      const decoded = doc.codec(want.struct, { protocol: want.protocol }).decode(Uint8Array.from(Buffer.from(answer!.hex!, 'hex')));
      expect(decoded).toStrictEqual(want.value);
    }
  });
});
