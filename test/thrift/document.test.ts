import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import * as thrift from '../../src-ts/thrift/index.js';
import { parseThriftModel } from '../../src-ts/thrift/idl/index.js';

describe('documents', () => {
  const dir = mkdtempSync(join(tmpdir(), 'heddle-doc-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('thrift.load resolves includes from disk; included types are named with their prefix', () => {
    writeFileSync(join(dir, 'shared.thrift'), 'struct Money { 1: i64 cents, 2: string currency }\n');
    writeFileSync(join(dir, 'main.thrift'), 'include "shared.thrift"\nstruct Shipment { 1: string id, 2: shared.Money cost }\n');
    const doc = thrift.load(join(dir, 'main.thrift'));
    const codec = doc.codec('Shipment', { protocol: 'compact' });
    const value = { id: 's-1', cost: { cents: 1250n, currency: 'EUR' } };
    expect(codec.decode(codec.encode(value))).toStrictEqual(value);
    expect(doc.codec('shared.Money').type).toBe('shared.Money');
    expect(() => doc.codec('Money')).toThrow(expect.objectContaining({ code: 'ERR_UNKNOWN_TYPE' }));
  });

  test('thrift.parse takes includes from memory', () => {
    const doc = thrift.parse('include "base.thrift"\nstruct A { 1: base.B b }', {
      filename: 'a.thrift',
      includes: { 'base.thrift': 'struct B { 1: bool ok }' },
    });
    expect(doc.codec('A').decode(doc.codec('A').encode({ b: { ok: true } }))).toStrictEqual({ b: { ok: true } });
  });

  test('fromModel wraps a model built elsewhere', () => {
    const model = parseThriftModel('struct P { 1: i32 x }', { filename: 'p.thrift' });
    const doc = thrift.fromModel(model);
    expect(doc.model).toBe(model);
    expect(doc.codec('P').encode({ x: 1 }).length).toBe(8);
  });

  test('field names that are unusual in JavaScript stay own data properties', () => {
    const doc = thrift.parse('struct Odd { 1: i32 constructor, 2: string __proto__, 3: bool toString, 4: i32 hasOwnProperty }', {
      filename: 'odd.thrift',
    });
    for (const protocol of ['binary', 'compact'] as const) {
      const codec = doc.codec('Odd', { protocol });
      const value = JSON.parse('{"constructor": 1, "__proto__": "p", "toString": true, "hasOwnProperty": 4}');
      const decoded = codec.decode(codec.encode(value));
      expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
      expect(Object.keys(decoded)).toEqual(['constructor', '__proto__', 'toString', 'hasOwnProperty']);
      expect(decoded.__proto__).toBe('p');
      const partial = codec.decode(codec.encode(JSON.parse('{"__proto__": "only"}')));
      expect(Object.keys(partial)).toEqual(['__proto__']);
    }
  });
});
