/**
 * Bad input in both directions: every case asserts the HeddleError's code, its byte offset (into
 * the JSON body or the wire bytes) and the field path.
 */
import { describe, expect, test } from 'vitest';
import { thrift } from '../../src-ts/index.js';
import { catchError } from '../kernels/assertions.js';
import { IDL } from './fixtures.js';

const doc = thrift.parse(IDL);

/** Code, offset and path of the error fromJSON gives for `json`. */
function fromErr(codec: { fromJSON(b: string, o?: object): Uint8Array }, json: string, options?: object): [string, number | undefined, string | undefined] {
  const e = catchError(() => codec.fromJSON(json, options));
  return [e.code, e.offset, e.path];
}

describe.each(['binary', 'compact'] as const)('%s fromJSON rejects', (protocol) => {
  const order = doc.codec('Order', { protocol });
  const at = (json: string, needle: string): number => Buffer.from(json.slice(0, json.indexOf(needle))).length;

  test('malformed JSON', () => {
    const cases: Array<[string, string, number, string | undefined]> = [
      ['{"id":1,}', 'ERR_BAD_VALUE', 8, undefined],
      ['{"id" 1}', 'ERR_BAD_VALUE', 6, undefined],
      ['{"id":01}', 'ERR_BAD_VALUE', 7, undefined],
      ['{"id":1} x', 'ERR_BAD_VALUE', 9, undefined],
      ['{"x":tru}', 'ERR_BAD_VALUE', 8, undefined],
      ['{"memo":"a\\x"}', 'ERR_BAD_VALUE', 10, 'note'],
      ['{"memo":"a\nb"}', 'ERR_BAD_VALUE', 10, 'note'],
      ['[]', 'ERR_BAD_VALUE', 0, undefined],
      ['', 'ERR_TRUNCATED', 0, undefined],
    ];
    for (const [json, ...expected] of cases) expect(fromErr(order, json)).toEqual(expected);
  });

  test('truncated JSON', () => {
    expect(fromErr(order, '{"id":1')).toEqual(['ERR_TRUNCATED', 7, undefined]);
    expect(fromErr(order, '{"items":[{"title":"ab')).toEqual(['ERR_TRUNCATED', 22, 'items[0].title']);
    expect(fromErr(order, '{"id":')).toEqual(['ERR_TRUNCATED', 6, 'id']);
  });

  test('wrong JSON types and numbers out of range for i8, i16, i32, i64 name the field', () => {
    const json = '{"items":[{"title":"a"},{"title":"b"},{"title":"c"},{"title":7}]}';
    const cases: Array<[string, string, number, string | undefined]> = [
      [json, 'ERR_BAD_VALUE', at(json, '7}'), 'items[3].title'],
      ['{"n":"12"}', 'ERR_BAD_VALUE', 5, 'n'],
      ['{"items":{}}', 'ERR_BAD_VALUE', 9, 'items'],
      ['{"ok":1}', 'ERR_BAD_VALUE', 6, 'ok'],
      ['{"tags":[1,null]}', 'ERR_BAD_VALUE', 11, 'tags[1]'],
      ['{"id":1.5}', 'ERR_BAD_VALUE', 6, 'id'],
      ['{"id":1e3}', 'ERR_BAD_VALUE', 6, 'id'],
      ['{"id":"12a"}', 'ERR_BAD_VALUE', 6, 'id'],
      ['{"uid":"not-a-uuid"}', 'ERR_BAD_VALUE', 7, 'uid'],
      ['{"small":128}', 'ERR_BAD_VALUE', 9, 'small'],
      ['{"small":-129}', 'ERR_BAD_VALUE', 9, 'small'],
      ['{"mid":32768}', 'ERR_BAD_VALUE', 7, 'mid'],
      ['{"n":2147483648}', 'ERR_BAD_VALUE', 5, 'n'],
      ['{"n":-2147483649}', 'ERR_BAD_VALUE', 5, 'n'],
      ['{"n":99999999999999999999}', 'ERR_BAD_VALUE', 5, 'n'],
      ['{"id":9223372036854775808}', 'ERR_BAD_VALUE', 6, 'id'],
      ['{"id":-9223372036854775809}', 'ERR_BAD_VALUE', 6, 'id'],
      ['{"id":"9223372036854775808"}', 'ERR_BAD_VALUE', 6, 'id'],
      ['{"names":{"9223372036854775808":"x"}}', 'ERR_BAD_VALUE', 11, 'names[9223372036854775808]'],
      ['{"names":{"abc":"x"}}', 'ERR_BAD_VALUE', 10, 'names[abc]'],
    ];
    for (const [json, ...expected] of cases) expect(fromErr(order, json)).toEqual(expected);
  });


  test('lone surrogates and invalid UTF-8', () => {
    expect(fromErr(order, '{"memo":"\\ud83d"}')).toEqual(['ERR_BAD_VALUE', 9, 'note']);
    expect(fromErr(order, '{"memo":"\\ud83dx"}')).toEqual(['ERR_BAD_VALUE', 9, 'note']);
    expect(fromErr(order, '{"memo":"a\\ude00"}')).toEqual(['ERR_BAD_VALUE', 10, 'note']);
    expect(fromErr(order, '{"memo":"\\ud83d\\u0041"}')).toEqual(['ERR_BAD_VALUE', 9, 'note']);
    for (const bad of [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe4, 0xb8], [0xf4, 0x90, 0x80, 0x80]]) {
      const body = Buffer.concat([Buffer.from('{"memo":"ab'), Buffer.from(bad), Buffer.from('"}')]);
      const e = catchError(() => order.fromJSON(body));
      expect([e.code, e.offset]).toEqual(['ERR_BAD_VALUE', 11]);
    }
  });

  test('invalid base64', () => {
    const item = doc.codec('Item', { protocol });
    expect(fromErr(item, '{"title":"t","blob":"AQ*D"}')).toEqual(['ERR_BAD_VALUE', 23, 'blob']);
    expect(fromErr(item, '{"title":"t","blob":"A"}')).toEqual(['ERR_BAD_VALUE', 21, 'blob']);
    expect(fromErr(item, '{"title":"t","blob":"AQ=D"}')).toEqual(['ERR_BAD_VALUE', 23, 'blob']);
    expect(fromErr(item, '{"title":"t","blob":"A==="}')).toEqual(['ERR_BAD_VALUE', 21, 'blob']);
  });

  test('required fields, unions, duplicates, unknown fields when rejected', () => {
    const json = '{"items":[{"title":"a"},{"id":1}]}';
    expect(fromErr(order, json)).toEqual(['ERR_REQUIRED_FIELD', json.length - 3, 'items[1]']);
    const u = doc.codec('U', { protocol });
    expect(fromErr(u, '{"a":1,"b":"x"}')).toEqual(['ERR_BAD_VALUE', 14, undefined]);
    expect(fromErr(u, '{}')).toEqual(['ERR_BAD_VALUE', 1, undefined]);
    expect(fromErr(order, '{"id":1,"id":2}')).toEqual(['ERR_BAD_VALUE', 8, undefined]);
    expect(fromErr(doc.codec('Deep', { protocol }), '{"next":{"next":{},"next":{}}}')).toEqual(['ERR_BAD_VALUE', 19, 'next']);
    expect(fromErr(order, '{"id":1,"items":[{"title":"a","extra":1}]}', { unknownFields: 'reject' })).toEqual(['ERR_BAD_VALUE', 30, 'items[0]']);
    expect(catchError(() => order.fromJSON('{}', { unknownFields: 'maybe' as 'skip' })).code).toBe('ERR_INVALID_ARGUMENT');
  });

  test('depth and size limits', () => {
    const deep = doc.codec('Deep', { protocol, maxDepth: 5 });
    const body = (n: number): string => '{"next":'.repeat(n) + '{}' + '}'.repeat(n);
    expect(deep.decode(deep.fromJSON(body(4)))).toBeTruthy();
    expect(fromErr(deep, body(5))).toEqual(['ERR_DEPTH_LIMIT', 40, 'next.next.next.next.next']);
    const unknownDeep = '{"x":' + '['.repeat(10) + ']'.repeat(10) + '}';
    expect(fromErr(deep, unknownDeep)[0]).toBe('ERR_DEPTH_LIMIT');
    const small = doc.codec('Order', { protocol, maxSize: 64 });
    expect(fromErr(small, `{"memo":"${'x'.repeat(80)}"}`)).toEqual(['ERR_SIZE_LIMIT', 0, undefined]);
    expect(fromErr(small, `{"names":{${Array.from({ length: 9 }, (_, i) => `"${i}":"x"`).join(',')}}}`)[0]).toBe('ERR_SIZE_LIMIT');
  });
});

