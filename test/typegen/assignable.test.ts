// The generated types are exactly what the codecs decode: random values of every type in the
// fixtures go through the wire (encoded by a default codec) and are decoded under each set of
// codec options; every decoded value, written as a literal, must type-check against the
// declarations `heddle types` writes for those options.
import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as protobuf from '../../src-ts/protobuf/index.js';
import type { CodecOptions as ProtobufCodecOptions } from '../../src-ts/protobuf/index.js';
import * as thrift from '../../src-ts/thrift/index.js';
import type { CodecOptions as ThriftCodecOptions } from '../../src-ts/thrift/codec-options.js';
import { protobufTypes } from '../../src-ts/typegen/protobuf-types.js';
import { thriftTypes } from '../../src-ts/typegen/thrift-types.js';
import { protobufArbitrary, thriftStructArbitrary } from './arbitrary-values.js';
import { typeCheck } from './tsc.js';
import { valueLiteral } from './value-literal.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const doc = thrift.load(fixture('shapes.thrift'));
const root = protobuf.load(fixture('shapes.proto'));
const legacy = protobuf.load(fixture('legacy.proto'));
const SAMPLES = 25;

const thriftVariants: Record<string, Omit<ThriftCodecOptions, 'protocol'>> = {
  defaults: {},
  strings: { i64: 'string', map: 'object', set: 'set', typedArrays: true },
  numbers: { i64: 'number', unset: 'null', binary: 'Buffer' },
  typed: { typedArrays: true },
};
const protobufVariants: Record<string, ProtobufCodecOptions> = {
  defaults: {},
  strings: { int64: 'string', keepCase: true, typedArrays: true },
  typed: { typedArrays: true },
};

describe('every decoded value is assignable to its generated type', () => {
  it('Thrift structs, unions and exceptions and Protobuf messages under each codec option set', () => {
    const seed = Date.now() | 0;
    const files: Record<string, string> = {};
    for (const [variant, options] of Object.entries(thriftVariants)) {
      files[`thrift-${variant}-types.ts`] = thriftTypes(doc, options);
      let values = `import type * as T from './thrift-${variant}-types.js';\n`;
      for (const type of ['Everything', 'Shape', 'NotFound']) {
        const writer = doc.codec(type);
        const reader = doc.codec(type, options);
        const samples = fc.sample(thriftStructArbitrary(doc.model, doc.struct(type), options.i64 === 'number'), { numRuns: SAMPLES, seed });
        samples.forEach((value, i) => (values += `export const ${type}${i}: T.${type} = ${valueLiteral(reader.decode(writer.encode(value)))};\n`));
      }
      files[`thrift-${variant}-values.ts`] = values;
    }
    for (const [variant, options] of Object.entries(protobufVariants)) {
      files[`proto-${variant}-types.ts`] = protobufTypes(root, options);
      let values = `import type * as T from './proto-${variant}-types.js';\n`;
      for (const [type, name] of [['shapes.v1.Everything', 'Everything'], ['shapes.v1.Point', 'Point']] as const) {
        const writer = root.codec(type);
        const reader = root.codec(type, options);
        // Implicit-presence fields, repeated fields and maps are there even when nothing was sent.
        values += `export const ${name}Empty: T.${name} = ${valueLiteral(reader.decode(new Uint8Array(0)))};\n`;
        const samples = fc.sample(protobufArbitrary(root.lookupMessage(type)), { numRuns: SAMPLES, seed });
        samples.forEach((value, i) => (values += `export const ${name}${i}: T.${name} = ${valueLiteral(reader.decode(writer.encode(value)))};\n`));
      }
      files[`proto-${variant}-values.ts`] = values;

      // proto2: required fields, defaults, closed enums.
      files[`legacy-${variant}-types.ts`] = protobufTypes(legacy, options);
      const writer = legacy.codec('legacy.v1.Account');
      const reader = legacy.codec('legacy.v1.Account', options);
      const accounts = fc.sample(protobufArbitrary(legacy.lookupMessage('legacy.v1.Account')), { numRuns: SAMPLES, seed });
      files[`legacy-${variant}-values.ts`] =
        `import type * as T from './legacy-${variant}-types.js';\n` +
        accounts.map((value, i) => `export const Account${i}: T.Account = ${valueLiteral(reader.decode(writer.encode(value)))};\n`).join('');
    }
    const diagnostics = typeCheck(files);
    expect(diagnostics, `seed ${seed}`).toEqual([]);
    // The check has teeth: a decoded value against the wrong option set's types does not compile.
    const mismatched = typeCheck({
      'thrift-defaults-types.ts': files['thrift-defaults-types.ts']!,
      'thrift-strings-values.ts': files['thrift-strings-values.ts']!.replace('./thrift-strings-types.js', './thrift-defaults-types.js'),
    });
    expect(mismatched.length).toBeGreaterThan(0);
    expect(mismatched.every((d) => d.file === 'thrift-strings-values.ts')).toBe(true);
    expect(mismatched.some((d) => /'string' is not assignable to type 'bigint'/.test(d.message))).toBe(true);
  }, 300_000);
});
