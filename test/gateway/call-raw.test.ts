/**
 * `client.callRaw` against real servers: the `thrift` npm package's (Framed, Binary and Compact)
 * and heddle's (TTHeader, Thrift and Kitex Protobuf). A BFF's path end to end: a JSON body
 * transcoded to argument bytes, the same bytes forwarded to two services, a field patched on the
 * way, the reply read with peek and rendered with toJSON; declared exceptions stay in the reply
 * bytes, application exceptions, business status, timeouts and metainfo behave as in `call`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startThriftServer } from '../../bench/rpc/peers.mjs';
import { discovery, HeddleError } from '../../src-ts/index.js';
import { createClient, createServer, type RpcServer } from '../../src-ts/rpc/index.js';
import { describeWithPeers } from '../helpers/peers.js';
import { echoDoc, echoHandlers } from '../rpc/echo-fixture.js';
import { echoProtoHandlers, echoRoot } from '../rpc/protobuf-echo-fixture.js';

describeWithPeers(['thrift'], 'callRaw on Thrift', () =>
  describe.each(['binary', 'compact'] as const)('%s', (protocol) => {
    let apache: { address: string; close(): Promise<void> };
    let server: RpcServer;
    const method = echoDoc.service('EchoService', { protocol }).method('echo');
    beforeAll(async () => {
      apache = await startThriftServer('tcp://127.0.0.1:0', 'framed', protocol);
      server = createServer({ idl: echoDoc, service: 'EchoService', handlers: echoHandlers, protocol, log: () => {} });
      await server.listen('tcp://127.0.0.1:0');
    });
    afterAll(async () => {
      await apache.close();
      await server.close();
    });

    it('forwards the same argument bytes to the thrift package and to heddle', async () => {
      const toApache = createClient({ idl: echoDoc, service: 'EchoService', address: apache.address, transport: 'framed', protocol });
      const toHeddle = createClient({ idl: echoDoc, service: 'EchoService', address: server.address, protocol });
      try {
        const body = JSON.stringify({ req: { action: 'echo', msg: '你好, BFF 🚀 mixed text' } });
        const args = method.args.fromJSON(body);
        const [fromApache, fromHeddle] = await Promise.all([toApache.callRaw('echo', args), toHeddle.callRaw('echo', args)]);
        expect(Buffer.from(fromApache)).toEqual(Buffer.from(fromHeddle));
        expect(Buffer.from(fromApache)).toEqual(Buffer.from(method.result.encode({ success: { action: 'echo', msg: '你好, BFF 🚀 mixed text' } })));
        expect(method.result.peek(fromApache, 'success.msg')).toBe('你好, BFF 🚀 mixed text');
        expect(JSON.parse(method.result.toJSON(fromHeddle).toString())).toEqual({ success: { action: 'echo', msg: '你好, BFF 🚀 mixed text' } });
        // The reply's bytes, patched, go on to the other service as new arguments.
        const patched = method.args.patch(args, 'req.msg', method.result.peek(fromApache, 'success.msg') + ' → heddle', { output: 'bytes' });
        const second = await toHeddle.callRaw('echo', patched);
        expect(method.result.peek(second, 'success')).toEqual({ action: 'echo', msg: '你好, BFF 🚀 mixed text → heddle' });
        // Bytes heddle's own encoder made are as good, and so is the ordinary call on the same client.
        const encoded = method.args.encode({ req: { action: 'echo', msg: 'x'.repeat(100_000) } });
        expect(method.result.peek(await toApache.callRaw('echo', encoded), 'success.msg')).toBe('x'.repeat(100_000));
        expect(await toApache.call('echo', { req: { action: 'echo', msg: 'typed' } })).toEqual({ action: 'echo', msg: 'typed' });
      } finally {
        await toApache.close();
        await toHeddle.close();
      }
    });

    it('keeps declared exceptions in the reply and rejects the rest as call does', async () => {
      const client = createClient({ idl: echoDoc, service: 'EchoService', address: server.address, protocol, timeoutMs: 10_000 });
      try {
        const thrown = await client.callRaw('echo', method.args.encode({ req: { action: 'throw', msg: 'declared' } }));
        expect(method.result.peek(thrown, 'err')).toEqual({ code: 7, message: 'declared' });
        expect(method.result.peek(thrown, 'success')).toBeUndefined();
        const crash = await client.callRaw('echo', method.args.encode({ req: { action: 'crash', msg: 'boom' } })).catch((e: unknown) => e);
        expect(crash).toBeInstanceOf(HeddleError);
        expect((crash as HeddleError).code).toBe('ERR_REMOTE');
        const slow = await client.callRaw('echo', method.args.encode({ req: { action: 'sleep', msg: '3000' } }), { timeoutMs: 300 }).catch((e: unknown) => e);
        expect((slow as HeddleError).code).toBe('ERR_TIMEOUT');
        const meta = await client.callRaw('echo', method.args.encode({ req: { action: 'meta', msg: '' } }), { metainfo: { persistent: { tenant: 't-1' } } });
        expect(JSON.parse(method.result.peek(meta, 'success.msg') as string).persistent).toEqual({ tenant: 't-1' });
        await expect(client.callRaw('nope', new Uint8Array(1))).rejects.toMatchObject({ code: 'ERR_UNKNOWN_TYPE' });
        await expect(client.callRaw('echo', 'text' as unknown as Uint8Array)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
      } finally {
        await client.close();
      }
    });
  }),
);

describe('callRaw on Kitex Protobuf', () => {
  let server: RpcServer;
  const codec = echoRoot.codec('echo.v1.EchoRequest');
  beforeAll(async () => {
    server = createServer({ idl: echoRoot, service: 'echo.v1.Echo', handlers: echoProtoHandlers, log: () => {} });
    await server.listen('tcp://127.0.0.1:0');
  });
  afterAll(() => server.close());

  it('sends the request message bytes and resolves to the response message bytes', async () => {
    const client = createClient({ idl: echoRoot, service: 'echo.v1.Echo', address: server.address });
    try {
      const request = { action: 'echo', msg: '中文 payload', id: 2n ** 63n - 1n, tags: ['a', 'b'] };
      const reply = await client.callRaw('Echo', codec.encode(request));
      expect(echoRoot.codec('echo.v1.EchoResponse').decode(reply)).toEqual(request);
      const biz = await client.callRaw('Echo', codec.encode({ ...request, action: 'biz' })).catch((e: unknown) => e);
      expect((biz as HeddleError).code).toBe('ERR_BIZ_STATUS');
    } finally {
      await client.close();
    }
  });
});

describe('callRaw through discovery', () => {
  const HOST = 'call-raw-host';
  const method = echoDoc.service('EchoService').method('echo');

  it('gives the same reply bytes inline (a server of this process) and over its socket', async () => {
    const registry = discovery.memory();
    const server = createServer({ idl: echoDoc, service: 'EchoService', handlers: echoHandlers, registry, serviceName: 'echo', mergedDeployment: { hostIdentity: HOST }, exitWaitMs: 0, log: () => {} });
    await server.listen('tcp://127.0.0.1:0');
    const inline = createClient({ idl: echoDoc, service: 'EchoService', resolver: registry, destService: 'echo', localFirst: { hostIdentity: HOST } });
    const socket = createClient({ idl: echoDoc, service: 'EchoService', resolver: registry, destService: 'echo', localFirst: { hostIdentity: HOST, inline: false } });
    try {
      const args = method.args.encode({ req: { action: 'echo', msg: '内联 inline' } });
      const transports: string[] = [];
      const viaInline = await inline.callRaw('echo', args, { onContext: (ctx) => transports.push(ctx.transport) });
      const viaSocket = await socket.callRaw('echo', args, { onContext: (ctx) => transports.push(ctx.transport) });
      expect(transports).toEqual(['inline', 'ttheader']);
      expect(Buffer.from(viaInline)).toEqual(Buffer.from(viaSocket));
      expect(method.result.peek(viaInline, 'success.msg')).toBe('内联 inline');
      const thrown = await inline.callRaw('echo', method.args.encode({ req: { action: 'throw', msg: 'declared' } }));
      expect(method.result.peek(thrown, 'err.code')).toBe(7);
      await expect(inline.callRaw('echo', Uint8Array.of(11, 0, 1))).rejects.toMatchObject({ code: 'ERR_REMOTE' });
      await expect(socket.callRaw('echo', Uint8Array.of(11, 0, 1))).rejects.toMatchObject({ code: 'ERR_REMOTE' });
    } finally {
      await inline.close();
      await socket.close();
      await server.close({ timeoutMs: 200, exitWaitMs: 0 });
    }
  });
});
