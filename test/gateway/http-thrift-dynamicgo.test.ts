/**
 * Thrift HTTP mapping against CloudWeGo dynamicgo v0.8.0's (conv/j2t and conv/t2j with
 * EnableHttpMapping, what Kitex's HTTP generic call runs), built from the Go module proxy
 * (test/interop/dynamicgo-http): the same IDL and requests; heddle's bound request struct must
 * decode to what dynamicgo's bytes decode to, and the same response struct must render to the same
 * status, headers and JSON body.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildGoProgram } from '../../scripts/go-programs.mjs';
import { describeWithPeers, hasPeers } from '../helpers/peers.js';
import { seededRandom, SHOP_THRIFT, shopDoc, startRecordingGateway, type RecordingGateway } from './http-thrift-fixture.js';

interface RequestCase {
  function: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** The route's path parameters, which dynamicgo is handed (it does no routing). */
  params?: Record<string, string>;
}

const REQUESTS: RequestCase[] = [
  {
    function: 'putOrder',
    method: 'POST',
    path: '/v1/shops/%E5%BA%97/orders/9223372036854775807?tags=1,2,-3&urgent=true&ratio=0.25&page=7',
    headers: { 'X-Token': 'tk-1', Cookie: 'sess=s-9', 'X-Sig': 'AQID/w==', 'Content-Type': 'application/json' },
    body: '{"items":[{"title":"茶 tea 🍵","id":9007199254740993,"thumb":"AQID"}],"remark":"送货上门 please","attrs":{"颜色":"红","k":"v"}}',
    params: { shop: '店', id: '9223372036854775807' },
  },
  {
    function: 'getOrder',
    method: 'GET',
    path: '/v1/shops/main/orders/-12?tags=5&urgent=0&page=-2147483648',
    headers: { 'Content-Type': 'application/json' },
    params: { shop: 'main', id: '-12' },
  },
  {
    function: 'putOrder',
    method: 'POST',
    path: '/v1/shops/s/orders/1?ratio=-1.5e3',
    headers: { 'X-Token': 'tk 2', 'Content-Type': 'application/json' },
    body: '{"items":[],"remark":"r","attrs":{}}',
    params: { shop: 's', id: '1' },
  },
  {
    function: 'ticket',
    method: 'POST',
    path: '/v1/tickets',
    headers: { 'Content-Type': 'application/json' },
    body: '{"title":"\\u8336\\n\\"q\\"","id":42}',
  },
];

// dynamicgo renders no api.body fields in responses ("apiBody not support http response"), so
// these use Receipt, which has none.
const RESPONSES: Array<Record<string, unknown>> = [
  { orderId: 9007199254740993n, token: 'tk', code: 202, items: [{ title: '茶 "q"\n', id: 1n, thumb: Uint8Array.of(1, 2, 3) }], attrs: new Map([['颜色', '红']]), ratio: 0.1, urgent: true },
  { orderId: -1n, code: 200, items: [], attrs: new Map(), ratio: 1e21, urgent: false },
  { orderId: 0n, token: 'only a header' },
];

let binary = '';
let idlPath = '';
beforeAll(() => {
  if (!hasPeers(['go'])) return;
  binary = buildGoProgram('dynamicgo-http');
  idlPath = join(mkdtempSync(join(tmpdir(), 'heddle-gw-')), 'shop.thrift');
  writeFileSync(idlPath, SHOP_THRIFT);
}, 600_000);

function dynamicgo(cases: unknown[]): Array<{ request?: string; status?: number; headers?: Record<string, string[]>; body?: string; error?: string }> {
  const out = execFileSync(binary, [idlPath], { input: JSON.stringify(cases), encoding: 'utf8' });
  return out.trim().split('\n').map((line) => JSON.parse(line));
}

