import { describe, expect, it } from 'vitest';
import { formatTraceparent, parseB3, parseTraceHeaders, parseTraceparent } from '../../src-ts/telemetry/index.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

describe('W3C traceparent', () => {
  it('round-trips a sampled and an unsampled span, with tracestate', () => {
    expect(formatTraceparent({ traceId: TRACE, spanId: SPAN, traceFlags: 1 })).toBe(`00-${TRACE}-${SPAN}-01`);
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-01`, 'congo=t61rcWkgMzE')).toEqual({ traceId: TRACE, spanId: SPAN, traceFlags: 1, traceState: 'congo=t61rcWkgMzE' });
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`)).toEqual({ traceId: TRACE, spanId: SPAN, traceFlags: 0 });
  });

  it('rejects malformed values, so a bad header starts a new trace instead of joining a bogus one', () => {
    for (const bad of [
      '',
      `00-${TRACE}-${SPAN}`,
      `ff-${TRACE}-${SPAN}-01`,
      `00-${'0'.repeat(32)}-${SPAN}-01`,
      `00-${TRACE}-${'0'.repeat(16)}-01`,
      `00-${TRACE.slice(1)}-${SPAN}-01`,
      `00-${TRACE}-${SPAN}-01-extra`,
      `00-${TRACE}-${SPAN}-zz`,
    ]) expect(parseTraceparent(bad), bad).toBeUndefined();
    // A later version may append fields.
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-01-extra`)?.traceId).toBe(TRACE);
  });
});

describe('B3', () => {
  it('reads the single header and the multi headers, padding 64-bit trace ids', () => {
    const headers = (h: Record<string, string>) => (key: string) => h[key];
    expect(parseB3(headers({ b3: `${TRACE}-${SPAN}-1` }))).toEqual({ traceId: TRACE, spanId: SPAN, traceFlags: 1 });
    expect(parseB3(headers({ b3: `a3ce929d0e0e4736-${SPAN}-0` }))).toEqual({ traceId: `0000000000000000a3ce929d0e0e4736`, spanId: SPAN, traceFlags: 0 });
    expect(parseB3(headers({ 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN, 'x-b3-flags': '1' }))).toEqual({ traceId: TRACE, spanId: SPAN, traceFlags: 1 });
    expect(parseB3(headers({ 'x-b3-traceid': TRACE }))).toBeUndefined();
    expect(parseB3(headers({ b3: '0' }))).toBeUndefined();
  });

  it('W3C wins when both are present', () => {
    const h: Record<string, string> = { traceparent: `00-${TRACE}-${SPAN}-01`, b3: `a3ce929d0e0e4736-1111111111111111-1` };
    expect(parseTraceHeaders((k) => h[k])?.spanId).toBe(SPAN);
  });
});
