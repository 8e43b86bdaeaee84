/**
 * google.api.http binding against grpc-gateway v2.18.0's runtime (test/interop/grpc-gateway-http,
 * built from the Go module proxy): the same descriptors (heddle's root.toDescriptorSet()) and
 * requests; heddle's bound request must decode to the message grpc-gateway builds, a response must
 * render to the JSON its marshaler writes, and RPC statuses must map to its HTTP statuses.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildGoProgram } from '../../scripts/go-programs.mjs';
import { errorResponse } from '../../src-ts/gateway/http/http-errors.js';
import { grpcStatusError } from '../../src-ts/grpc/status.js';
import { describeWithPeers, hasPeers } from '../helpers/peers.js';
import { shopRoot } from './http-proto-fixture.js';
import { seededRandom, startRecordingGateway, type RecordingGateway } from './http-thrift-fixture.js';

interface BindCase {
  method: string;
  path: string;
  body?: string;
  /** What grpc-gateway's generated handler would be given: the rule's body and the matched variables. */
  rule: { body: string; params: Record<string, string>; query: string };
}

const CASES: BindCase[] = [
  {
    method: 'GET',
    path: '/v1/shelves/%E4%B9%A6/orders/18446744073709551615?tags=1&tags=-9007199254740993&status=PAID&urgent=true&ratio=0.5&at=2026-12-07T03:00:00.5Z&filter.keyword=%E8%8C%B6&filter.statuses=1&filter.statuses=SHIPPED&limit=42&page=0&item.title=x+y&unknown=1',
    rule: {
      body: '',
      params: { shelf: 'shelves/书', order_id: '18446744073709551615' },
      query: 'tags=1&tags=-9007199254740993&status=PAID&urgent=true&ratio=0.5&at=2026-12-07T03:00:00.5Z&filter.keyword=%E8%8C%B6&filter.statuses=1&filter.statuses=SHIPPED&limit=42&page=0&item.title=x+y&unknown=1',
    },
  },
  {
    method: 'GET',
    path: '/v1/shelves/s/orders/0?urgent=0&ratio=-1.5e3&page=-7&shelf=ignored&order_id=9',
    rule: { body: '', params: { shelf: 'shelves/s', order_id: '0' }, query: 'urgent=0&ratio=-1.5e3&page=-7&shelf=ignored&order_id=9' },
  },
  {
    method: 'POST',
    path: '/v1/shelves/s1/orders:create?memo=ignored',
    body: '{"shelf":"from body","orderId":"7","tags":["1",2],"item":{"skuId":"9007199254740993","title":"茶 🍵","thumb":"AQID"},"unknownMember":{"a":[1]},"memo":"备注","status":"SHIPPED","at":"2026-01-01T00:00:00+08:00"}',
    rule: { body: '*', params: { shelf: 'shelves/s1' }, query: 'memo=ignored' },
  },
  {
    method: 'PATCH',
    path: '/v1/orders/5/item?memo=m&item.title=ignored&tags=3',
    body: '{"skuId":"12","title":"新","thumb":"_-8"}',
    rule: { body: 'item', params: { order_id: '5' }, query: 'memo=m&item.title=ignored&tags=3' },
  },
  {
    method: 'GET',
    path: '/v1/items/77?item.title=t&item.thumb=AQID',
    rule: { body: '', params: { 'item.sku_id': '77' }, query: 'item.title=t&item.thumb=AQID' },
  },
];

const RESPONSES: Array<Record<string, unknown>> = [
  { request: { shelf: 'shelves/书', orderId: 18446744073709551615n, tags: [1n, -2n], item: { skuId: 9007199254740993n, title: '茶', thumb: Uint8Array.of(1, 2, 3) }, status: 2, ratio: 0.1, page: 0 }, note: '好的 "ok"\n', items: [{ skuId: 1n }], attrs: { 颜色: '红', '1': 'one' } },
  { note: '' },
  { request: { at: { seconds: 1_700_000_000n, nanos: 500_000_000 }, limit: { value: 0n }, filter: { statuses: [1, 2] } } },
];

let binary = '';
let descriptorPath = '';
beforeAll(() => {
  if (!hasPeers(['go'])) return;
  binary = buildGoProgram('grpc-gateway-http');
  descriptorPath = join(mkdtempSync(join(tmpdir(), 'heddle-gw-')), 'shop.pb');
  writeFileSync(descriptorPath, shopRoot.toDescriptorSet());
}, 600_000);

