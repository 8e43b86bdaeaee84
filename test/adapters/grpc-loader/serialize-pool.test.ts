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

  it('packs an Any given as an object with @type without giving up the slab of the message around it', () => {
    // The Any's packed message is encoded while its container writes into the pool; if that inner
    // encode carved from the pool, every such message would start a fresh 64 KiB slab.
    const slabs = new Set<ArrayBufferLike>();
    for (let i = 0; i < 200; i++) {
      const value = { any: { '@type': 'type.googleapis.com/routeguide.Point', latitude: i, longitude: -i } };
      const view = type(ours, 'stress.v1.Wkt').serialize(value);
      expect(view.equals(type(theirs, 'stress.v1.Wkt').serialize(value)), `Wkt #${i}`).toBe(true);
      slabs.add(view.buffer);
    }
    expect(slabs.size).toBeLessThanOrEqual(2);
  });

  it('keeps handed-out views intact when user code run by an encode serializes another message', () => {
    // Views from the start of a slab on: a stray encode would write at offset 0 of the slab.
    const kept: Array<{ view: Buffer; hex: string }> = [];
    for (let i = 0; kept.length < 50; i++) {
      expect(i).toBeLessThan(100_000);
      const view = type(ours, 'routeguide.Feature').serialize(feature(i, 30));
      if (view.byteOffset === 0 || kept.length > 0) kept.push({ view, hex: view.toString('hex') });
    }
    expect(new Set(kept.map(({ view }) => view.buffer)).size).toBe(1);
    let inner: Buffer | undefined;
    const location = { longitude: 2 } as Record<string, unknown>;
    // A getter, run while the Feature is being written into the pool, serializes a Point.
    Object.defineProperty(location, 'latitude', {
      enumerable: true,
      get() {
        inner = type(ours, 'routeguide.Point').serialize({ latitude: 123456, longitude: 654321 });
        return 1;
      },
    });
    const outer = type(ours, 'routeguide.Feature').serialize({ name: 'outer', location });
    expect(outer.toString('hex')).toBe(type(theirs, 'routeguide.Feature').serialize({ name: 'outer', location: { latitude: 1, longitude: 2 } }).toString('hex'));
    expect(inner!.toString('hex')).toBe(type(theirs, 'routeguide.Point').serialize({ latitude: 123456, longitude: 654321 }).toString('hex'));
    kept.forEach(({ view, hex }, i) => expect(view.toString('hex'), `Feature #${i}`).toBe(hex));
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
