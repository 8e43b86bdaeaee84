import type { IncomingHttpHeaders } from 'node:http2';
import type { HeaderFields } from './hpack.js';

/**
 * A response's decoded header fields as node:http2 presents them (a name sent twice becomes an
 * array), checked as RFC 9113 8.3 wants a response's: lowercase names, `:status` the only
 * pseudo-header, before the regular ones, present and three digits; none in `trailers`. A
 * malformed list gives the reason as a string (a stream error for the caller).
 */
export function responseHeaders(fields: HeaderFields, trailers: boolean): IncomingHttpHeaders | string {
  const headers: IncomingHttpHeaders = {};
  let regularSeen = false;
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i]!;
    const value = fields[i + 1]!;
    if (name.charCodeAt(0) === 0x3a) {
      if (trailers || regularSeen || name !== ':status' || headers[':status'] !== undefined) {
        return `malformed ${trailers ? 'trailers' : 'response headers'}: pseudo-header '${name}' not allowed there`;
      }
    } else {
      regularSeen = true;
      if (/[A-Z]/.test(name)) return `malformed header name '${name}' (uppercase)`;
    }
    const previous = headers[name];
    if (previous === undefined) headers[name] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else (headers as Record<string, string | string[]>)[name] = [previous, value];
  }
  if (!trailers) {
    const status = headers[':status'];
    if (typeof status !== 'string' || !/^[1-9][0-9][0-9]$/.test(status)) {
      return `malformed response headers: ':status' is ${status === undefined ? 'missing' : `'${String(status)}'`}`;
    }
  }
  return headers;
}
