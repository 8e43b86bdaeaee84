/**
 * A lossless reading of JSON text for comparing two renderings by value: every number keeps its
 * source text (an integer becomes a bigint, so int64 digits past 2^53 are compared exactly, where
 * JSON.parse would round them), objects keep their member order, strings are decoded.
 */

export type ExactJson = null | boolean | string | { int: bigint } | { double: number } | ExactJson[] | { members: Array<[string, ExactJson]> };

/** The value of `text`; throws on anything that is not one whole JSON value. */
export function parseExact(text: string): ExactJson {
  let at = 0;
  const space = (): void => {
    while (at < text.length && ' \t\r\n'.includes(text[at]!)) at++;
  };
  const fail = (what: string): never => {
    throw new Error(`${what} at ${at} in ${text.slice(Math.max(0, at - 20), at + 20)}`);
  };
  const value = (): ExactJson => {
    space();
    const c = text[at];
    if (c === '{') {
      at++;
      const members: Array<[string, ExactJson]> = [];
      space();
      if (text[at] === '}') {
        at++;
        return { members };
      }
      for (;;) {
        space();
        const key = value();
        if (typeof key !== 'string') fail('member name is not a string');
        space();
        if (text[at++] !== ':') fail('expected :');
        members.push([key as string, value()]);
        space();
        const next = text[at++];
        if (next === '}') return { members };
        if (next !== ',') fail('expected , or }');
      }
    }
    if (c === '[') {
      at++;
      const items: ExactJson[] = [];
      space();
      if (text[at] === ']') {
        at++;
        return items;
      }
      for (;;) {
        items.push(value());
        space();
        const next = text[at++];
        if (next === ']') return items;
        if (next !== ',') fail('expected , or ]');
      }
    }
    if (c === '"') {
      const m = /^"(?:[^"\\\u0000-\u001f]|\\.)*"/s.exec(text.slice(at)) ?? fail('bad string');
      at += m![0].length;
      return JSON.parse(m![0]) as string;
    }
    const m = /^-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(at));
    if (m !== null && m[0] !== '') {
      at += m[0].length;
      return m[1] === undefined && m[2] === undefined ? { int: BigInt(m[0]) } : { double: Number(m[0]) };
    }
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, at)) {
        at += word.length;
        return v;
      }
    }
    return fail('unexpected character');
  };
  const result = value();
  space();
  if (at !== text.length) fail('trailing text');
  return result;
}

/**
 * `parseExact` as plain values for toStrictEqual: integers as exact bigints, numbers with a
 * fraction or exponent as the double they denote (so `1e21` and `1e+21` compare equal), or as a
 * bigint when that double is a whole number (so `5` and `5.0`, or `1e2` and `100`, do too).
 * Objects become arrays of [name, value] pairs, keeping member order.
 */
export function exactValue(text: string): unknown {
  const walk = (v: ExactJson): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map(walk);
    if ('int' in v) return v.int;
    if ('double' in v) return Number.isInteger(v.double) ? BigInt(v.double) : v.double;
    return v.members.map(([k, x]) => [k, walk(x)]);
  };
  return walk(parseExact(text));
}
