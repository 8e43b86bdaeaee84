import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import * as heddleLoader from '../../../src-ts/adapters/grpc-loader/index.js';
import type { MessageTypeDefinition } from '../../../src-ts/adapters/grpc-loader/index.js';
import { HeddleError } from '../../../src-ts/index.js';
import { PROTOS } from './helpers.js';

const OPTIONS = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

describe('heddle/grpc-loader on bad input', () => {
  it('a deserializer given bytes that are not the message names the field and offset', () => {
    const def = heddleLoader.loadSync(`${PROTOS}/route_guide.proto`, OPTIONS);
    const feature = def['routeguide.Feature'] as MessageTypeDefinition;
    // Field 2 (location) says 9 bytes follow, 2 do.
    const error = (() => { try { feature.deserialize(Buffer.from([0x12, 0x09, 0x08, 0x01])); } catch (e) { return e; } })();
    expect(error).toBeInstanceOf(HeddleError);
    expect(error).toMatchObject({ code: 'ERR_TRUNCATED', path: 'location', offset: 0 });
  });

  it('grpc-js reports a request that does not deserialize as INTERNAL; the deserializer error names field and offset', async () => {
    const def = heddleLoader.loadSync(`${PROTOS}/helloworld.proto`, OPTIONS);
    const helloworld = (grpc.loadPackageDefinition(def as never) as any).helloworld;
    const server = new grpc.Server();
    server.addService(helloworld.Greeter.service, { sayHello: (_: unknown, cb: any) => cb(null, {}), sayHelloStreamReply: (c: any) => c.end() });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    try {
      const error = await new Promise<grpc.ServiceError>((resolve) => {
        // name (field 1, a string) holding bytes that are not UTF-8.
        client.makeUnaryRequest('/helloworld.Greeter/SayHello', (b: Buffer) => b, (b: Buffer) => b, Buffer.from([0x0a, 0x02, 0xff, 0xfe]),
          (e) => resolve(e!));
      });
      // grpc-js keeps the deserializer's message on the server side; the client sees INTERNAL.
      expect(error.code).toBe(grpc.status.INTERNAL);
      expect(error.details).toBe('Error deserializing request');
      const def2 = def['helloworld.HelloRequest'] as MessageTypeDefinition;
      expect(() => def2.deserialize(Buffer.from([0x0a, 0x02, 0xff, 0xfe]))).toThrow(expect.objectContaining({ code: 'ERR_BAD_VALUE', path: 'name', offset: 2 }));
    } finally {
      client.close();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    }
  });

  it('a .proto that does not parse is an ERR_IDL_SYNTAX with file:line:column', () => {
    const dir = mkdtempSync(join(tmpdir(), 'heddle-grpc-loader-'));
    writeFileSync(join(dir, 'broken.proto'), 'syntax = "proto3";\nmessage A {\n  int32 x = ;\n}\n');
    expect(() => heddleLoader.loadSync('broken.proto', { includeDirs: [dir] })).toThrow(expect.objectContaining({
      code: 'ERR_IDL_SYNTAX', file: 'broken.proto', line: 3, column: 13,
    }));
  });

  it('a missing import names the include directories searched', () => {
    const dir = mkdtempSync(join(tmpdir(), 'heddle-grpc-loader-'));
    writeFileSync(join(dir, 'main.proto'), 'syntax = "proto3";\nimport "nowhere/dep.proto";\n');
    let error: HeddleError | undefined;
    try { heddleLoader.loadSync('main.proto', { includeDirs: [dir, PROTOS] }); } catch (e) { error = e as HeddleError; }
    expect(error?.code).toBe('ERR_UNKNOWN_TYPE');
    expect(error?.message).toContain('nowhere/dep.proto');
    expect(error?.message).toContain(`Searched: ${dir}, ${PROTOS}`);
    expect(error).toMatchObject({ file: 'main.proto', line: 2 });
  });

  it('includeDirs that is not an array is refused, as proto-loader refuses it', async () => {
    expect(() => heddleLoader.loadSync('x.proto', { includeDirs: 'protos' as never })).toThrow('The includeDirs option must be an array');
    await expect(heddleLoader.load('missing.proto', { includeDirs: [PROTOS] })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });

  it('serializing an array is refused as proto-loader refuses it', () => {
    const def = heddleLoader.loadSync(`${PROTOS}/helloworld.proto`, {});
    expect(() => (def['helloworld.HelloRequest'] as MessageTypeDefinition).serialize([] as never))
      .toThrow('expected object with helloworld.HelloRequest structure, got array instead');
  });

  it('strict turns the silent coercions into ERR_BAD_VALUE and keeps every decoded form', () => {
    const def = heddleLoader.loadSync(`${PROTOS}/stress.proto`, { ...OPTIONS, strict: true });
    const scalars = def['stress.v1.Scalars'] as MessageTypeDefinition;
    for (const [field, value] of [['f_int32', '12'], ['f_int32', 3.7], ['f_string', 5], ['f_bool', 1], ['f_double', '1.5'],
      ['color', 'PURPLE'], ['f_int64', 1.5], ['f_uint64', '-1'], ['f_bytes', 7]] as const) {
      expect(() => scalars.serialize({ [field]: value }), `${field}: ${String(value)}`).toThrow(expect.objectContaining({ code: 'ERR_BAD_VALUE', path: field }));
    }
    const lenient = heddleLoader.loadSync(`${PROTOS}/stress.proto`, OPTIONS)['stress.v1.Scalars'] as MessageTypeDefinition;
    const value = { f_int64: '-9007199254740993', f_uint64: '18446744073709551615', color: 'BLUE', f_bytes: 'AQID', f_double: 'NaN', f_bool: true };
    expect(scalars.serialize(value)).toEqual(lenient.serialize(value));
    expect(scalars.deserialize(scalars.serialize(value))).toMatchObject({ ...value, f_double: NaN, f_bytes: Buffer.from([1, 2, 3]) });
  });

  it('keeps a "__proto__" map key as an own property (proto-loader drops it)', () => {
    const maps = heddleLoader.loadSync(`${PROTOS}/stress.proto`, OPTIONS)['stress.v1.Maps'] as MessageTypeDefinition;
    const labels = JSON.parse('{"__proto__":"x","a":"b"}');
    const decoded = maps.deserialize(maps.serialize({ labels })) as { labels: Record<string, string> };
    expect(Object.hasOwn(decoded.labels, '__proto__')).toBe(true);
    expect(Object.entries(decoded.labels)).toEqual([['__proto__', 'x'], ['a', 'b']]);
  });

  it('decodes int64 map keys in decimal form, not as protobufjs hash strings', () => {
    const maps = heddleLoader.loadSync(`${PROTOS}/stress.proto`, OPTIONS)['stress.v1.Maps'] as MessageTypeDefinition;
    const decoded = maps.deserialize(maps.serialize({ names_by_big_id: { '-9223372036854775808': 'min', 42: 'x' } }));
    expect(decoded).toMatchObject({ names_by_big_id: { '-9223372036854775808': 'min', 42: 'x' } });
  });
});
