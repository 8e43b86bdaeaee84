/**
 * gateway.fromIDL over Thrift, end to end: fetch -> node:http -> fromIDL -> heddle client ->
 * heddle server (Binary and Compact), with values, headers and statuses asserted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from '../../src-ts/thrift/index.js';
import { request, shopDoc, shopHandlers, startGateway, type GatewayRig } from './http-thrift-fixture.js';

describe.each(['binary', 'compact'] as const)('gateway.fromIDL, Thrift %s, end to end', (protocol) => {
  let rig: GatewayRig;
  beforeAll(async () => {
    rig = await startGateway({ idl: shopDoc, service: 'Shop', protocol, maxBodySize: 64 * 1024 }, shopHandlers);
  });
  afterAll(async () => {
    await rig.close();
  });

  it('binds path, query, header, cookie and body fields, and renders header, status and body fields', async () => {
    const body = '{"items":[{"title":"茶 tea 🍵","id":"9007199254740993","thumb":"AQID"}],"remark":"送货上门 please","attrs":{"颜色":"红"}}';
    const res = await request(`${rig.base}/v1/shops/%E5%BA%97%201/orders/9223372036854775807?tags=1,2&tags=-3&urgent=t&ratio=0.25&page=%2B007`, {
      method: 'POST',
      headers: { 'x-token': 'tk-1', cookie: 'a=b; sess="s-9"', 'content-type': 'application/json' },
      body,
    });
    expect(res.json?.error).toBeUndefined();
    expect(res.status).toBe(201);
    expect(res.headers.get('x-token-echo')).toBe('tk-1');
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.text).toBe(
      '{"orderId":9223372036854775807,"items":[{"title":"茶 tea 🍵","id":9007199254740993,"thumb":"AQID"}],"tags":[1,2,-3],"remark":"送货上门 please",' +
        '"urgent":true,"ratio":0.25,"page":7,"session":"s-9","shop":"店 1","attrs":{"颜色":"红"}}',
    );
  });

  it('routes {name} templates, literal routes before templated ones, and catch-alls', async () => {
    const literal = await request(`${rig.base}/v1/shops/main/orders/latest`);
    expect(literal.status).toBe(201);
    expect(literal.json.shop).toBeUndefined();
    const templated = await request(`${rig.base}/v1/shops/main/orders/12`);
    expect(templated.json).toMatchObject({ orderId: 12, shop: 'main' });
    const rest = await request(`${rig.base}/v1/files/a/b%2Fc/d.txt`);
    expect(rest.json.shop).toBe('a/b/c/d.txt');
  });

  it('binds form fields from an urlencoded body, and a raw body', async () => {
    const form = await request(`${rig.base}/v1/form?q=%E6%9F%A5`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=%E5%BC%A0+%E4%B8%89&count=9007199254740993' });
    expect(form.status).toBe(200);
    expect(form.text).toBe('{"name":"张 三","count":9007199254740993,"q":"查"}');
    const raw = await request(`${rig.base}/v1/raw?kind=bin`, { method: 'PUT', body: Buffer.from([0, 1, 2, 0xff]) });
    expect(raw.text).toBe('{"payload":"AAEC/w==","kind":"bin"}');
  });

  it('answers 400 with the code, JSON byte offset and field path of a bad body', async () => {
    const res = await request(`${rig.base}/v1/shops/s/orders/1`, { method: 'POST', body: '{"items":[{"title":"a"},{"title":7}]}' });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'ERR_BAD_VALUE', offset: 33, path: 'items[1].title' });
    const malformed = await request(`${rig.base}/v1/shops/s/orders/1`, { method: 'POST', body: '{"items":[' });
    expect(malformed.status).toBe(400);
    expect(malformed.json.error).toMatchObject({ code: 'ERR_TRUNCATED', offset: 10 });
    const required = await request(`${rig.base}/v1/tickets`, { method: 'POST', body: '{"id":1}' });
    expect(required.status).toBe(400);
    expect(required.json.error).toMatchObject({ code: 'ERR_REQUIRED_FIELD' });
    expect(required.json.error.message).toContain("'title'");
  });

  it('answers 400 naming the parameter for bad path, query and header values', async () => {
    const path = await request(`${rig.base}/v1/shops/s/orders/12x`, { method: 'POST', body: '{}' });
    expect(path.status).toBe(400);
    expect(path.json.error).toMatchObject({ code: 'ERR_BAD_VALUE', path: 'orderId' });
    expect(path.json.error.message).toContain('path parameter "id"');
    const range = await request(`${rig.base}/v1/shops/s/orders/1?page=2147483648`, { method: 'POST', body: '{}' });
    expect(range.status).toBe(400);
    expect(range.json.error).toMatchObject({ code: 'ERR_BAD_VALUE', path: 'page' });
    const list = await request(`${rig.base}/v1/shops/s/orders/1?tags=1,x`, { method: 'POST', body: '{}' });
    expect(list.json.error).toMatchObject({ code: 'ERR_BAD_VALUE', path: 'tags[1]' });
    const flag = await request(`${rig.base}/v1/shops/s/orders/1?urgent=yes`, { method: 'POST', body: '{}' });
    expect(flag.json.error).toMatchObject({ code: 'ERR_BAD_VALUE', path: 'urgent' });
    const escape = await request(`${rig.base}/v1/shops/%E5%ZZ/orders/1`, { method: 'POST', body: '{}' });
    expect(escape.status).toBe(400);
  });

  it('answers 404 for unknown paths and methods, and 413 for a body over the limit', async () => {
    expect((await request(`${rig.base}/v1/nothing`)).status).toBe(404);
    expect((await request(`${rig.base}/v1/shops/s/orders/1`, { method: 'DELETE' })).status).toBe(404);
    const big = await request(`${rig.base}/v1/shops/s/orders/1`, { method: 'POST', body: `{"remark":"${'x'.repeat(70 * 1024)}"}` });
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe('ERR_SIZE_LIMIT');
  });

  it('answers a declared exception with 500 and its JSON, and an application exception with 500 and ERR_REMOTE', async () => {
    const declared = await request(`${rig.base}/v1/fail/1`, { method: 'DELETE' });
    expect(declared.status).toBe(500);
    expect(declared.text).toBe('{"oops":{"message":"out of stock"}}');
    const crashed = await request(`${rig.base}/v1/crash/1`, { method: 'PATCH' });
    expect(crashed.status).toBe(500);
    expect(crashed.json.error.code).toBe('ERR_REMOTE');
    expect(crashed.json.error.message).toContain('handler crashed');
  });

  it('leaves absent text fields unset: empty values are absent, as dynamicgo reads them', async () => {
    const res = await request(`${rig.base}/v1/shops/s/orders/5?page=&ratio=`, { method: 'POST', body: '' });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({ orderId: 5, shop: 's', code: undefined });
  });
});

describe('gateway.fromIDL options', () => {
  it('refuses a service without mapped methods, and a mapped method with other than one struct argument', async () => {
    const { parse } = await import('../../src-ts/thrift/index.js');
    const { fromIDL } = await import('../../src-ts/gateway/http/index.js');
    const plain = parse('struct R { 1: string a } service S { R m(1: R r) }');
    expect(() => fromIDL({ idl: plain, service: 'S', address: 'tcp://127.0.0.1:1' })).toThrow(/no HTTP-mapped methods/);
    const twoArgs = parse('struct R { 1: string a } service S { R m(1: R r, 2: R s) (api.get = "/m") }');
    expect(() => fromIDL({ idl: twoArgs, service: 'S', address: 'tcp://127.0.0.1:1' })).toThrow(/exactly one struct argument/);
    const clash = parse('struct R { 1: string a } service S { R m(1: R r) (api.get = "/m/:x") R n(1: R r) (api.get = "/m/:x") }');
    expect(() => fromIDL({ idl: clash, service: 'S', address: 'tcp://127.0.0.1:1' })).toThrow(/two methods are mapped/);
  });
});

describe('gateway.fromIDL, reply values node:http cannot send as they are', () => {
  const doc = parse(`
struct Ask { 1: i32 code (api.query = "code"), 2: string note (api.query = "note") }
struct Answer { 1: i32 code (api.http_code = ""), 2: string note (api.header = "X-Note"), 3: string msg }
service Odd { Answer answer(1: Ask req) (api.get = "/answer") }
`, { filename: 'odd.thrift' });
  let rig: GatewayRig;
  beforeAll(async () => {
    rig = await startGateway({ idl: doc, service: 'Odd' }, { answer: async ({ req }: { req: { code?: number; note?: string } }) => ({ code: req.code ?? 0, note: req.note ?? '', msg: 'ok' }) });
  });
  afterAll(async () => {
    await rig.close();
  });

  it('an http_code of 0 is unset (200); one outside 100-599 answers 502, and the gateway keeps serving', async () => {
    expect(await request(`${rig.base}/answer?code=0`)).toMatchObject({ status: 200, json: { msg: 'ok' } });
    const bad = await request(`${rig.base}/answer?code=42`);
    expect(bad.status).toBe(502);
    expect(bad.json.error).toMatchObject({ code: 'ERR_BAD_VALUE' });
    expect(bad.headers.get('x-note')).toBeNull();
    expect(await request(`${rig.base}/answer?code=201`)).toMatchObject({ status: 201, json: { msg: 'ok' } });
  });

  it('a header value goes out as its UTF-8 bytes, with CR and LF turned into spaces', async () => {
    const res = await request(`${rig.base}/answer?code=200&note=${encodeURIComponent('送货\r\nX-Evil: 1')}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-evil')).toBeNull();
    // fetch reads header bytes as Latin-1: undo that to see the UTF-8 the gateway sent.
    expect(Buffer.from(res.headers.get('x-note')!, 'latin1').toString('utf8')).toBe('送货  X-Evil: 1');
  });
});