function grpcGateway(cases: unknown[]): { results: Array<{ request?: string; json?: unknown; error?: string }>; httpStatus: number[] } {
  const lines = execFileSync(binary, [descriptorPath], { input: JSON.stringify(cases), encoding: 'utf8' }).trim().split('\n').map((line) => JSON.parse(line));
  return { results: lines.slice(0, -1), httpStatus: lines[lines.length - 1].httpStatus };
}

/** `value` without null members: protojson's EmitUnpopulated writes unset message fields as null, heddle leaves them out. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]));
}

describeWithPeers(['go'], 'google.api.http binding against grpc-gateway', () => {
  const requestCodec = shopRoot.codec('shop.v1.OrderRequest');
  const replyCodec = shopRoot.codec('shop.v1.OrderReply');
  let rig: RecordingGateway;
  beforeAll(async () => {
    rig = await startRecordingGateway({ idl: shopRoot, service: 'shop.v1.Shop' });
  });
  afterAll(async () => {
    await rig.close();
  });

  it('binds each request to the message grpc-gateway builds', async () => {
    const { results } = grpcGateway(CASES.map((c) => ({ message: 'shop.v1.OrderRequest', body: c.rule.body, json: c.body ?? '', params: c.rule.params, query: c.rule.query })));
    for (const [i, c] of CASES.entries()) {
      rig.captured = undefined;
      const response = await fetch(rig.base + c.path, { method: c.method, ...(c.body === undefined ? {} : { body: c.body }) });
      const text = await response.text();
      expect(results[i]!.error, `grpc-gateway on case ${i}`).toBeUndefined();
      expect(rig.captured, `heddle bound case ${i}: ${response.status} ${text}`).toBeDefined();
      expect(requestCodec.decode(rig.captured!), `case ${i}`).toEqual(requestCodec.decode(Buffer.from(results[i]!.request!, 'hex')));
    }
  });

  it('binds name[key]=value query parameters of map fields as grpc-gateway does, and refuses what it refuses', async () => {
    const labelCodec = shopRoot.codec('shop.v1.LabelRequest');
    const queries = [
      'labels%5B%E9%A2%9C%E8%89%B2%5D=-9007199254740993&labels[k]=7&codes[-3]=SHIPPED&codes[4]=1&flags[t]=%E6%98%AF&flags[FALSE]=no&times[a]=2026-12-07T03:00:00.5%2B08:00',
      'labels[]=0&codes[%2B12]=PAID&flags[1]=&names[first]=x&names[first]=y',
      'labels[a][b]=1&title=t&unknown[k]=v',
      'labels=1',
      'labels[a]=1&labels[a]=2',
      'codes[x]=1',
      'codes[2147483648]=1',
      'codes[1]=LOST',
      'flags[maybe]=1',
      'items[1]=x',
      'title[a]=b',
      'labels[k]=1.5',
      'title=a&title=b',
    ];
    const { results } = grpcGateway(queries.map((query) => ({ message: 'shop.v1.LabelRequest', body: '', json: '', params: { id: '5' }, query })));
    let accepted = 0;
    for (const [i, query] of queries.entries()) {
      rig.captured = undefined;
      const response = await fetch(`${rig.base}/v1/labels/5?${query}`);
      const text = await response.text();
      const theirs = results[i]!;
      if (theirs.error !== undefined) {
        expect({ query, status: response.status }, `grpc-gateway refuses: ${theirs.error}; heddle: ${text}`).toEqual({ query, status: 400 });
        continue;
      }
      expect(rig.captured, `case ${i}: ${query}: ${response.status} ${text}`).toBeDefined();
      expect(labelCodec.decode(rig.captured!), `case ${i}: ${query}`).toEqual(labelCodec.decode(Buffer.from(theirs.request!, 'hex')));
      accepted++;
    }
    expect(accepted).toBe(3);
  });

  it("renders each response as grpc-gateway's marshaler does (EmitUnpopulated), unset messages aside", async () => {
    const encoded = RESPONSES.map((value) => replyCodec.encode(value));
    const { results } = grpcGateway(encoded.map((bytes) => ({ message: 'shop.v1.OrderReply', render: true, response: Buffer.from(bytes).toString('hex') })));
    for (const [i, bytes] of encoded.entries()) {
      rig.reply = bytes;
      const response = await fetch(`${rig.base}/v1/shelves/s/orders/1`);
      const ours = JSON.parse(await response.text());
      expect(results[i]!.error, `grpc-gateway on case ${i}`).toBeUndefined();
      expect(response.status).toBe(200);
      expect(ours, `case ${i}`).toEqual(withoutNulls(results[i]!.json));
    }
  });

  it('maps gRPC status codes to HTTP statuses as grpc-gateway does', () => {
    const { httpStatus } = grpcGateway([]);
    for (let code = 1; code <= 16; code++) {
      expect(errorResponse(grpcStatusError(code, 'x'), 'call').status, `gRPC status ${code}`).toBe(httpStatus[code]);
    }
  });

  it('agrees with grpc-gateway on random path and query values, accepted or refused', async () => {
    // Seeded, so a failure reproduces; mostly values both should take, the rest near the edges.
    const { next, pick } = seededRandom(20261207);
    const sign = () => pick(['', '+', '-']);
    const edge = () => next() >= 0.85;
    const integer = () => sign() + (edge() ? pick(['2147483648', '9223372036854775808', '12x', '1.0', '1e3', '']) : pick([String(Math.floor(next() * 2 ** 31)), '0', '007', '2147483647']));
    const double = () => (edge() ? pick(['1e400', 'NaN', 'Inf', '-Infinity', '0x1p-2', 'abc']) : pick([String(next() * 1e6 - 5e5), '-1.5e3', '.5', '5.', '+2.5E-3', '0']));
    const bool = () => (edge() ? pick(['yes', 'tRUE', '2', '']) : pick(['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False']));
    const status = () => (edge() ? pick(['LOST', '3', '-1', 'paid']) : pick(['PAID', 'SHIPPED', 'STATUS_UNSPECIFIED', '0', '1', '2']));
    const timestamp = () => (edge() ? pick(['2026-13-01T00:00:00Z', '2026-12-07 03:00:00Z', '2026-12-07T03:00:00', 'now']) : pick(['2026-12-07T03:00:00Z', '2026-12-07T03:00:00.123456789+08:00', '1970-01-01T00:00:00Z', '9999-12-31T23:59:59.5Z']));
    const unsigned = () => (edge() ? pick(['-1', '18446744073709551616', '1.5', 'x']) : pick(['0', '18446744073709551615', String(Math.floor(next() * 2 ** 53))]));
    const cases = Array.from({ length: 200 }, () => {
      const orderId = unsigned();
      const values: Record<string, string[]> = { page: [integer()], ratio: [double()], urgent: [bool()], tags: [integer(), integer()], status: [status()], at: [timestamp()], limit: [integer()] };
      const query = Object.entries(values).flatMap(([k, vs]) => vs.map((v) => `${k}=${encodeURIComponent(v)}`)).join('&');
      return { orderId, query, values };
    });
    const { results } = grpcGateway(cases.map((c) => ({ message: 'shop.v1.OrderRequest', body: '', json: '', params: { shelf: 'shelves/s', order_id: c.orderId }, query: c.query })));
    let bothAccepted = 0;
    for (const [i, c] of cases.entries()) {
      rig.captured = undefined;
      const response = await fetch(`${rig.base}/v1/shelves/s/orders/${encodeURIComponent(c.orderId)}?${c.query}`);
      const text = await response.text();
      const theirs = results[i]!;
      if (rig.captured !== undefined) {
        expect(theirs.error, `case ${i}: ${c.orderId}?${c.query} accepted by heddle`).toBeUndefined();
        expect(requestCodec.decode(rig.captured), `case ${i}: ${c.orderId}?${c.query}`).toEqual(requestCodec.decode(Buffer.from(theirs.request!, 'hex')));
        bothAccepted++;
      } else if (theirs.error === undefined) {
        // Where grpc-gateway accepts and heddle refuses, it is one of the documented differences:
        // Go's float syntax beyond JSON's (hex floats, "Inf" spellings, overflow to infinity).
        const refused = JSON.parse(text).error;
        expect(response.status, `case ${i}: ${text}`).toBe(400);
        const value = refused.path === 'orderId' ? c.orderId : (c.values[refused.path.replace(/\[\d+\]$/, '')] ?? []).join(',');
        expect(/0x|e400|inf/i.test(value), `case ${i}: heddle refuses ${refused.path}=${value} (${refused.message}), grpc-gateway accepts`).toBe(true);
      }
    }
    expect(bothAccepted).toBeGreaterThan(20);
  });
});
