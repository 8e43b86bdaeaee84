import * as protoLoader from '@grpc/proto-loader';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as heddleLoader from '../../../src-ts/adapters/grpc-loader/index.js';
import type { MessageTypeDefinition, PackageDefinition } from '../../../src-ts/adapters/grpc-loader/index.js';
import { OPTION_SETS, PROTOS } from './helpers.js';
import { stressArbitraries } from './stress-values.js';

// Serializers write straight into a shared pool of 64 KiB slabs and return views of it, which
// grpc-js may copy later or keep. Every view handed out must keep its bytes however many messages
// are serialized after it: slabs fill and are replaced, messages that outgrow the room left are
// encoded again elsewhere, and an Any's packed message is encoded while its container is being
// written into the pool.

const files = [`${PROTOS}/route_guide.proto`, `${PROTOS}/stress.proto`];
const theirs = protoLoader.loadSync(files, OPTION_SETS.legacy) as unknown as PackageDefinition;
const ours = heddleLoader.loadSync(files, OPTION_SETS.legacy) as unknown as PackageDefinition;
const type = (definition: PackageDefinition, name: string) => definition[name] as MessageTypeDefinition;

/** A Feature whose name has `length` chars, mixed ASCII and Chinese by `seed`. */
function feature(seed: number, length: number): object {
  let name = '';
  for (let i = 0; name.length < length; i++) name += (seed + i) % 3 === 0 ? '北京' : `p${seed}-${i} `;
  return { name: name.slice(0, length), location: { latitude: seed * 7919, longitude: -seed * 104729 } };
}

describe('heddle/grpc-loader serializers writing into pooled memory', () => {
  it('returns views that keep their bytes across slabs filled after them, equal to proto-loader\'s after Buffer#copy', () => {
    const values = stressArbitraries(true, false);
    const tagged = (name: string, arbitrary: fc.Arbitrary<object>) => arbitrary.map((value) => [name, value] as const);
    const stress = fc.sample(fc.oneof(tagged('stress.v1.Wkt', values.wkt), tagged('stress.v1.Everything', values.everything), tagged('stress.v1.Nested', values.nested)),
      { numRuns: 300, seed: 15 });
    // Sizes from a few bytes to past the pooled limit, and jumps from small to large so a message
    // outgrows the room its predecessor's size asked for.
    const lengths = [0, 3, 40, 200, 900, 1500, 3000, 5000, 20, 7000, 1, 2500];
    const kept: Array<{ view: Buffer; expected: Buffer; typeName: string }> = [];
    let total = 0;
    for (let i = 0; total < 4 * 64 * 1024 || i < stress.length; i++) {
      const [typeName, value] = i % 3 === 2 && i / 3 < stress.length
        ? stress[(i / 3) | 0]!
        : ['routeguide.Feature', feature(i, lengths[i % lengths.length]!)] as const;
      const view = type(ours, typeName).serialize(value);
      kept.push({ view, expected: type(theirs, typeName).serialize(value), typeName });
      total += view.length;
    }
    expect(total).toBeGreaterThan(4 * 64 * 1024);
    kept.forEach(({ view, expected, typeName }, i) => {
      expect(Buffer.isBuffer(view), `${typeName} #${i}`).toBe(true);
      // What grpc-js does with a serializer's result: copy it after its 5-byte frame header.
      const frame = Buffer.alloc(view.length + 5);
      expect(view.copy(frame, 5)).toBe(view.length);
      expect(frame.subarray(5).toString('hex'), `${typeName} #${i}`).toBe(expected.toString('hex'));
    });
  });

  it('keeps views intact when a large message follows small ones near a slab\'s end (encoded again elsewhere)', () => {
    // A tiny Feature asks the pool for little room; the 7,000-char one after it needs over 21 KB
    // of room for its name, so wherever it starts in the last third of a slab it outgrows it.
    const kept: Array<{ view: Buffer; expected: Buffer }> = [];
    for (let i = 0; i < 3000; i++) {
      const value = feature(i, i % 7 === 6 ? 7000 : i % 5);
      kept.push({ view: type(ours, 'routeguide.Feature').serialize(value), expected: type(theirs, 'routeguide.Feature').serialize(value) });
    }
    kept.forEach(({ view, expected }, i) => {
      const frame = Buffer.alloc(view.length + 5);
      view.copy(frame, 5);
      expect(frame.subarray(5).equals(expected), `Feature #${i}`).toBe(true);
    });
  });
});
