/**
 * Values as JSON a peer driver can rebuild by schema: i64 as decimal strings, doubles as strings
 * (JSON has no -0 or Infinity), binary as hex, maps as [key, value] pairs, sets as arrays.
 */
export function toWireJson(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Object.is(value, -0) ? '-0.0' : Number.isInteger(value) ? value : String(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (value instanceof Map) return [...value].map(([k, v]) => [toWireJson(k), toWireJson(v)]);
  if (value instanceof Set) return [...value].map(toWireJson);
  if (Array.isArray(value)) return value.map(toWireJson);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWireJson(v)]));
  }
  return value;
}
