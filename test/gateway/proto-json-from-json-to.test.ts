// Protobuf fromJSONTo: the wire bytes fromJSON gives, written after what a LinkBuffer already
// holds unflushed (a gRPC frame header), and nothing written when the body is refused.
import { describe, expect, it } from 'vitest';
import { LinkBuffer } from '../../src-ts/buffer/link-buffer.js';
import { HeddleError, protobuf } from '../protobuf/helpers/heddle.js';

const root = protobuf.parse(`
  syntax = "proto3";
  package shop.v1;
  message Item { int64 sku_id = 1; string title = 2; bytes thumb = 3; }
  message Order { uint64 order_id = 1; repeated Item items = 2; map<int64, string> notes = 3; }
`, { filename: 'shop.proto' });
const codec = root.codec('shop.v1.Order');

describe('Protobuf fromJSONTo', () => {
  it('writes what fromJSON gives after the bytes already in the LinkBuffer, and returns its size', () => {
    const body = JSON.stringify({ orderId: '18446744073709551615', items: [{ skuId: '9007199254740993', title: '茶 '.repeat(3000), thumb: 'AQID' }], notes: { 7: '礼物' } });
    const out = new LinkBuffer();
    const header = Uint8Array.of(0, 0, 0, 0, 0);
    out.malloc(header.length).set(header);
    const size = codec.fromJSONTo(body, out);
    const expected = codec.fromJSON(body);
    expect(size).toBe(expected.length);
    out.flush();
    expect(out.length).toBe(header.length + expected.length);
    expect(Buffer.from(out.next(out.length)).equals(Buffer.concat([header, expected]))).toBe(true);
    expect(codec.decode(expected).orderId).toBe(18446744073709551615n);
  });

  it('leaves the LinkBuffer as it was when the body is refused', () => {
    const out = new LinkBuffer();
    out.malloc(3).set([1, 2, 3]);
    let error: unknown;
    try {
      codec.fromJSONTo('{"items":[{"skuId":"12x"}]}', out);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(HeddleError);
    expect((error as HeddleError).path).toBe('items[0].skuId');
    out.flush();
    expect([...out.next(out.length)]).toEqual([1, 2, 3]);
  });
});
