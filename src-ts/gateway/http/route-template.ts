/**
 * HTTP path templates from the IDL, parsed once and matched per request: Hertz routes as Kitex's
 * HTTP generic call reads `api.get` and friends (`/user/:id`, `/files/*path`, and `{id}` segments),
 * and google.api.http templates as grpc-gateway reads them (`/v1/{name=shelves/*}/books/{book}`,
 * `*`, `**`, a trailing `:verb`).
 */
import { ErrorCode, HeddleError } from '../../errors.js';

/** One segment of a template: a literal, exactly one path segment, or the rest of the path. */
export type TemplateSegment = { kind: 'literal'; text: string } | { kind: 'one' } | { kind: 'rest' };

/** A variable bound to segments `start` (inclusive) to `end` (exclusive; -1: to the path's end). */
export interface TemplateVariable {
  /** A parameter name (Hertz) or a dotted field path (google.api.http). */
  name: string;
  start: number;
  end: number;
}

export interface RouteTemplate {
  /** The template as written, for messages. */
  source: string;
  segments: TemplateSegment[];
  variables: TemplateVariable[];
  /** google.api.http's `:verb` suffix of the last segment. */
  verb?: string;
}

/** A matched path's variables, values percent-decoded. */
export type PathValues = Map<string, string>;

function badTemplate(source: string, why: string): HeddleError {
  return new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `bad HTTP path template "${source}": ${why}`);
}

/** A Hertz route: literal segments, `:name` (one segment), `*name` (the rest), and `{name}`. */
export function parseHertzTemplate(source: string): RouteTemplate {
  if (!source.startsWith('/')) throw badTemplate(source, 'it must start with "/"');
  const segments: TemplateSegment[] = [];
  const variables: TemplateVariable[] = [];
  const parts = source.slice(1).split('/');
  parts.forEach((part, index) => {
    const named = part.startsWith(':') ? part.slice(1) : part.startsWith('{') && part.endsWith('}') ? part.slice(1, -1) : undefined;
    if (named !== undefined) {
      if (named === '') throw badTemplate(source, `segment ${index + 1} names no parameter`);
      variables.push({ name: named, start: index, end: index + 1 });
      segments.push({ kind: 'one' });
    } else if (part.startsWith('*')) {
      if (index !== parts.length - 1) throw badTemplate(source, 'a catch-all "*name" must be the last segment');
      variables.push({ name: part.slice(1) || '*', start: index, end: -1 });
      segments.push({ kind: 'rest' });
    } else {
      segments.push({ kind: 'literal', text: part });
    }
  });
  return { source, segments, variables };
}

/**
 * A google.api.http template: `/` segments of literals, `*`, `**` (last only) and variables
 * `{field.path}` or `{field.path=segments}`, then an optional `:verb`.
 */
export function parseGoogleTemplate(source: string): RouteTemplate {
  if (!source.startsWith('/')) throw badTemplate(source, 'it must start with "/"');
  const segments: TemplateSegment[] = [];
  const variables: TemplateVariable[] = [];
  let verb: string | undefined;
  let pos = 1;
  const readSegment = (stopAt: string): TemplateSegment => {
    let end = pos;
    while (end < source.length && !stopAt.includes(source[end]!)) end++;
    const text = source.slice(pos, end);
    pos = end;
    return variableSegment(source, text);
  };
  for (;;) {
    if (source[pos] === '{') {
      const close = source.indexOf('}', pos);
      if (close < 0) throw badTemplate(source, `unclosed "{" at ${pos}`);
      const inner = source.slice(pos + 1, close);
      const eq = inner.indexOf('=');
      const name = eq < 0 ? inner : inner.slice(0, eq);
      if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(name)) throw badTemplate(source, `bad field path "${name}"`);
      const start = segments.length;
      if (eq < 0) {
        segments.push({ kind: 'one' });
      } else {
        for (const text of inner.slice(eq + 1).split('/')) segments.push(variableSegment(source, text));
      }
      const last = segments[segments.length - 1]!;
      variables.push({ name, start, end: last.kind === 'rest' ? -1 : segments.length });
      pos = close + 1;
    } else {
      segments.push(readSegment('/:'));
    }
    if (pos >= source.length) break;
    if (source[pos] === ':') {
      verb = source.slice(pos + 1);
      if (verb === '' || verb.includes('/')) throw badTemplate(source, 'bad verb');
      break;
    }
    if (source[pos] !== '/') throw badTemplate(source, `unexpected "${source[pos]}" at ${pos}`);
    pos++;
  }
  segments.forEach((segment, index) => {
    if (segment.kind === 'rest' && index !== segments.length - 1) throw badTemplate(source, '"**" must be the last segment');
  });
  return verb === undefined ? { source, segments, variables } : { source, segments, variables, verb };
}

function variableSegment(source: string, text: string): TemplateSegment {
  if (text === '*') return { kind: 'one' };
  if (text === '**') return { kind: 'rest' };
  if (text === '' || text.includes('*')) throw badTemplate(source, `bad segment "${text}" in a variable`);
  return { kind: 'literal', text };
}

/**
 * Matches `pathSegments` (the request path split on "/", still percent-encoded) against
 * `template`; returns the variables' values, or undefined. Throws ERR_BAD_VALUE for a bad
 * percent escape in a bound segment.
 */
export function matchTemplate(template: RouteTemplate, pathSegments: readonly string[]): PathValues | undefined {
  const { segments } = template;
  let last = pathSegments.length - 1;
  let lastSegment = pathSegments[last];
  if (template.verb !== undefined) {
    const suffix = `:${template.verb}`;
    if (lastSegment === undefined || !lastSegment.endsWith(suffix)) return undefined;
    lastSegment = lastSegment.slice(0, -suffix.length);
  }
  const at = (i: number): string => (i === last ? lastSegment! : pathSegments[i]!);
  const hasRest = segments.length > 0 && segments[segments.length - 1]!.kind === 'rest';
  if (hasRest ? pathSegments.length < segments.length - 1 : pathSegments.length !== segments.length) return undefined;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment.kind === 'rest') break;
    const text = at(i);
    if (segment.kind === 'literal' ? text !== segment.text : text === '') return undefined;
  }
  const values: PathValues = new Map();
  for (const variable of template.variables) {
    const end = variable.end < 0 ? pathSegments.length : variable.end;
    const parts: string[] = [];
    for (let i = variable.start; i < end; i++) parts.push(percentDecode(at(i), variable.name));
    values.set(variable.name, parts.join('/'));
  }
  return values;
}

/** `text` with %XX escapes decoded as UTF-8; ERR_BAD_VALUE naming `what` for a bad escape. */
export function percentDecode(text: string, what: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    throw new HeddleError(ErrorCode.ERR_BAD_VALUE, `bad percent-encoding in "${text}"`, { path: what });
  }
}

/**
 * Orders templates so the first match is the most specific, as both routers do: segment by
 * segment, a literal before `*`/`:name` before `**`/`*name`; then the longer template.
 */
export function compareSpecificity(a: RouteTemplate, b: RouteTemplate): number {
  const rank = (s: TemplateSegment | undefined): number => (s === undefined ? 3 : s.kind === 'literal' ? 0 : s.kind === 'one' ? 1 : 2);
  const n = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const diff = rank(a.segments[i]) - rank(b.segments[i]);
    if (diff !== 0) return diff;
  }
  return (a.verb === undefined ? 1 : 0) - (b.verb === undefined ? 1 : 0);
}
