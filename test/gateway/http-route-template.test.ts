/** Path templates (Hertz and google.api.http), their matching and ordering, and text values as JSON. */
import { describe, expect, it } from 'vitest';
import { HeddleError } from '../../src-ts/errors.js';
import { JsonObjectText, paramJson } from '../../src-ts/gateway/http/param-json.js';
import { parseCookies, parseUrlEncoded, splitTarget } from '../../src-ts/gateway/http/request-text.js';
import { compareSpecificity, matchTemplate, parseGoogleTemplate, parseHertzTemplate, type RouteTemplate } from '../../src-ts/gateway/http/route-template.js';

const match = (template: RouteTemplate, url: string) => {
  const values = matchTemplate(template, splitTarget(url).segments);
  return values === undefined ? undefined : Object.fromEntries(values);
};

describe('Hertz templates', () => {
  it('binds :name, {name} and *name segments, percent-decoded', () => {
    const t = parseHertzTemplate('/v1/:shop/orders/{id}');
    expect(match(t, '/v1/%E5%BA%97/orders/12')).toEqual({ shop: '店', id: '12' });
    expect(match(t, '/v1/s/orders')).toBeUndefined();
    expect(match(t, '/v1/s/orders/12/x')).toBeUndefined();
    expect(match(t, '/v1//orders/12')).toBeUndefined();
    const rest = parseHertzTemplate('/files/*path');
    expect(match(rest, '/files/a/b%20c/d')).toEqual({ path: 'a/b c/d' });
    expect(match(rest, '/files/')).toEqual({ path: '' });
  });

  it('refuses templates that are not routes', () => {
    expect(() => parseHertzTemplate('v1/x')).toThrow(HeddleError);
    expect(() => parseHertzTemplate('/a/*rest/b')).toThrow(/last segment/);
    expect(() => parseHertzTemplate('/a/:')).toThrow(/names no parameter/);
  });
});

describe('google.api.http templates', () => {
  it('binds field paths over one or several segments, ** to the end, and a verb', () => {
    const t = parseGoogleTemplate('/v1/{name=shelves/*/books/*}:publish');
    expect(t.segments.map((s) => s.kind)).toEqual(['literal', 'literal', 'one', 'literal', 'one']);
    expect(match(t, '/v1/shelves/s1/books/b%2F2:publish')).toEqual({ name: 'shelves/s1/books/b/2' });
    expect(match(t, '/v1/shelves/s1/books/b2')).toBeUndefined();
    expect(match(t, '/v1/shelves/s1/books/b2:other')).toBeUndefined();
    const nested = parseGoogleTemplate('/v1/{book.shelf.id}/x/{path=**}');
    expect(match(nested, '/v1/7/x/a/b/c')).toEqual({ 'book.shelf.id': '7', path: 'a/b/c' });
  });

  it('refuses malformed templates', () => {
    for (const bad of ['/v1/{name', '/v1/{1bad}', '/v1/**/x', '/v1/a*', '/v1/x:', '/v1/{a=b/**/c}', 'v1']) {
      expect(() => parseGoogleTemplate(bad), bad).toThrow(HeddleError);
    }
  });

  it('orders literals before single-segment variables before catch-alls', () => {
    const templates = ['/v1/{a=**}', '/v1/{a}/x', '/v1/items/x', '/v1/{a}/{b}'].map(parseGoogleTemplate);
    expect([...templates].sort(compareSpecificity).map((t) => t.source)).toEqual(['/v1/items/x', '/v1/{a}/x', '/v1/{a}/{b}', '/v1/{a=**}']);
  });
});

describe('request text', () => {
  it('parses query strings as Go does (+ is a space, repeated names kept) and bounds them', () => {
    expect(Object.fromEntries(parseUrlEncoded('a=1&b=x+y&a=%E8%8C%B6&c&=v', 'q'))).toEqual({ a: ['1', '茶'], b: ['x y'], c: [''], '': ['v'] });
    expect(() => parseUrlEncoded('a=%E8%8C', 'q')).toThrow(/percent-encoding/);
    expect(() => parseUrlEncoded(Array.from({ length: 1001 }, (_, i) => `k${i}=1`).join('&'), 'q')).toThrow(/over 1000/);
    expect(Object.fromEntries(parseCookies('a=1; sess="s 2"; a=3; bare'))).toEqual({ a: ['1'], sess: ['s 2'] });
  });

  it('converts text to JSON as strconv reads it', () => {
    expect(paramJson('integer', '+007', 'f', 'q')).toBe('7');
    expect(paramJson('integer', '-0', 'f', 'q')).toBe('0');
    expect(paramJson('integer', '-9223372036854775808', 'f', 'q')).toBe('-9223372036854775808');
    expect(() => paramJson('integer', '1.5', 'f', 'q')).toThrow(/not an integer/);
    expect(paramJson('float', '-1.5e3', 'f', 'q')).toBe('-1500');
    expect(paramJson('float', '.5', 'f', 'q')).toBe('0.5');
    expect(() => paramJson('float', 'NaN', 'f', 'q')).toThrow(/not a number/);
    expect(paramJson('float-specials', '-Inf', 'f', 'q')).toBe('"-Infinity"');
    expect(['1', 't', 'T', 'TRUE', 'true', 'True'].map((t) => paramJson('bool', t, 'f', 'q'))).toEqual(Array(6).fill('true'));
    expect(['0', 'f', 'F', 'FALSE', 'false', 'False'].map((t) => paramJson('bool', t, 'f', 'q'))).toEqual(Array(6).fill('false'));
    expect(() => paramJson('bool', 'yes', 'f', 'q')).toThrow(/not a boolean/);
    expect(paramJson('enum-name-or-number', '2', 'f', 'q')).toBe('2');
    expect(paramJson('enum-name-or-number', 'PAID', 'f', 'q')).toBe('"PAID"');
    expect(paramJson('string', '"茶"\n', 'f', 'q')).toBe('"\\"茶\\"\\n"');
    expect(paramJson('json', ' {"a":[1]} ', 'f', 'q')).toBe(' {"a":[1]} ');
    expect(() => paramJson('json', '{"a":1},"other":2', 'f', 'q')).toThrow(/one JSON value/);
  });

  it('nests dotted member paths into one JSON object', () => {
    const json = new JsonObjectText();
    json.set(['a', 'b'], '1');
    json.set(['a', 'c'], ['"x"', '"y"']);
    json.set(['d'], 'true');
    expect(JSON.parse(json.toString())).toEqual({ a: { b: 1, c: ['x', 'y'] }, d: true });
  });
});
