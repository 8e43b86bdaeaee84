// The public entry points: parse with in-memory imports, load from disk with include
// directories, services and their streaming flags, and the generated source.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HeddleError, protobuf } from './helpers/heddle.js';
import { FIXTURES } from './helpers/protoc.js';

describe('protobuf.parse', () => {
  it('resolves imports from the imports map and names errors by filename', () => {
    const root = protobuf.parse('syntax = "proto3"; import "dep/common.proto"; message Use { common.Id id = 1; }', {
      filename: 'use.proto',
      imports: { 'dep/common.proto': 'syntax = "proto3"; package common; message Id { string value = 1; }' },
    });
    expect(root.files.map((f) => f.name)).toEqual(['use.proto']);
    expect(root.allFiles.map((f) => f.name)).toEqual(['dep/common.proto', 'use.proto']);
    expect(root.codec('Use').decode(root.codec('Use').encode({ id: { value: 'x' } }))).toEqual({ id: { value: 'x' } });
    expect(() => protobuf.parse('message {', { filename: 'bad.proto' })).toThrow(expect.objectContaining({ code: 'ERR_IDL_SYNTAX', file: 'bad.proto', line: 1, column: 9 }));
  });

  it('rejects what is not source text', () => {
    expect(() => protobuf.parse(42 as unknown as string)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });

  it('does not let an import map entry named like a prototype property resolve', () => {
    expect(() => protobuf.parse('syntax = "proto3"; import "constructor";')).toThrow(expect.objectContaining({ code: 'ERR_UNKNOWN_TYPE' }));
  });
});

describe('protobuf.load', () => {
  it('names the file relative to its include directory and finds imports there', () => {
    const root = protobuf.load(join(FIXTURES, 'imports-main.proto'));
    expect(root.files[0]!.name).toBe('imports-main.proto');
    expect(root.lookupMessage('heddle.test.imports.main.Uses').fields).toHaveLength(7);
  });

  it('searches include directories in order, and resolves a relative name inside them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'heddle-load-'));
    mkdirSync(join(dir, 'a', 'pkg'), { recursive: true });
    mkdirSync(join(dir, 'b', 'pkg'), { recursive: true });
    writeFileSync(join(dir, 'a', 'main.proto'), 'syntax = "proto3"; import "pkg/x.proto"; message M { X x = 1; }');
    writeFileSync(join(dir, 'a', 'pkg', 'x.proto'), 'syntax = "proto3"; message X { int32 first = 1; }');
    writeFileSync(join(dir, 'b', 'pkg', 'x.proto'), 'syntax = "proto3"; message X { int32 second = 1; }');
    const root = protobuf.load('main.proto', { includeDirs: [join(dir, 'b'), join(dir, 'a')] });
    expect(root.files[0]!.name).toBe('main.proto');
    expect(root.lookupMessage('X').fields[0]!.name).toBe('second');
    expect(() => protobuf.load(join(dir, 'missing.proto'))).toThrow(HeddleError);
  });
});

describe('services', () => {
  it('list methods with resolved types and streaming flags', () => {
    const service = protobuf.load(join(FIXTURES, 'scalars3.proto')).lookupService('heddle.test.v1.ShipmentService');
    expect(service.methods.map(({ name, inputType, outputType, clientStreaming, serverStreaming }) =>
      ({ name, inputType, outputType, clientStreaming, serverStreaming }))).toEqual([
      { name: 'Get', inputType: 'heddle.test.v1.Scalars', outputType: 'heddle.test.v1.Presence', clientStreaming: false, serverStreaming: false },
      { name: 'Upload', inputType: 'heddle.test.v1.Repeated', outputType: 'google.protobuf.Empty', clientStreaming: true, serverStreaming: false },
      { name: 'Watch', inputType: 'heddle.test.v1.Maps', outputType: 'heddle.test.v1.Outer', clientStreaming: false, serverStreaming: true },
      { name: 'Chat', inputType: 'heddle.test.v1.Outer.Middle', outputType: 'heddle.test.v1.Outer.Middle.Inner', clientStreaming: true, serverStreaming: true },
    ]);
    expect(service.proto.options).toEqual({ deprecated: true });
    expect(() => protobuf.load(join(FIXTURES, 'scalars3.proto')).lookupService('Nope')).toThrow(expect.objectContaining({ code: 'ERR_UNKNOWN_TYPE' }));
  });
});

describe('generated code', () => {
  it('is readable JavaScript named after the schema', () => {
    const codec = protobuf.load(join(FIXTURES, 'baseline.proto')).codec('baseline.OrderItem');
    expect(codec.source).toContain('// baseline.OrderItem');
    expect(codec.source).toContain('m.skuId');
    expect(codec.source.split('\n').length).toBeGreaterThan(50);
  });
});
