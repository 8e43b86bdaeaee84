import { afterAll, beforeAll, expect, it } from 'vitest';
import { rpc } from '../../src-ts/index.js';
import { currentServerCall } from '../../src-ts/rpc/call-scope.js';
import { echoDoc } from '../rpc/echo-fixture.js';
import { grpcEchoRoot, SERVICE, type EchoRequest, type EchoResponse } from './grpc-echo-fixture.js';

// gRPC calls made by a handler carry the served call's persistent metainfo on, as Thrift and
// Kitex Protobuf calls do: given as the `parent` call option, or found through the call scope.
// The scope is process-wide, so this file (its own process in vitest) runs in order: off, then on.
const leafSaw: Array<Record<string, string>> = [];
let grpcLeaf: rpc.RpcServer;
let thriftLeaf: rpc.RpcServer;
let middle: rpc.RpcServer;
let toGrpcLeaf: rpc.GrpcClient;
let toThriftLeaf: rpc.RpcClient;
let caller: rpc.GrpcClient;
const scopeSeen: Array<string | undefined> = [];

/** What the middle handler does with each request's `msg`. */
const forwarding: Record<string, (ctx: rpc.RpcContext) => Promise<unknown>> = {
  'grpc with parent': (ctx) => toGrpcLeaf.call('Unary', { msg: '' }, { parent: ctx }),
  'grpc with parent and its own value': (ctx) => toGrpcLeaf.call('Unary', { msg: '' }, { parent: ctx, metainfo: { persistent: { TENANT: 'own' } } }),
  'grpc, scope only': () => toGrpcLeaf.call('Unary', { msg: '' }),
  'thrift, scope only': () => toThriftLeaf.call('echo', { req: { action: 'echo', msg: '' } }),
};

beforeAll(async () => {
  grpcLeaf = rpc.createServer({
    idl: grpcEchoRoot,
    service: SERVICE,
    handlers: {
      Unary: async (req: EchoRequest, ctx: rpc.RpcContext): Promise<EchoResponse> => {
        leafSaw.push(Object.fromEntries(ctx.metainfo.persistent()));
        return { msg: req.msg, index: 0, blob: new Uint8Array(0), id: 0n };
      },
    },
  });
  await grpcLeaf.listen('tcp://127.0.0.1:0');
  thriftLeaf = rpc.createServer({
    idl: echoDoc,
    service: 'EchoService',
    handlers: {
      echo: async ({ req }: { req: { action: string; msg: string } }, ctx: rpc.RpcContext) => {
        leafSaw.push(Object.fromEntries(ctx.metainfo.persistent()));
        return req;
      },
    },
  });
  await thriftLeaf.listen('tcp://127.0.0.1:0');
  toGrpcLeaf = rpc.createClient({ idl: grpcEchoRoot, service: SERVICE, address: grpcLeaf.address, transport: 'grpc' });
  toThriftLeaf = rpc.createClient({ idl: echoDoc, service: 'EchoService', address: thriftLeaf.address });
  middle = rpc.createServer({
    idl: grpcEchoRoot,
    service: SERVICE,
    handlers: {
      Unary: async (req: EchoRequest, ctx: rpc.RpcContext): Promise<EchoResponse> => {
        scopeSeen.push(currentServerCall()?.method);
        await forwarding[req.msg]!(ctx);
        return { msg: req.msg, index: 0, blob: new Uint8Array(0), id: 0n };
      },
    },
  });
  await middle.listen('tcp://127.0.0.1:0');
  caller = rpc.createClient({ idl: grpcEchoRoot, service: SERVICE, address: middle.address, transport: 'grpc' });
});

afterAll(async () => {
  await Promise.all([caller.close(), toGrpcLeaf.close(), toThriftLeaf.close()]);
  await Promise.all([middle.close({ timeoutMs: 100 }), grpcLeaf.close({ timeoutMs: 100 }), thriftLeaf.close({ timeoutMs: 100 })]);
});

const upstream = { metainfo: { persistent: { TENANT: 't-1', REGION: 'cn' }, transient: { HOP: 'one' } } };

async function through(msg: string): Promise<Record<string, string>> {
  leafSaw.length = 0;
  await caller.call('Unary', { msg }, upstream);
  expect(leafSaw).toHaveLength(1);
  return leafSaw[0]!;
}

it('a gRPC handler passing its context as parent sends its persistent metainfo on, not its transient', async () => {
  expect(await through('grpc with parent')).toEqual({ TENANT: 't-1', REGION: 'cn' });
  // The call's own value wins over the parent's.
  expect(await through('grpc with parent and its own value')).toEqual({ TENANT: 'own', REGION: 'cn' });
});

it('with the scope off, a handler\'s call without parent carries nothing of its caller', async () => {
  scopeSeen.length = 0;
  expect(await through('grpc, scope only')).toEqual({});
  expect(await through('thrift, scope only')).toEqual({});
  expect(scopeSeen).toEqual([undefined, undefined]);
});

it('with the scope on, gRPC handlers run in it: gRPC and Thrift calls they make carry the metainfo', async () => {
  rpc.enableCallScope();
  scopeSeen.length = 0;
  expect(await through('grpc, scope only')).toEqual({ TENANT: 't-1', REGION: 'cn' });
  expect(await through('thrift, scope only')).toEqual({ TENANT: 't-1', REGION: 'cn' });
  expect(scopeSeen).toEqual(['Unary', 'Unary']);
});
