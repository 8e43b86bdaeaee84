/**
 * GrpcClient.callRaw against a real @grpc/grpc-js server: request message bytes in, response
 * message bytes out, byte for byte what heddle's codec writes and reads; statuses as for call();
 * middleware sees the RawArgs; streaming methods are refused.
 */
import * as grpc from '@grpc/grpc-js';
import protobufjs from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type GrpcClient } from '../../src-ts/rpc/index.js';
import { RawArgs } from '../../src-ts/rpc/raw-args.js';
import { grpcEchoProtoPath, grpcEchoRoot, SERVICE, type EchoRequest, type EchoResponse } from './grpc-echo-fixture.js';
import { grpcJsEcho, grpcJsEchoImpl } from './grpc-js-peer.js';

const requestCodec = grpcEchoRoot.codec<EchoRequest>('grpcecho.v1.EchoRequest');
const responseCodec = grpcEchoRoot.codec<EchoResponse>('grpcecho.v1.EchoResponse');

describe('GrpcClient.callRaw against @grpc/grpc-js', () => {
  let server: grpc.Server;
  let address: string;
  beforeAll(async () => {
    server = new grpc.Server();
    server.addService(grpcJsEcho.service, grpcJsEchoImpl);
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))));
    address = `tcp://127.0.0.1:${port}`;
  });
  afterAll(() => server.forceShutdown());

  it('sends the request bytes as they are and resolves to the response bytes', async () => {
    const seen: unknown[] = [];
    const client = createClient({ idl: grpcEchoRoot, service: SERVICE, address, transport: 'grpc', middleware: [(next) => (ctx, args) => (seen.push(args.request), next(ctx, args))] }) as GrpcClient;
    const blob = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);
    const request = requestCodec.encode({ msg: '原始字节 raw', blob, id: 9007199254740993n } as EchoRequest);
    const reply = await client.callRaw('Unary', request);
    expect(reply).toBeInstanceOf(Uint8Array);
    const expected = { msg: '原始字节 raw', index: 0, blob, id: 9007199254740993n };
    expect(responseCodec.decode(reply)).toMatchObject(expected);
    // The server's own bytes, untouched: protobufjs (under grpc-js) writes the zero index too.
    const written = protobufjs.loadSync(grpcEchoProtoPath).lookupType('grpcecho.v1.EchoResponse').encode({ msg: '原始字节 raw', index: 0, blob: Buffer.from(blob), id: '9007199254740993' }).finish();
    expect(Buffer.from(reply).toString('hex')).toBe(Buffer.from(written).toString('hex'));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(RawArgs);
    expect((seen[0] as RawArgs).raw).toBe(request);
    await client.close();
  });

  it('rejects with the status the server sent, refuses streaming methods and non-bytes', async () => {
    const client = createClient({ idl: grpcEchoRoot, service: SERVICE, address, transport: 'grpc' }) as GrpcClient;
    await expect(client.callRaw('Unary', requestCodec.encode({ msg: 'not here', status: 5 } as EchoRequest))).rejects.toMatchObject({ grpcStatus: 5 });
    await expect(client.callRaw('ServerStream', new Uint8Array())).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(client.callRaw('Unary', 'text' as unknown as Uint8Array)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await client.close();
  });
});
