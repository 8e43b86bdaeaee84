/**
 * Trace context in text headers, for when no OpenTelemetry propagator is registered (the API's
 * default propagates nothing): W3C `traceparent`/`tracestate` both ways, and B3 (single `b3` and
 * multi `x-b3-*` headers) accepted on the way in, as obs-opentelemetry's default propagator set
 * (b3, ot, baggage, tracecontext) accepts it.
 */

/** A remote span's identity: what a server's span takes as its parent. */
export interface RemoteSpan {
  traceId: string;
  spanId: string;
  /** W3C trace flags; bit 0 is "sampled". */
  traceFlags: number;
  traceState?: string;
}

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

function validIds(traceId: string, spanId: string): boolean {
  return TRACE_ID.test(traceId) && SPAN_ID.test(spanId) && traceId !== ZERO_TRACE && spanId !== ZERO_SPAN;
}

/** The `traceparent` value of a span: `00-<trace id>-<span id>-<flags>`. */
export function formatTraceparent(span: Pick<RemoteSpan, 'traceId' | 'spanId' | 'traceFlags'>): string {
  return `00-${span.traceId}-${span.spanId}-${(span.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** Parses a W3C `traceparent`; undefined when absent or malformed (a bad header starts a new trace). */
export function parseTraceparent(value: string | undefined, traceState?: string): RemoteSpan | undefined {
  if (value === undefined) return undefined;
  const parts = value.trim().toLowerCase().split('-');
  if (parts.length < 4) return undefined;
  const [version, traceId, spanId, flags] = parts as [string, string, string, string];
  // Version ff is forbidden; version 00 has exactly four fields; later versions may append more.
  if (!/^[0-9a-f]{2}$/.test(version) || version === 'ff' || (version === '00' && parts.length !== 4)) return undefined;
  if (!validIds(traceId, spanId) || !/^[0-9a-f]{2}$/.test(flags)) return undefined;
  return { traceId, spanId, traceFlags: parseInt(flags, 16), ...(traceState ? { traceState } : {}) };
}

/** A B3 trace id may be 64-bit; OpenTelemetry ids are 128-bit, left-padded with zeros. */
function b3TraceId(value: string): string {
  return value.length === 16 ? ZERO_SPAN + value : value;
}

function b3Sampled(value: string | undefined, debug?: string): number {
  return value === '1' || value === 'true' || value === 'd' || debug === '1' ? 1 : 0;
}

/** Parses B3 from `get`: the single `b3` header first, then the `x-b3-*` ones. */
export function parseB3(get: (key: string) => string | undefined): RemoteSpan | undefined {
  const single = get('b3');
  if (single !== undefined) {
    const [traceId, spanId, sampled] = single.trim().toLowerCase().split('-');
    if (traceId === undefined || spanId === undefined) return undefined;
    const id = b3TraceId(traceId);
    return validIds(id, spanId) ? { traceId: id, spanId, traceFlags: b3Sampled(sampled) } : undefined;
  }
  const traceId = get('x-b3-traceid')?.trim().toLowerCase();
  const spanId = get('x-b3-spanid')?.trim().toLowerCase();
  if (traceId === undefined || spanId === undefined) return undefined;
  const id = b3TraceId(traceId);
  return validIds(id, spanId) ? { traceId: id, spanId, traceFlags: b3Sampled(get('x-b3-sampled'), get('x-b3-flags')) } : undefined;
}

/** The remote span in `get`'s headers: W3C first, then B3. */
export function parseTraceHeaders(get: (key: string) => string | undefined): RemoteSpan | undefined {
  return parseTraceparent(get('traceparent'), get('tracestate')) ?? parseB3(get);
}