describeWithPeers(['go'], 'Thrift HTTP mapping against dynamicgo', () => {
  const service = shopDoc.service('Shop');
  let rig: RecordingGateway;
  beforeAll(async () => {
    rig = await startRecordingGateway({ idl: shopDoc, service: 'Shop' });
  });
  afterAll(async () => {
    await rig.close();
  });

  it('binds each request to the request struct dynamicgo writes', async () => {
    const theirs = dynamicgo(REQUESTS.map((c) => ({ function: c.function, method: c.method, url: `http://gw${c.path}`, headers: c.headers ?? {}, body: c.body ?? '', params: c.params ?? {} })));
    for (const [i, c] of REQUESTS.entries()) {
      rig.captured = undefined;
      const response = await fetch(rig.base + c.path, { method: c.method, headers: c.headers ?? {}, ...(c.body === undefined ? {} : { body: c.body }) });
      await response.arrayBuffer();
      expect(theirs[i]!.error, `dynamicgo on case ${i}`).toBeUndefined();
      expect(rig.captured, `heddle bound case ${i} (status ${response.status})`).toBeDefined();
      const method = service.method(c.function);
      const ours = (method.args.decode(rig.captured!) as { req: unknown }).req;
      const requestCodec = shopDoc.codecFor(method.argsStruct.fields[0]!.type.kind === 'struct' ? shopDoc.structByKey(method.argsStruct.fields[0]!.type.key) : (undefined as never), method.args.options);
      expect(ours, `case ${i}`).toEqual(requestCodec.decode(Buffer.from(theirs[i]!.request!, 'hex')));
    }
  });

  it('renders each response struct to the status, headers and JSON body dynamicgo writes', async () => {
    const method = service.method('receipt');
    const receipt = shopDoc.codec('Receipt');
    const theirs = dynamicgo(RESPONSES.map((value) => ({ function: 'receipt', response: Buffer.from(receipt.encode(value)).toString('hex') })));
    for (const [i, value] of RESPONSES.entries()) {
      rig.reply = method.result.encode({ success: value });
      const response = await fetch(`${rig.base}/v1/receipts/1`);
      const text = await response.text();
      expect(theirs[i]!.error, `dynamicgo on case ${i}`).toBeUndefined();
      // dynamicgo leaves the status unset (0) when the response has no http_code field set.
      expect(response.status).toBe(theirs[i]!.status ?? 200);
      expect(text).toBe(theirs[i]!.body);
      for (const [name, values] of Object.entries(theirs[i]!.headers ?? {})) expect(response.headers.get(name)).toBe(values.join(', '));
    }
  });

  it('agrees with dynamicgo on random path and query values, accepted or refused', async () => {
    // Seeded, so a failure reproduces; values drawn near the edges strconv and the types have.
    const { next, pick } = seededRandom(20261207);
    const digits = () => String(Math.floor(next() * 10 ** (1 + Math.floor(next() * 19))));
    // Mostly values both should take, so that most cases compare bound values; the rest edges.
    const integer = () =>
      next() < 0.85
        ? pick(['', '+', '-']) + pick([String(Math.floor(next() * 2 ** 31)), '0', '007', '2147483647'])
        : pick(['', '+', '-']) + pick([digits(), '2147483648', '9223372036854775807', '9223372036854775808', digits() + 'x', '1.0', ' 1', '1e3']);
    const double = () =>
      next() < 0.85
        ? pick([String(next() * 1e6 - 5e5), '-1.5e3', '.5', '5.', '+2.5E-3', '0', String(next())])
        : pick(['1e400', 'NaN', 'inf', '-Inf', '0x1p-2', '1_0', 'abc']);
    const bool = () => (next() < 0.85 ? pick(['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False']) : pick(['yes', 'tRUE', '2']));
    const cases = Array.from({ length: 200 }, () => {
      const id = integer().replace(/^\+/, '%2B').replace(/ /g, '%20');
      const values = { page: integer(), ratio: double(), urgent: bool(), tags: [integer(), integer()].join(',') };
      const query = Object.entries(values).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
      return { id, query, values };
    });
    const theirs = dynamicgo(
      cases.map((c) => ({ function: 'getOrder', method: 'GET', url: `http://gw/v1/shops/s/orders/${c.id}?${c.query}`, headers: { 'Content-Type': 'application/json' }, body: '', params: { shop: 's', id: decodeURIComponent(c.id) } })),
    );
    const codec = shopDoc.codec('OrderRequest');
    const args = service.method('getOrder').args;
    let bothAccepted = 0;
    for (const [i, c] of cases.entries()) {
      rig.captured = undefined;
      const response = await fetch(`${rig.base}/v1/shops/s/orders/${c.id}?${c.query}`);
      const text = await response.text();
      const ours = rig.captured === undefined ? undefined : (args.decode(rig.captured) as { req: unknown }).req;
      const dg = theirs[i]!;
      if (ours !== undefined) {
        // heddle accepts nothing dynamicgo refuses, and binds it to the same values.
        expect(dg.error, `case ${i}: ${c.id}?${c.query} accepted by heddle`).toBeUndefined();
        expect(ours, `case ${i}: ${c.id}?${c.query}`).toEqual(codec.decode(Buffer.from(dg.request!, 'hex')));
        bothAccepted++;
      } else if (dg.error === undefined) {
        // Where dynamicgo accepts and heddle refuses, it is one of the documented differences:
        // dynamicgo wraps out-of-range integers into i32/i64 and writes NaN, infinities, hex
        // floats, overflowing doubles and underscored digits, where heddle answers 400.
        const refused = JSON.parse(text).error;
        expect(response.status, `case ${i}`).toBe(400);
        const value = refused.path.startsWith('tags') ? c.values.tags : String(refused.path === 'orderId' ? decodeURIComponent(c.id) : c.values[refused.path as keyof typeof c.values]);
        const documented = /^[+-]?[0-9]+(,[+-]?[0-9]+)*$/.test(value) || /nan|inf|0x|e400|_/i.test(value);
        expect(documented, `case ${i}: heddle refuses ${refused.path}=${value} (${refused.message}), dynamicgo accepts`).toBe(true);
      }
    }
    expect(bothAccepted).toBeGreaterThan(20);
  });
});
