/** A decoded value written as a TypeScript expression, so `tsc` can judge it against generated types. */
export function valueLiteral(v: unknown): string {
  switch (typeof v) {
    case 'bigint':
      return `${v}n`;
    case 'number':
      return Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : Object.is(v, -0) ? '-0' : String(v);
    case 'string':
    case 'boolean':
      return JSON.stringify(v);
    case 'undefined':
      return 'undefined';
    case 'object':
      break;
    default:
      throw new Error(`no literal for a ${typeof v}`);
  }
  if (v === null) return 'null';
  if (Buffer.isBuffer(v)) return `Buffer.from([${[...v].join(', ')}])`;
  if (ArrayBuffer.isView(v)) {
    const items = [...(v as unknown as Iterable<number | bigint>)].map(valueLiteral);
    return `new ${v.constructor.name}([${items.join(', ')}])`;
  }
  if (v instanceof Map) return `new Map([${[...v].map(([k, x]) => `[${valueLiteral(k)}, ${valueLiteral(x)}]`).join(', ')}])`;
  if (v instanceof Set) return `new Set([${[...v].map(valueLiteral).join(', ')}])`;
  if (Array.isArray(v)) return `[${v.map(valueLiteral).join(', ')}]`;
  // proto2 decoders keep [default = ...] values on a shared plain prototype: they are what a
  // reader sees, so they are written out too.
  const proto = Object.getPrototypeOf(v) as object | null;
  if (proto !== Object.prototype && proto !== null && Object.getPrototypeOf(proto) !== Object.prototype) throw new Error(`no literal for a ${(v as object).constructor.name}`);
  const keys: string[] = [];
  for (const key in v as object) keys.push(key);
  return `{ ${keys.map((k) => `${JSON.stringify(k)}: ${valueLiteral((v as Record<string, unknown>)[k])}`).join(', ')} }`;
}
