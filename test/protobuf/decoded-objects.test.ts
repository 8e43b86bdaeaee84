import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parse } from '../../src-ts/protobuf/index.js';

const PROTO = `syntax = "proto3";
package t;
message Item { int64 sku = 1; string title = 2; repeated string tags = 3; map<string, string> attrs = 4; }
message Order { uint64 id = 1; repeated Item items = 2; map<string, int32> counts = 3; Item first = 4; }
`;

describe('decoded Protobuf messages', () => {
  it('are plain objects: Object.prototype, own fields in field order, fresh lists and maps per message', () => {
    const codec = parse(PROTO, { filename: 't.proto' }).codec<Record<string, unknown>>('t.Order');
    const bytes = codec.encode({ id: 7n, items: [{ sku: 1n, title: 'a', tags: ['x'], attrs: { k: 'v' } }], counts: { a: 1 } });
    const a = codec.decode(bytes);
    const b = codec.decode(codec.encode({}));
    for (const value of [a, b, (a.items as object[])[0], a.counts, b.counts]) {
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect((value as object).constructor).toBe(Object);
    }
    expect(Object.keys(a)).toEqual(['id', 'items', 'counts']);
    expect(Object.keys(b)).toEqual(['id', 'items', 'counts']);
    expect(Array.isArray(b.items) && Object.getPrototypeOf(b.items) === Array.prototype).toBe(true);
    expect(b.items).not.toBe(codec.decode(codec.encode({})).items);
    expect(a).toStrictEqual({ id: 7n, items: [{ sku: 1n, title: 'a', tags: ['x'], attrs: { k: 'v' } }], counts: { a: 1 } });
  });

  it('stay in the young generation while an application keeps thousands of earlier ones (child process, V8 natives)', () => {
    // A literal in the generated decoder would be an allocation site that V8 starts to pretenure
    // once enough of its objects survive, after which every decoded message is made in old space
    // (decoding realistic orders went 2.4x slower with 2,000 of them kept).
    const script = `
      const { parse } = require('./dist/protobuf/index.js');
      const codec = parse(${JSON.stringify(PROTO)}, { filename: 't.proto' }).codec('t.Order');
      const bytes = codec.encode({ id: 7n, items: [{ sku: 1n, title: 'a', tags: ['x'], attrs: { k: 'v' } }], counts: { a: 1 } });
      const kept = [];
      for (let i = 0; i < 200000; i++) kept.push(codec.decode(bytes));
      const fresh = codec.decode(bytes);
      console.log(JSON.stringify([%InYoungGeneration(fresh), %InYoungGeneration(fresh.items[0]), %InYoungGeneration(fresh.counts), kept.length]));`;
    const root = new URL('../..', import.meta.url).pathname;
    const result = spawnSync(process.execPath, ['--allow-natives-syntax', '-e', script], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout.trim())).toEqual([true, true, true, 200000]);
  }, 130_000);
});
