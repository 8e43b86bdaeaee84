/**
 * gateway.fromIDL with `transport: 'grpc'` in front of a real @grpc/grpc-js server (the shop
 * service loaded by @grpc/proto-loader, as grpc-js users load it), as grpc-gateway stands in front
 * of gRPC servers: the same requests give the same JSON as with a heddle server behind the
 * gateway, and gRPC statuses map to grpc-gateway's HTTP statuses.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromIDL, type GatewayHandler } from '../../src-ts/gateway/http/handler.js';
import { GOOGLE_API_HTTP_PROTO, SHOP_PROTO, shopProtoHandlers, shopRoot } from './http-proto-fixture.js';
import { request, startGateway, type GatewayRig } from './http-thrift-fixture.js';

type Request = Record<string, unknown> & { order_id: string; item?: Record<string, unknown> };

/** grpc-js's shop: replies as the heddle handlers do; Fail is NOT_FOUND, Busy RESOURCE_EXHAUSTED. */
function startGrpcJs(): Promise<{ address: string; server: grpc.Server }> {
  const dir = mkdtempSync(join(tmpdir(), 'heddle-gw-grpc-js-'));
  mkdirSync(join(dir, 'google/api'), { recursive: true });
  mkdirSync(join(dir, 'shop/v1'), { recursive: true });
  writeFileSync(join(dir, 'google/api/http.proto'), GOOGLE_API_HTTP_PROTO);
  writeFileSync(join(dir, 'shop/v1/shop.proto'), SHOP_PROTO);
  const definition = protoLoader.loadSync('shop/v1/shop.proto', { includeDirs: [dir], keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  const shop = (grpc.loadPackageDefinition(definition) as unknown as { shop: { v1: { Shop: grpc.ServiceClientConstructor } } }).shop.v1.Shop;
  const reply = (call: grpc.ServerUnaryCall<Request, unknown>, callback: grpc.sendUnaryData<unknown>) => {
    const request = call.request;
    callback(null, { request, note: '好的 ok', items: request.item == null ? [] : [request.item, request.item], attrs: { 颜色: '红', k: 'v' } });
  };
  const server = new grpc.Server();
  server.addService(shop.service, {
    GetOrder: reply,
    CreateOrder: reply,
    UpdateItem: reply,
    ListItems: reply,
    Files: reply,
    Fail: (call: grpc.ServerUnaryCall<Request, unknown>, callback: grpc.sendUnaryData<unknown>) =>
      callback({ code: grpc.status.NOT_FOUND, details: `no order ${call.request.order_id}` } as grpc.ServiceError),
    Busy: (_call: grpc.ServerUnaryCall<Request, unknown>, callback: grpc.sendUnaryData<unknown>) =>
      callback({ code: grpc.status.RESOURCE_EXHAUSTED, details: '库存不足' } as grpc.ServiceError),
  });
  return new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve({ address: `tcp://127.0.0.1:${port}`, server }))),
  );
}

const REQUESTS: Array<[string, RequestInit?]> = [
  ['/v1/shelves/%E4%B9%A6/orders/18446744073709551615?tags=1&tags=-9007199254740993&status=PAID&urgent=true&ratio=0.5&at=2026-12-07T03:00:00.5Z&filter.keyword=%E8%8C%B6&filter.statuses=1&filter.statuses=SHIPPED&limit=42&page=0&item.title=x+y'],
  ['/v1/shelves/s1/orders:create?memo=ignored', { method: 'POST', body: '{"shelf":"from body","orderId":"7","item":{"skuId":"9007199254740993","title":"茶 🍵","thumb":"AQID"},"unknownMember":1,"memo":"备注"}' }],
  ['/v1/orders/5/item?memo=m', { method: 'PATCH', body: '{"skuId":"12","title":"新","thumb":"_-8"}' }],
  ['/v1/items/77?item.title=t'],
  ['/v1/files/a/b/c.txt', { method: 'SEARCH' }],
];

describe('gateway.fromIDL over gRPC in front of a @grpc/grpc-js server', () => {
  let grpcJs: { address: string; server: grpc.Server };
  let gateway: GatewayHandler;
  let web: http.Server;
  let base: string;
  let heddle: GatewayRig;
  beforeAll(async () => {
    grpcJs = await startGrpcJs();
    gateway = fromIDL({ idl: shopRoot, service: 'shop.v1.Shop', address: grpcJs.address, transport: 'grpc' });
    web = http.createServer(gateway).listen(0, '127.0.0.1');
    await once(web, 'listening');
    base = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
    heddle = await startGateway({ idl: shopRoot, service: 'shop.v1.Shop', transport: 'grpc' }, shopProtoHandlers);
  });
  afterAll(async () => {
    web.closeAllConnections();
    await new Promise((resolve) => web.close(resolve));
    await gateway.close();
    grpcJs.server.forceShutdown();
    await heddle.close();
  });

  it('answers every mapped route with the JSON a heddle server behind the gateway gives', async () => {
    for (const [path, init] of REQUESTS) {
      const theirs = await request(`${base}${path}`, init);
      const ours = await request(`${heddle.base}${path}`, init);
      expect({ path, status: theirs.status, json: theirs.json }).toEqual({ path, status: 200, json: ours.json });
    }
    // One value in full, so that agreement is not agreement on nothing.
    const order = await request(`${base}${REQUESTS[0]![0]}`);
    expect(order.json.request).toMatchObject({ shelf: 'shelves/书', orderId: '18446744073709551615', tags: ['1', '-9007199254740993'], at: '2026-12-07T03:00:00.500Z', filter: { keyword: '茶', statuses: ['PAID', 'SHIPPED'] }, limit: '42' });
    expect(order.json.attrs).toEqual({ 颜色: '红', k: 'v' });
  });

  it('maps gRPC statuses as grpc-gateway does: NOT_FOUND 404, RESOURCE_EXHAUSTED 429, with status and message', async () => {
    const missing = await request(`${base}/v1/orders/9`, { method: 'DELETE' });
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatchObject({ grpcStatus: 5 });
    expect(missing.json.error.message).toContain('no order 9');
    const busy = await request(`${base}/v1/busy`, { method: 'PUT', body: '{}' });
    expect(busy.status).toBe(429);
    expect(busy.json.error).toMatchObject({ grpcStatus: 8 });
    expect(busy.json.error.message).toContain('库存不足');
  });

  it('answers 503 when no gRPC server is there', async () => {
    const orphan = fromIDL({ idl: shopRoot, service: 'shop.v1.Shop', address: 'tcp://127.0.0.1:1', transport: 'grpc' });
    const lone = http.createServer(orphan).listen(0, '127.0.0.1');
    await once(lone, 'listening');
    const res = await request(`http://127.0.0.1:${(lone.address() as AddressInfo).port}/v1/busy`, { method: 'PUT', body: '{}' });
    expect(res.status).toBe(503);
    expect(res.json.error.grpcStatus).toBe(14);
    lone.closeAllConnections();
    await new Promise((resolve) => lone.close(resolve));
    await orphan.close();
  });
});