describe.each(['binary', 'compact'] as const)('%s toJSON rejects', (protocol) => {
  const order = doc.codec('Order', { protocol });
  const raw = doc.codec('Raw', { protocol });

  test('invalid UTF-8 in a Thrift string, with the wire offset', () => {
    for (const bad of [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe4, 0xb8]]) {
      const wire = raw.encode({ note: new Uint8Array([0x61, ...bad]) });
      const e = catchError(() => order.toJSON(wire));
      const header = protocol === 'binary' ? 7 : 2;
      expect([e.code, e.offset, e.path]).toEqual(['ERR_BAD_VALUE', header + 1, 'note']);
    }
  });

  test('truncated bytes at every cut', () => {
    const wire = order.encode({ id: 1n, items: [{ title: 'abc' }, { title: 'defgh' }], note: 'n' });
    for (let cut = 0; cut < wire.length; cut++) {
      const e = catchError(() => order.toJSON(wire.subarray(0, cut)));
      expect(e.code === 'ERR_TRUNCATED' || e.code === 'ERR_SIZE_LIMIT').toBe(true);
      expect(e.offset).toBeLessThanOrEqual(cut);
    }
    const inTitle = Buffer.from(wire).indexOf('defgh') + 2;
    const e = catchError(() => order.toJSON(wire.subarray(0, inTitle)));
    expect([e.code, e.path]).toEqual(['ERR_SIZE_LIMIT', 'items[1].title']);
  });

  test('malformed bytes: bad element type, negative size, bad bool, trailing bytes, NaN', () => {
    const tags = order.encode({ tags: [1] });
    const bad = Uint8Array.from(tags);
    if (protocol === 'binary') bad[3] = 11; // element type string where i32 is declared
    else bad[1] = (1 << 4) | 8;
    expect([catchError(() => order.toJSON(bad)).code, catchError(() => order.toJSON(bad)).path]).toEqual(['ERR_BAD_TYPE', 'tags']);
    if (protocol === 'binary') {
      const neg = Uint8Array.from(tags);
      neg.set([0xff, 0xff, 0xff, 0xff], 4);
      const e = catchError(() => order.toJSON(neg));
      expect([e.code, e.offset, e.path]).toEqual(['ERR_SIZE_LIMIT', 3, 'tags']);
      const b = Uint8Array.from(order.encode({ ok: true }));
      b[3] = 7;
      const eb = catchError(() => order.toJSON(b));
      expect([eb.code, eb.offset, eb.path]).toEqual(['ERR_BAD_VALUE', 3, 'ok']);
    }
    const trailing = Buffer.concat([order.encode({ id: 1n }), Buffer.from([0])]);
    const et = catchError(() => order.toJSON(trailing));
    expect([et.code, et.offset]).toEqual(['ERR_BAD_VALUE', trailing.length - 1]);
    const nan = order.encode({ price: NaN });
    expect(catchError(() => order.toJSON(nan)).code).toBe('ERR_BAD_VALUE');
    expect(catchError(() => order.toJSON(nan)).path).toBe('price');
  });

  test('required field missing on the wire', () => {
    const item = doc.codec('Item', { protocol });
    const e = catchError(() => item.toJSON(doc.codec('Raw', { protocol }).encode({})));
    expect([e.code, e.offset]).toEqual(['ERR_REQUIRED_FIELD', 0]);
  });

  test('depth limit on the wire', () => {
    const deepWire = doc.codec('Deep', { protocol }).encode({ next: { next: { next: { next: { next: {} } } } } });
    const e = catchError(() => doc.codec('Deep', { protocol, maxDepth: 4 }).toJSON(deepWire));
    expect([e.code, e.path]).toEqual(['ERR_DEPTH_LIMIT', 'next.next.next.next']);
  });
});
