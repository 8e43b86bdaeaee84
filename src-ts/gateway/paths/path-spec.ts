/**
 * The text form of a field path: segments separated by dots, with brackets for indexes and map
 * keys, e.g. `items.0.title`, `items[0].title`, `attrs["zh"]`, `scores[-3]`, `attrs.zh`.
 * This file only splits the text; what a segment means (field, index, key) depends on the schema
 * and is decided in compile-path.ts.
 */
import { ErrorCode, HeddleError } from '../../errors.js';

/** One segment as written. */
export interface SpecSegment {
  /** The segment's text for error messages, as written (`items`, `[0]`, `["zh"]`). */
  readonly text: string;
  /** The segment's value: a name, digits, or the decoded content of a quoted key. */
  readonly value: string;
  /** True for a quoted key (`["zh"]`): only a string map key can take it. */
  readonly quoted: boolean;
}

const BARE = /[^.[\]"']/;

/** Splits `spec` into segments; a malformed spec is ERR_INVALID_ARGUMENT naming the offending character. */
export function splitPath(spec: string): SpecSegment[] {
  if (typeof spec !== 'string') throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'a field path must be a string');
  const segments: SpecSegment[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `bad field path ${JSON.stringify(spec)}: ${why} at character ${i}`);
  };
  while (i < spec.length) {
    const c = spec[i]!;
    if (c === '[') {
      const start = i;
      i++;
      const q = spec[i];
      let value: string;
      let quoted = false;
      if (q === '"' || q === "'") {
        const close = closingQuote(spec, i, q);
        if (close < 0) fail('unterminated quoted key');
        const body = spec.slice(i + 1, close);
        value = q === '"' ? parseJsonString(body, fail) : body;
        quoted = true;
        i = close + 1;
      } else {
        const close = spec.indexOf(']', i);
        if (close < 0) fail("'[' without ']'");
        value = spec.slice(i, close).trim();
        if (!/^-?\d+$/.test(value)) fail('a bracket holds an integer or a quoted key');
        i = close;
      }
      if (spec[i] !== ']') fail("expected ']'");
      i++;
      segments.push({ text: spec.slice(start, i), value, quoted });
    } else if (c === '.') {
      if (segments.length === 0 || !(i + 1 < spec.length && (BARE.test(spec[i + 1]!) || spec[i + 1] === '['))) fail("a '.' must separate two segments");
      i++;
      if (spec[i] === '[') continue;
      i = bare(spec, i, segments);
    } else if (segments.length === 0 && BARE.test(c)) {
      i = bare(spec, i, segments);
    } else {
      fail(`unexpected ${JSON.stringify(c)}`);
    }
  }
  if (segments.length === 0) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'a field path needs at least one segment');
  return segments;
}

function bare(spec: string, start: number, segments: SpecSegment[]): number {
  let i = start;
  while (i < spec.length && BARE.test(spec[i]!)) i++;
  const value = spec.slice(start, i);
  segments.push({ text: value, value, quoted: false });
  return i;
}

function closingQuote(spec: string, open: number, quote: string): number {
  for (let i = open + 1; i < spec.length; i++) {
    if (spec[i] === '\\') i++;
    else if (spec[i] === quote) return i;
  }
  return -1;
}

function parseJsonString(body: string, fail: (why: string) => never): string {
  try {
    return JSON.parse(`"${body}"`) as string;
  } catch {
    return fail('bad escape in a quoted key');
  }
}

/** The text of the first `count` segments of a compiled path, for error locations: `items[0].title`. */
export function joinSegments(steps: ReadonlyArray<{ readonly text: string }>, count: number): string {
  let text = '';
  for (let i = 0; i < Math.min(count, steps.length); i++) {
    const step = steps[i]!;
    text += i > 0 && !step.text.startsWith('[') ? `.${step.text}` : step.text;
  }
  return text;
}
