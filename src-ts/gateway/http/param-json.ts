/**
 * Request values that arrive as text (path segments, query parameters, headers, cookies, form
 * fields) turned into JSON member text, so the JSON transcoders bind them into wire bytes with the
 * same checks, defaults and error paths as the body. Text is converted as Go's strconv reads it
 * (Kitex's HTTP generic call and grpc-gateway both use it): integers `[+-]digits`, booleans
 * `1 t T TRUE true True 0 f F FALSE false False`.
 */
import { ErrorCode, HeddleError } from '../../errors.js';

/** How a text value becomes JSON for its field. */
export type ParamKind =
  /** a JSON string of the text */
  | 'string'
  /** a JSON integer, checked and written exactly */
  | 'integer'
  /** a JSON number; with `specials`, also "NaN"/"Inf"/"Infinity" as ProtoJSON strings */
  | 'float'
  | 'float-specials'
  | 'bool'
  /** an integer as a number, otherwise the text as a (name) string */
  | 'enum-name-or-number'
  /** the text is JSON already (a struct or map in a query parameter) */
  | 'json';

const TRUE_WORDS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE_WORDS = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);
const INTEGER = /^[+-]?[0-9]+$/;
const FLOAT = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;

/** Where a value came from, for error messages: `query parameter "ids"`. */
export type ParamSource = string;

function badParam(kind: string, text: string, path: string, source: ParamSource): HeddleError {
  const shown = text.length > 64 ? `${text.slice(0, 64)}...` : text;
  return new HeddleError(ErrorCode.ERR_BAD_VALUE, `${source} is not ${kind}: "${shown}"`, { path });
}

/** `digits` as JSON: sign kept only when negative, leading zeros dropped. */
function jsonInteger(text: string): string {
  const negative = text.startsWith('-');
  const digits = text.replace(/^[+-]/, '').replace(/^0+(?=[0-9])/, '');
  return negative && digits !== '0' ? `-${digits}` : digits;
}

/** The JSON text of `text` read as `kind`; ERR_BAD_VALUE with `path` when it is not one. */
export function paramJson(kind: ParamKind, text: string, path: string, source: ParamSource): string {
  switch (kind) {
    case 'string':
      return JSON.stringify(text);
    case 'integer':
      if (!INTEGER.test(text)) throw badParam('an integer', text, path, source);
      return jsonInteger(text);
    case 'float':
    case 'float-specials': {
      if (FLOAT.test(text)) {
        const value = Number(text);
        if (Number.isFinite(value)) return String(value);
      }
      if (kind === 'float-specials') {
        if (text === 'NaN') return '"NaN"';
        if (/^[+]?Inf(inity)?$/i.test(text)) return '"Infinity"';
        if (/^-Inf(inity)?$/i.test(text)) return '"-Infinity"';
      }
      throw badParam('a number', text, path, source);
    }
    case 'bool':
      if (TRUE_WORDS.has(text)) return 'true';
      if (FALSE_WORDS.has(text)) return 'false';
      throw badParam('a boolean', text, path, source);
    case 'enum-name-or-number':
      return INTEGER.test(text) ? jsonInteger(text) : JSON.stringify(text);
    case 'json':
      // Exactly one JSON value, checked before it is spliced in: text such as `{},"other":1`
      // would otherwise set members its source does not name.
      try {
        JSON.parse(text);
      } catch {
        throw badParam('one JSON value', text, path, source);
      }
      return text;
  }
}

/**
 * JSON object text built from member paths: `a.b` nests. Leaves are JSON text; a repeated leaf is
 * an array. The transcoder reading the result reports errors with the same member paths.
 */
export class JsonObjectText {
  private readonly members = new Map<string, string | string[] | JsonObjectText>();

  get empty(): boolean {
    return this.members.size === 0;
  }

  /** Sets `path` (names split already) to one JSON value, or to an array of them; an array set
   * where one is already goes on after it (`names[a]=x&names=y` sets a repeated field twice). */
  set(path: readonly string[], value: string | string[]): void {
    let target: JsonObjectText = this;
    for (let i = 0; i < path.length - 1; i++) {
      let child = target.members.get(path[i]!);
      if (!(child instanceof JsonObjectText)) {
        child = new JsonObjectText();
        target.members.set(path[i]!, child);
      }
      target = child;
    }
    const name = path[path.length - 1]!;
    const before = target.members.get(name);
    target.members.set(name, Array.isArray(before) && Array.isArray(value) ? [...before, ...value] : value);
  }

  toString(): string {
    let out = '{';
    for (const [name, value] of this.members) {
      if (out.length > 1) out += ',';
      out += JSON.stringify(name) + ':';
      out += typeof value === 'string' ? value : Array.isArray(value) ? `[${value.join(',')}]` : value.toString();
    }
    return out + '}';
  }
}

/**
 * An error from transcoding the JSON built from text values: its offset is into that JSON, which
 * the caller never saw, so it is dropped; the field path stays.
 */
export function paramTranscodeError(error: unknown): unknown {
  if (!(error instanceof HeddleError)) return error;
  const message = error.message.replace(/ \(.*\)$/, '');
  return new HeddleError(error.code, `path, query, header or cookie value: ${message}`, { ...(error.path === undefined ? {} : { path: error.path }), cause: error });
}
