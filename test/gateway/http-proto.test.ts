/**
 * gateway.fromIDL over Protobuf (google.api.http), end to end: fetch -> node:http -> fromIDL ->
 * heddle client -> heddle server, over Kitex Protobuf and over gRPC (the server serves both on
 * one port), with values and statuses asserted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startGateway, type GatewayRig } from './http-thrift-fixture.js';
import { shopProtoHandlers, shopRoot } from './http-proto-fixture.js';

describe.each(['ttheader', 'grpc'] as const)('gateway.fromIDL, Protobuf, end to end, over %s', (transport) => {
  let rig: GatewayRig;
  beforeAll(async () => {
    rig = await startGateway({ idl: shopRoot, service: 'shop.v1.Shop', maxBodySize: 64 * 1024, transport }, shopProtoHandlers);
  });
  afterAll(async () => {
    await rig.close();
  });

  it('lists a route per rule and additional binding', () => {
    expect(rig.gateway.routes).toEqual([
      { method: 'GET', path: '/v1/{shelf=shelves/*}/orders/{order_id}', rpcMethod: 'GetOrder' },
      { method: 'POST', path: '/v1/orders', rpcMethod: 'CreateOrder' },
      { method: 'POST', path: '/v1/{shelf=shelves/*}/orders:create', rpcMethod: 'CreateOrder' },
      { method: 'PATCH', path: '/v1/orders/{order_id}/item', rpcMethod: 'UpdateItem' },
      { method: 'GET', path: '/v1/items/{item.sku_id}', rpcMethod: 'ListItems' },
      { method: 'SEARCH', path: '/v1/files/{memo=**}', rpcMethod: 'Files' },
      { method: 'DELETE', path: '/v1/orders/{order_id}', rpcMethod: 'Fail' },
      { method: 'PUT', path: '/v1/busy', rpcMethod: 'Busy' },
      { method: 'GET', path: '/v1/labels/{id}', rpcMethod: 'Label' },
    ]);
  });

  it('binds path variables and query parameters of every kind, and renders the reply as ProtoJSON', async () => {
    const query = 'tags=1&tags=-9007199254740993&status=PAID&urgent=true&ratio=0.5&at=2026-12-07T03:00:00.5Z&filter.keyword=%E8%8C%B6&filter.statuses=1&filter.statuses=SHIPPED&limit=42&page=0&item.title=x+y';
    const res = await request(`${rig.base}/v1/shelves/%E4%B9%A6/orders/18446744073709551615?${query}`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      request: {
        shelf: 'shelves/书',
        orderId: '18446744073709551615',
        tags: ['1', '-9007199254740993'],
        item: { skuId: '0', title: 'x y', thumb: '' },
        status: 'PAID',
        urgent: true,
        ratio: 0.5,
        at: '2026-12-07T03:00:00.500Z',
        filter: { keyword: '茶', statuses: ['PAID', 'SHIPPED'] },
        limit: '42',
        page: 0,
        memo: '',
      },
      note: '好的 ok',
      items: [{ skuId: '0', title: 'x y', thumb: '' }, { skuId: '0', title: 'x y', thumb: '' }],
      attrs: { 颜色: '红', k: 'v' },
    });
  });

  it('reads the whole body for body "*", with path variables over body members, and ignores the query', async () => {
    const res = await request(`${rig.base}/v1/shelves/s1/orders:create?memo=ignored`, {
      method: 'POST',
      body: '{"shelf":"from body","orderId":"7","item":{"skuId":"9007199254740993","title":"茶 🍵","thumb":"AQID"},"unknownMember":1,"memo":"备注"}',
    });
    expect(res.status).toBe(200);
    expect(res.json.request).toMatchObject({ shelf: 'shelves/s1', orderId: '7', item: { skuId: '9007199254740993', title: '茶 🍵', thumb: 'AQID' }, memo: '备注' });
    const plain = await request(`${rig.base}/v1/orders`, { method: 'POST', body: '' });
    expect(plain.status).toBe(200);
    expect(plain.json.request.orderId).toBe('0');
  });

  it('reads a body field for body "item" and renders response_body alone', async () => {
    const res = await request(`${rig.base}/v1/orders/5/item?memo=m&item.title=ignored`, { method: 'PATCH', body: '{"skuId":"12","title":"新"}' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ shelf: '', orderId: '5', tags: [], item: { skuId: '12', title: '新', thumb: '' }, status: 'STATUS_UNSPECIFIED', urgent: false, ratio: 0, memo: 'm' });
    const items = await request(`${rig.base}/v1/items/77?item.title=t`);
    expect(items.text).toBe('[{"skuId":"77","title":"t","thumb":""},{"skuId":"77","title":"t","thumb":""}]');
  });

  it('routes a custom verb with a ** variable', async () => {
    const res = await request(`${rig.base}/v1/files/a/b/%E6%96%87.txt`, { method: 'SEARCH' });
    expect(res.status).toBe(200);
    expect(res.json.request.memo).toBe('a/b/文.txt');
  });

  it('answers 400 with code, offset and path for bad bodies and values, 404 and 413', async () => {
    const body = await request(`${rig.base}/v1/orders/5/item`, { method: 'PATCH', body: '{"skuId":"x7"}' });
    expect(body.status).toBe(400);
    expect(body.json.error).toMatchObject({ code: 'ERR_BAD_VALUE', offset: 9, path: 'item.skuId' });
    const smuggled = await request(`${rig.base}/v1/orders/5/item`, { method: 'PATCH', body: '{"skuId":"1"},"memo":"set from the body"' });
    expect(smuggled.status).toBe(400);
    expect(smuggled.json.error).toMatchObject({ code: 'ERR_BAD_VALUE', offset: 13 });
    const whole = await request(`${rig.base}/v1/orders`, { method: 'POST', body: '{"tags":[1,"2",true]}' });
    expect(whole.json.error).toMatchObject({ code: 'ERR_BAD_VALUE', offset: 15, path: 'tags[2]' });
    const path = await request(`${rig.base}/v1/shelves/s/orders/-1`);
    expect(path.status).toBe(400);
    expect(path.json.error).toMatchObject({ code: 'ERR_BAD_VALUE', path: 'orderId' });
    const enumName = await request(`${rig.base}/v1/shelves/s/orders/1?status=LOST`);
    expect(enumName.json.error).toMatchObject({ code: 'ERR_BAD_VALUE', path: 'status' });
    const message = await request(`${rig.base}/v1/shelves/s/orders/1?filter=x`);
    expect(message.json.error).toMatchObject({ code: 'ERR_BAD_VALUE', path: 'filter' });
    const unknown = await request(`${rig.base}/v1/shelves/s/orders/1?nothing=1`);
    expect(unknown.status).toBe(200);
    expect((await request(`${rig.base}/v1/shelves/s/books/1`)).status).toBe(404);
    expect((await request(`${rig.base}/v1/orders`, { method: 'POST', body: `{"memo":"${'長'.repeat(30_000)}"}` })).status).toBe(413);
  });

  it('sets map entries from name[key]=value query parameters, keys and values read as their types', async () => {
    const query = 'labels%5B%E9%A2%9C%E8%89%B2%5D=-9007199254740993&labels[k]=7&codes[-3]=SHIPPED&codes[4]=1&flags[t]=%E6%98%AF&flags[false]=no&times[a]=2026-12-07T03:00:00Z&names[first]=x&names=y';
    const res = await request(`${rig.base}/v1/labels/9?${query}`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.json.note)).toEqual({
      id: '9n',
      labels: { 颜色: '-9007199254740993n', k: '7n' },
      codes: { '-3': 2, '4': 1 },
      flags: { true: '是', false: 'no' },
      times: { a: { seconds: '1796612400n', nanos: 0 } },
      items: {},
      names: ['first', 'x', 'y'],
      title: '',
    });
    for (const [bad, path] of [['labels=1', 'labels'], ['labels[a]=1&labels[a]=2', 'labels'], ['codes[x]=1', 'codes[x]'], ['codes[1]=LOST', 'codes[1]'], ['flags[maybe]=1', 'flags[maybe]'], ['items[1]=x', 'items[1]'], ['title[a]=b', 'title']]) {
      const refused = await request(`${rig.base}/v1/labels/1?${bad}`);
      expect({ bad, status: refused.status, code: refused.json?.error?.code, path: refused.json?.error?.path }).toEqual({ bad, status: 400, code: 'ERR_BAD_VALUE', path });
    }
  });

  it('maps RPC failures: an application exception to 500 ERR_REMOTE, a business status to 500 with it', async () => {
    const failed = await request(`${rig.base}/v1/orders/1`, { method: 'DELETE' });
    expect(failed.status).toBe(500);
    expect(failed.json.error.code).toBe('ERR_REMOTE');
    const busy = await request(`${rig.base}/v1/busy`, { method: 'PUT', body: '{}' });
    expect(busy.status).toBe(500);
    expect(busy.json.error).toMatchObject({ code: 'ERR_BIZ_STATUS', bizStatus: { code: 1001, message: 'out of stock' } });
  });
});
