import { describe, expect, test } from 'vitest';
import { fixtureDoc, everything, PROTOCOLS } from './fixtures.js';

const doc = fixtureDoc();

describe.each(PROTOCOLS)('%s round trips', (protocol) => {
  test('every type, every field set', () => {
    const codec = doc.codec('Everything', { protocol });
    const value = everything();
    const decoded = codec.decode(codec.encode(value));
    expect(decoded).toStrictEqual({ ...value, blob: decoded.blob, blobs: decoded.blobs });
    expect(Array.from(decoded.blob as Uint8Array)).toEqual([0, 1, 2, 255]);
    expect((decoded.blobs as Uint8Array[]).map((b) => Array.from(b))).toEqual([[9], []]);
    expect(Object.keys(decoded)).toEqual(Object.keys(value));
  });

  test('only the required field set', () => {
    const codec = doc.codec('Everything', { protocol });
    expect(codec.decode(codec.encode({ must: 'x' }))).toStrictEqual({ must: 'x' });
  });

  test('recursive types', () => {
    const codec = doc.codec('Tree', { protocol });
    const tree = { label: 'root', children: [{ label: 'a', children: [] }, { label: 'b', children: [{ label: 'c' }] }] };
    expect(codec.decode(codec.encode(tree))).toStrictEqual(tree);
  });
});
