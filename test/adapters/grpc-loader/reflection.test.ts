import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as heddleLoader from '../../../src-ts/adapters/grpc-loader/index.js';
import { protobuf } from '../../../src-ts/index.js';
import { PROTOS } from './helpers.js';

// @grpc/reflection serves heddle's PackageDefinition; a grpc-js reflection client (its protocol
// loaded through heddle/grpc-loader too) lists the services and reads back descriptors that link.
const reflectionProto = join(dirname(createRequire(import.meta.url).resolve('@grpc/reflection')), '..', 'proto', 'grpc', 'reflection', 'v1', 'reflection.proto');

describe('@grpc/reflection over heddle/grpc-loader', () => {
  let server: grpc.Server;
  let client: any;

  beforeAll(async () => {
    const definition = heddleLoader.loadSync(['grpc/testing/test.proto', 'stress.proto'], { includeDirs: [PROTOS] });
    server = new grpc.Server();
    new ReflectionService(definition).addToServer(server);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    const reflection = grpc.loadPackageDefinition(heddleLoader.loadSync(reflectionProto, { keepCase: true })) as any;
    client = new reflection.grpc.reflection.v1.ServerReflection(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });

  afterAll(async () => {
    client?.close();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  });

  const ask = (request: object): Promise<any> => new Promise((resolve, reject) => {
    const call = client.ServerReflectionInfo();
    call.on('data', (reply: unknown) => { resolve(reply); call.end(); });
    call.on('error', reject);
    call.write(request);
  });

  it('lists every service', async () => {
    const reply = await ask({ list_services: '' });
    expect(reply.list_services_response.service.map((s: { name: string }) => s.name).sort())
      .toEqual(['grpc.testing.TestService', 'stress.v1.StressService']);
  });

  it('returns descriptors of a symbol and its imports that link into the same service', async () => {
    const reply = await ask({ file_containing_symbol: 'stress.v1.StressService' });
    const files: Buffer[] = reply.file_descriptor_response.file_descriptor_proto;
    const set = Buffer.concat(files.map((f) => Buffer.concat([Buffer.from([0x0a]), varint(f.length), f])));
    const root = protobuf.fromDescriptorSet(set);
    expect(root.allFiles.map((f) => f.name)).toContain('stress.proto');
    expect(root.allFiles.map((f) => f.name)).toContain('google/protobuf/any.proto');
    const methods = root.lookupService('stress.v1.StressService').methods.map((m) => [m.name, m.clientStreaming, m.serverStreaming]);
    expect(methods).toEqual([
      ['Unary', false, false], ['ServerStream', false, true], ['ClientStream', true, false], ['Bidi', true, true],
      ['get_HTTPStatus2Code', false, false],
    ]);
  });

  it('finds the file of a message by its name', async () => {
    const reply = await ask({ file_containing_symbol: 'grpc.testing.SimpleRequest' });
    const names = reply.file_descriptor_response.file_descriptor_proto.map((f: Buffer) => protobuf.fromDescriptorSet(
      Buffer.concat([Buffer.from([0x0a]), varint(f.length), f])).files[0]!.name);
    expect(names).toContain('grpc/testing/messages.proto');
  });
});

function varint(n: number): Buffer {
  const bytes: number[] = [];
  while (n > 0x7f) { bytes.push((n & 0x7f) | 0x80); n >>>= 7; }
  bytes.push(n);
  return Buffer.from(bytes);
}
