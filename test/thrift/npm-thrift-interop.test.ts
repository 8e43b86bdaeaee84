// heddle against the `thrift` npm package (its generated js:node code) on a random corpus:
// byte-exact both ways, Binary and Compact. The package keeps maps as plain objects keyed by
// string: keys are limited to strings and small ints (the types it round-trips), and maps hold at
// most one entry (objects enumerate integer-like keys in numeric order, reordering the entries).
// Sets are arrays there, so they keep their order and may hold several elements.
import fc from 'fast-check';
import { afterAll, expect, test } from 'vitest';
import { parse, type ThriftDocument, type ThriftType } from '../../src-ts/thrift/index.js';
import { PROTOCOLS } from './fixtures.js';
import { generateNpmThrift, npmDecode, npmEncode, toNpm } from './peers/npm-thrift-peer.js';
import { type PeerLimits, schemaArbitrary, valueArbitrary } from './peers/random-schema.js';
import { describeWithPeers } from '../helpers/peers.js';

const SEED = Number(process.env.HEDDLE_FC_SEED ?? 20240613);
const STRUCTS = 12;
const VALUES_PER_STRUCT = 12;

const limits: PeerLimits = {
  mapKeys: ['string', 'i8', 'i16', 'i32', 'enum'],
  setElements: ['string', 'binary', 'bool', 'i8', 'i16', 'i32', 'i64', 'double', 'enum'],
  maxSetSize: 4,
  maxMapSize: 1,
  // The package's Binary writeDouble writes -0 as +0 (it tests the sign with `v < 0`).
  negativeZero: false,
};

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/**
 * Whether a value of `type` can hold a bool inside a container. The package's Compact reader
 * decodes every such bool as false (its readBool compares `trans.readByte().value`, but
 * readByte returns a number), so those values cannot round-trip through it.
 */
function holdsContainerBool(doc: ThriftDocument, type: ThriftType, inContainer = false, seen = new Set<string>()): boolean {
  switch (type.kind) {
    case 'base':
      return inContainer && type.name === 'bool';
    case 'list':
    case 'set':
      return holdsContainerBool(doc, type.element, true, seen);
    case 'map':
      return holdsContainerBool(doc, type.key, true, seen) || holdsContainerBool(doc, type.value, true, seen);
    case 'struct':
      if (seen.has(type.key)) return false;
      seen.add(type.key);
      return doc.struct(type.key).fields.some((f) => holdsContainerBool(doc, f.type, false, seen));
    default:
      return false;
  }
}

describeWithPeers(['thrift'], `thrift npm package peer (seed ${SEED})`, () => {
  const schema = fc.sample(schemaArbitrary(STRUCTS, limits), { seed: SEED, numRuns: 1 })[0]!;
  const doc = parse(schema.idl, { filename: schema.filename });
  const peer = generateNpmThrift(schema.idl, 'corpus');
  afterAll(() => peer.dispose());
  const values = schema.structs.map((s, k) => fc.sample(valueArbitrary(schema, s.name, limits), { seed: SEED + k, numRuns: VALUES_PER_STRUCT }));

  test.each(PROTOCOLS)("%s: heddle's bytes decode and re-encode identically in the package", (protocol) => {
    schema.structs.forEach((struct, k) => {
      if (protocol === 'compact' && holdsContainerBool(doc, { kind: 'struct', key: `corpus.${struct.name}` })) return;
      for (const value of values[k]!) {
        const bytes = doc.codec(struct.name, { protocol }).encode(value);
        const again = npmEncode(peer, npmDecode(peer, struct.name, bytes, protocol), protocol);
        expect(hex(again), `${struct.name} ${schema.idl}`).toBe(hex(bytes));
      }
    });
  });

  test.each(PROTOCOLS)("%s: the package's encoding of the same values is byte-identical and decodes in heddle", (protocol) => {
    schema.structs.forEach((struct, k) => {
      const codec = doc.codec(struct.name, { protocol });
      for (const value of values[k]!) {
        const object = toNpm(peer, doc, { kind: 'struct', key: `corpus.${struct.name}` }, value);
        const bytes = npmEncode(peer, object, protocol);
        expect(hex(bytes), struct.name).toBe(hex(codec.encode(value)));
        expect(codec.decode(bytes)).toStrictEqual(value);
      }
    });
  });
});
