import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parse } from '../../src-ts/thrift/index.js';

// Struct names that a generated constructor's own name would shadow inside its body or that
// JavaScript reserves: the objects must still be plain and correct.
const IDL = `
struct Object { 1: i32 a, 2: optional string b }
struct v0 { 1: required list<Object> xs, 2: map<string, i64> counts, 3: string __proto__ }
struct defineOwn { 1: string __proto__, 2: i32 n }
struct Order { 1: i64 id, 2: list<Object> items, 3: map<string, string> attrs, 4: optional v0 nested, 5: defineOwn odd }
`;

describe('decoded Thrift structs', () => {
  for (const protocol of ['binary', 'compact'] as const) {
    it(`are plain objects with own fields in IDL order, whatever the struct names (${protocol})`, () => {
      const codec = parse(IDL, { filename: 'o.thrift' }).codec<Record<string, unknown>>('Order', { protocol, map: 'object' });
      const value = {
        id: 7n,
        items: [{ a: 1, b: 'x' }, { a: 2 }],
        attrs: { k: 'v' },
        nested: { xs: [{ a: 3 }], counts: { c: 9n }, ['__proto__']: 'p' },
        odd: { ['__proto__']: 'q', n: 4 },
      };
      Object.defineProperty(value.nested, '__proto__', { value: 'p', enumerable: true, writable: true, configurable: true });
      Object.defineProperty(value.odd, '__proto__', { value: 'q', enumerable: true, writable: true, configurable: true });
      const decoded = codec.decode(codec.encode(value));
      const items = decoded.items as Record<string, unknown>[];
      const nested = decoded.nested as Record<string, unknown>;
      const odd = decoded.odd as Record<string, unknown>;
      for (const object of [decoded, items[0], items[1], decoded.attrs, nested, odd]) {
        expect(Object.getPrototypeOf(object)).toBe(Object.prototype);
        expect((object as object).constructor).toBe(Object);
      }
      expect(Object.keys(decoded)).toEqual(['id', 'items', 'attrs', 'nested', 'odd']);
      expect(Object.keys(items[1]!)).toEqual(['a']);
      expect(items).toStrictEqual([{ a: 1, b: 'x' }, { a: 2 }]);
      expect(Object.getOwnPropertyDescriptor(nested, '__proto__')?.value).toBe('p');
      expect(Object.getOwnPropertyDescriptor(odd, '__proto__')?.value).toBe('q');
      expect(odd.n).toBe(4);
      expect(nested.counts).toStrictEqual({ c: 9n });
    });
  }

  it('stay in the young generation while an application keeps thousands of earlier ones (child process, V8 natives)', () => {
    const script = `
      const { parse } = require('./dist/thrift/index.js');
      const codec = parse(${JSON.stringify(IDL)}, { filename: 'o.thrift' }).codec('Order', { protocol: 'binary', map: 'object' });
      const bytes = codec.encode({ id: 7n, items: [{ a: 1, b: 'x' }, { a: 2 }], attrs: { k: 'v' } });
      const kept = [];
      for (let i = 0; i < 200000; i++) kept.push(codec.decode(bytes));
      const fresh = codec.decode(bytes);
      console.log(JSON.stringify([%InYoungGeneration(fresh), %InYoungGeneration(fresh.items[0]), %InYoungGeneration(fresh.items[1]), %InYoungGeneration(fresh.attrs), kept.length]));`;
    const root = new URL('../..', import.meta.url).pathname;
    const result = spawnSync(process.execPath, ['--allow-natives-syntax', '-e', script], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout.trim())).toEqual([true, true, true, true, 200000]);
  }, 130_000);
});
