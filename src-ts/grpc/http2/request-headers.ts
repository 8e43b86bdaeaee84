import type { IncomingHttpHeaders } from 'node:http2';
import type { HeaderFields } from './hpack.js';
import { headerList } from './response-headers.js';

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
  const headers = headerList(
    fields,
    (name, seen) => (!REQUEST_PSEUDO_HEADERS.has(name) || seen[name] !== undefined ? `malformed request headers: pseudo-header '${name}' not allowed there` : undefined),
    (name, value) => {
      if (CONNECTION_HEADERS.has(name)) return `connection-specific header '${name}' in a request`;
      if (name === 'te' && value !== 'trailers') return `te: ${value} (only 'trailers' is allowed)`;
      return undefined;
    },
  );
  if (typeof headers === 'string') return headers;
  if (headers[':method'] === undefined || headers[':path'] === undefined || headers[':path'] === '') return 'malformed request headers: :method or :path missing';
  return headers;
}
