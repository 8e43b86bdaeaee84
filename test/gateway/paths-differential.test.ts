/**
 * peek, patch and project against heddle's own decode and encode on random schemas and values,
 * in Binary and Compact: peek equals the field of a full decode; patch equals decode-modify-encode
 * byte for byte (field order matches: both write in declaration order, and an inserted field goes
 * where encode writes it); project equals the encode of the masked value byte for byte.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { HeddleError, LinkBuffer, thrift } from '../../src-ts/index.js';
import { applyMask, getAt, maskPath, maskTree, pathsOf, pathText, randomSchema, setAt, type Step } from './paths-schema.js';

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const readAll = (out: LinkBuffer): Uint8Array => out.next(out.length);

describe.each(['binary', 'compact'] as const)('%s', (protocol) => {
  test.each(Array.from({ length: 10 }, (_, i) => i + 1))('random schema %i', (seed) => {
    const schema = randomSchema(seed * 7907, 4);
    const doc = thrift.parse(schema.idl);
    const codec = doc.codec(schema.root, { protocol });
    const required = new Set<string>();
    for (const struct of doc.model.structs.values()) for (const f of struct.fields) if (f.requiredness === 'required') required.add(f.name);
    fc.assert(
      fc.property(schema.arb, schema.arb, fc.nat(), (a, b, pick) => {
        const bytesA = codec.encode(a).slice();
        const decodedA = codec.decode(bytesA);
        const decodedB = codec.decode(codec.encode(b));
        const pathsA = pathsOf(decodedA);
        const pathsB = pathsOf(decodedB);

        // peek of every path of A, of B's paths (often absent in A), and peekMany of them all at once.
        const probes = [...pathsA, ...pathsB];
        for (const steps of probes) expect(codec.peek(bytesA, pathText(steps))).toStrictEqual(getAt(decodedA, steps));
        const firstFields = probes.slice(0, 8);
        expect(codec.peekMany(bytesA, firstFields.map(pathText))).toStrictEqual(firstFields.map((steps) => getAt(decodedA, steps)));

        // patch: B's value at one of B's paths written into A.
        if (pathsB.length > 0) {
          const steps = pathsB[pick % pathsB.length]!;
          checkPatch(codec, bytesA, decodedA, steps, getAt(decodedB, steps));
        }
        // patch to undefined removes an optional field present in A.
        const removable = pathsA.filter((s) => s.length === 1 && !required.has((s[0] as { field: string }).field));
        if (removable.length > 0) checkPatch(codec, bytesA, decodedA, removable[pick % removable.length]!, undefined);

        // project to a mask made of up to three of B's paths.
        const mask = [...new Set(pathsB.slice(pick % 5, (pick % 5) + 3).map(maskPath))];
        const masked = applyMask(decodedA, maskTree(mask), (name) => required.has(name));
        const projected = codec.project(bytesA, mask, { output: 'bytes' });
        expect(hex(projected)).toBe(hex(codec.encode(masked)));
        expect(codec.decode(projected)).toStrictEqual(codec.decode(codec.encode(masked)));
        expect(hex(readAll(codec.project(bytesA, mask)))).toBe(hex(projected));
      }),
      { numRuns: 40, seed },
    );
  });
});

function checkPatch(codec: thrift.Codec, bytes: Uint8Array, decoded: unknown, steps: Step[], value: unknown): void {
  const path = pathText(steps);
  const modified = setAt(decoded, steps, value);
  let expected: Uint8Array | undefined;
  let refusal: unknown;
  try {
    expected = modified === false ? undefined : codec.encode(modified).slice();
  } catch (error) {
    refusal = error;
  }
  if (modified === false || refusal !== undefined) {
    // An index beyond the list, or a value encode refuses (a created struct lacking a required field).
    const error = captured(() => codec.patch(bytes, path, value, { output: 'bytes' }));
    expect(error).toBeInstanceOf(HeddleError);
    if (refusal !== undefined) expect((error as HeddleError).code).toBe((refusal as HeddleError).code);
    return;
  }
  const patched = codec.patch(bytes, path, value, { output: 'bytes' });
  expect(hex(patched)).toBe(hex(expected!));
  expect(codec.decode(patched)).toStrictEqual(codec.decode(expected!));
  const chain = codec.patch(bytes, codec.path(path), value);
  expect(hex(readAll(chain))).toBe(hex(expected!));
}

function captured(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}
