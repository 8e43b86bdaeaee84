import type { IncomingHttpHeaders } from 'node:http2';
import type { HeaderFields } from './hpack.js';

/**
 * A response's decoded header fields as node:http2 presents them (a name sent twice becomes an
 * array), checked as RFC 9113 8.3 wants a response's: lowercase names, `:status` the only
 * pseudo-header, before the regular ones, present and three digits; none in `trailers`. A
 * malformed list gives the reason as a string (a stream error for the caller).
 */
export function responseHeaders(fields: HeaderFields, trailers: boolean): IncomingHttpHeaders | string {
  const headers = headerList(fields, (name, seen) =>
    trailers || name !== ':status' || seen[':status'] !== undefined ? `malformed ${trailers ? 'trailers' : 'response headers'}: pseudo-header '${name}' not allowed there` : undefined,
  );
  if (typeof headers === 'string' || trailers) return headers;
  const status = headers[':status'];
  if (typeof status !== 'string' || !/^[1-9][0-9][0-9]$/.test(status)) {
    return `malformed response headers: ':status' is ${status === undefined ? 'missing' : `'${String(status)}'`}`;
  }
  return headers;
}

/**
 * Decoded header fields as node:http2 presents them (a name sent twice becomes an array), with
 * the checks requests and responses share (RFC 9113 8.2, 8.3): lowercase names, pseudo-headers
 * before regular ones. `pseudoProblem` and `regularProblem` say what else is wrong with a field
 * (given the fields so far); the first problem is returned as a string.
 */
export function headerList(
  fields: HeaderFields,
  pseudoProblem: (name: string, seen: IncomingHttpHeaders) => string | undefined,
  regularProblem?: (name: string, value: string) => string | undefined,
): IncomingHttpHeaders | string {
  const headers: IncomingHttpHeaders = {};
  let regularSeen = false;
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i]!;
    const value = fields[i + 1]!;
    if (name.charCodeAt(0) === 0x3a) {
      if (regularSeen) return `malformed header list: pseudo-header '${name}' after regular fields`;
      const problem = pseudoProblem(name, headers);
      if (problem !== undefined) return problem;
    } else {
      regularSeen = true;
      if (/[A-Z]/.test(name)) return `malformed header name '${name}' (uppercase)`;
      const problem = regularProblem?.(name, value);
      if (problem !== undefined) return problem;
    }
    const previous = headers[name];
    if (previous === undefined) headers[name] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else (headers as Record<string, string | string[]>)[name] = [previous, value];
  }
  return headers;
}
