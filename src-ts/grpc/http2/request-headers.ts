import type { IncomingHttpHeaders } from 'node:http2';
import type { HeaderFields } from './hpack.js';

const REQUEST_PSEUDO_HEADERS = new Set([':method', ':scheme', ':path', ':authority']);
/** RFC 9113 8.2.2: connection-specific fields a request must not carry. */
const CONNECTION_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

/**
 * A request's decoded header fields as node:http2 presents them (a name sent twice becomes an
 * array), checked as RFC 9113 8.3 wants a request's: lowercase names, the request pseudo-headers
 * once each and before the regular ones, `:method` and `:path` present, no connection-specific
 * fields, `te` only as `trailers`. A malformed list gives the reason as a string (a stream error
 * for the caller).
 */
export function requestHeaders(fields: HeaderFields): IncomingHttpHeaders | string {
  const headers: IncomingHttpHeaders = {};
  let regularSeen = false;
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i]!;
    const value = fields[i + 1]!;
    if (name.charCodeAt(0) === 0x3a) {
      if (regularSeen || !REQUEST_PSEUDO_HEADERS.has(name) || headers[name] !== undefined) {
        return `malformed request headers: pseudo-header '${name}' not allowed there`;
      }
    } else {
      regularSeen = true;
      if (/[A-Z]/.test(name)) return `malformed header name '${name}' (uppercase)`;
      if (CONNECTION_HEADERS.has(name)) return `connection-specific header '${name}' in a request`;
      if (name === 'te' && value !== 'trailers') return `te: ${value} (only 'trailers' is allowed)`;
    }
    const previous = headers[name];
    if (previous === undefined) headers[name] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else (headers as Record<string, string | string[]>)[name] = [previous, value];
  }
  if (headers[':method'] === undefined || headers[':path'] === undefined || headers[':path'] === '') return 'malformed request headers: :method or :path missing';
  return headers;
}
