/**
 * The text parts of an HTTP request a binding reads: the path split into segments, the query
 * string and urlencoded form bodies (`+` is a space, as Go's url.ParseQuery reads them), and the
 * Cookie header. Every part is bounded: at most `MAX_PARAMS` parameters.
 */
import { ErrorCode, HeddleError } from '../../errors.js';
import { percentDecode } from './route-template.js';

/** Parameters by name, in the order they came; a repeated name keeps every value. */
export type ParamValues = Map<string, string[]>;

export const MAX_PARAMS = 1000;

const EMPTY_PARAMS: ParamValues = new Map();

/** Parses `a=1&b=x+y&a=2` (no leading "?"). */
export function parseUrlEncoded(text: string, what: string): ParamValues {
  if (text === '') return EMPTY_PARAMS;
  const values: ParamValues = new Map();
  let count = 0;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    if (++count > MAX_PARAMS) throw new HeddleError(ErrorCode.ERR_SIZE_LIMIT, `${what} has over ${MAX_PARAMS} parameters`);
    const eq = pair.indexOf('=');
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    const name = percentDecode(rawName.replace(/\+/g, ' '), what);
    const value = percentDecode(rawValue.replace(/\+/g, ' '), `${what} ${name}`);
    const list = values.get(name);
    if (list === undefined) values.set(name, [value]);
    else list.push(value);
  }
  return values;
}

/** Parses a Cookie header: `a=1; b=2` (values taken as they are, quotes removed). */
export function parseCookies(header: string | undefined): ParamValues {
  if (header === undefined || header === '') return EMPTY_PARAMS;
  const values: ParamValues = new Map();
  let count = 0;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (++count > MAX_PARAMS) throw new HeddleError(ErrorCode.ERR_SIZE_LIMIT, `the Cookie header has over ${MAX_PARAMS} cookies`);
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (!values.has(name)) values.set(name, [value]);
  }
  return values;
}

/** The request target split into path segments (still percent-encoded) and the query string. */
export function splitTarget(url: string): { segments: string[]; query: string } {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  const hash = query.indexOf('#');
  return { segments: path.split('/').slice(1), query: hash < 0 ? query : query.slice(0, hash) };
}
