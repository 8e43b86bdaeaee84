/**
 * The Thrift IDL and helpers the HTTP gateway suites share: a shop service whose request and
 * response structs use every api.* source, a heddle server answering with what it was sent, and a
 * node:http server with gateway.fromIDL in front of it.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fromIDL, type GatewayHandler, type GatewayOptions } from '../../src-ts/gateway/http/index.js';
import { createServer, type RpcServer } from '../../src-ts/rpc/index.js';
import { parse, ThriftException } from '../../src-ts/thrift/index.js';

export const SHOP_THRIFT = `
namespace go shop

struct Item {
  1: string title
  2: i64 id
  3: optional binary thumb
}

struct OrderRequest {
  1: i64 orderId (api.path = "id")
  2: list<i64> tags (api.query = "tags")
  3: string token (api.header = "X-Token")
  4: string session (api.cookie = "sess")
  5: list<Item> items
  6: string memo (api.body = "remark")
  7: bool urgent (api.query = "urgent")
  8: double ratio (api.query = "ratio")
  9: i32 page (api.query = "page")
  10: string shop (api.path = "shop")
  11: map<string, string> attrs
  12: binary signature (api.header = "X-Sig")
}

struct OrderResponse {
  1: i64 orderId
  2: string token (api.header = "X-Token-Echo")
  3: i32 code (api.http_code = "")
  4: list<Item> items
  5: list<i64> tags
  6: string memo (api.body = "remark")
  7: bool urgent
  8: double ratio
  9: i32 page
  10: string session
  11: string shop
  12: map<string, string> attrs
}

struct Receipt {
  1: i64 orderId
  2: string token (api.header = "X-Token-Echo")
  3: i32 code (api.http_code = "")
  4: list<Item> items
  5: map<string, string> attrs
  6: double ratio
  7: bool urgent
}

struct FormRequest {
  1: string name (api.form = "name")
  2: i64 count (api.form = "count")
  3: string q (api.query = "q")
}

struct RawRequest {
  1: binary payload (api.raw_body = "")
  2: string kind (api.query = "kind")
}

struct Ticket {
  1: required string title
  2: i64 id
}

exception Oops {
  1: string message
}

service Shop {
  OrderResponse putOrder(1: OrderRequest req) (api.post = "/v1/shops/:shop/orders/:id")
  OrderResponse getOrder(1: OrderRequest req) (api.get = "/v1/shops/{shop}/orders/{id}")
  OrderResponse fixed(1: OrderRequest req) (api.get = "/v1/shops/main/orders/latest")
  FormRequest form(1: FormRequest req) (api.post = "/v1/form")
  RawRequest raw(1: RawRequest req) (api.put = "/v1/raw")
  Ticket ticket(1: Ticket req) (api.post = "/v1/tickets")
  OrderResponse fail(1: OrderRequest req) throws (1: Oops oops) (api.delete = "/v1/fail/:id")
  OrderResponse crash(1: OrderRequest req) (api.patch = "/v1/crash/:id")
  OrderResponse files(1: OrderRequest req) (api.get = "/v1/files/*shop")
  Receipt receipt(1: OrderRequest req) (api.get = "/v1/receipts/:id")
}
`;

export const shopDoc = parse(SHOP_THRIFT, { filename: 'shop.thrift' });

/** The response a server gives for `req`: every request field mirrored, code 201. */
export function mirror(req: Record<string, unknown>): Record<string, unknown> {
  return {
    orderId: req.orderId,
    token: req.token,
    code: 201,
    items: req.items,
    tags: req.tags,
    memo: req.memo,
    urgent: req.urgent,
    ratio: req.ratio,
    page: req.page,
    session: req.session,
    shop: req.shop,
    attrs: req.attrs,
  };
}

export const shopHandlers = {
  putOrder: async ({ req }: { req: Record<string, unknown> }) => mirror(req),
  getOrder: async ({ req }: { req: Record<string, unknown> }) => mirror(req),
  fixed: async ({ req }: { req: Record<string, unknown> }) => mirror(req),
  form: async ({ req }: { req: Record<string, unknown> }) => req,
  raw: async ({ req }: { req: Record<string, unknown> }) => req,
  ticket: async ({ req }: { req: Record<string, unknown> }) => req,
  fail: async () => {
    throw new ThriftException('Oops', { message: 'out of stock' });
  },
  crash: async () => {
    throw new Error('handler crashed');
  },
  files: async ({ req }: { req: Record<string, unknown> }) => mirror(req),
  receipt: async ({ req }: { req: Record<string, unknown> }) => ({ orderId: req.orderId, token: req.token, code: 203, items: req.items }),
};

export interface GatewayRig {
  base: string;
  server: RpcServer;
  gateway: GatewayHandler;
  close(): Promise<void>;
}

/** A heddle server for `service` of `idl`, and a node:http server with fromIDL in front of it. */
export async function startGateway(options: Omit<GatewayOptions, 'address' | 'client'>, handlers: Record<string, unknown>): Promise<GatewayRig> {
  const server = createServer({ idl: options.idl, service: options.service, handlers, ...(options.protocol === undefined ? {} : { protocol: options.protocol }), log: () => {} } as never);
  await server.listen('tcp://127.0.0.1:0');
  const gateway = fromIDL({ ...options, address: server.address! });
  const httpServer = http.createServer(gateway);
  httpServer.listen(0, '127.0.0.1');
  await once(httpServer, 'listening');
  const { port } = httpServer.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    server,
    gateway,
    async close() {
      httpServer.closeAllConnections();
      await new Promise((resolve) => httpServer.close(resolve));
      await gateway.close();
      await server.close();
    },
  };
}

/** status, the headers named, and the body parsed (bigints for integers past 2^53 kept as text). */
export async function request(url: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; text: string; json: any }> {
  const response = await fetch(url, init);
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/**
 * A node:http server with fromIDL in front of a recorder instead of a client: differential suites
 * read the argument bytes the gateway bound (`captured`) and set the reply bytes it renders.
 */
export interface RecordingGateway {
  base: string;
  captured: Uint8Array | undefined;
  reply: Uint8Array;
  close(): Promise<void>;
}

export async function startRecordingGateway(options: Omit<GatewayOptions, 'address' | 'client'>): Promise<RecordingGateway> {
  const rig: RecordingGateway = { base: '', captured: undefined, reply: new Uint8Array(0), close: async () => {} };
  const recorder = {
    callRaw: async (_method: string, args: Uint8Array) => {
      rig.captured = args;
      return rig.reply;
    },
  };
  const httpServer = http.createServer(fromIDL({ ...options, client: recorder }));
  httpServer.listen(0, '127.0.0.1');
  await once(httpServer, 'listening');
  rig.base = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  rig.close = async () => {
    httpServer.closeAllConnections();
    await new Promise((resolve) => httpServer.close(resolve));
  };
  return rig;
}

/** A seeded generator (an LCG: enough for drawing test values), so a failing case reproduces. */
export function seededRandom(seed: number): { next: () => number; pick: <T>(list: readonly T[]) => T } {
  let state = seed >>> 0;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  return { next, pick: (list) => list[Math.floor(next() * list.length)]! };
}
