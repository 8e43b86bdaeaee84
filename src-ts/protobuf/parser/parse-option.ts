import type { Token } from './lexer.js';
import type { OptionLiteral, OptionNamePart, OptionsKind, PendingOptions, UninterpretedOption } from './parsed-file.js';
import type { TokenStream } from './token-stream.js';

const UINT64_MAX = (1n << 64n) - 1n;
const INT64_MIN_MAGNITUDE = 1n << 63n;

/** Parses `name = value` (after `option` or inside `[...]`), without the terminator. */
export function parseOptionAssignment(ts: TokenStream): UninterpretedOption {
  const pos = ts.pos;
  const name = parseOptionName(ts);
  ts.expect('=');
  const valuePos = ts.pos;
  const value = parseOptionValue(ts);
  return { name, value, pos, valuePos };
}

/** `java_package`, `(acme.v1.rule).min`, `(.acme.v1.rule)`. */
export function parseOptionName(ts: TokenStream): OptionNamePart[] {
  const parts: OptionNamePart[] = [];
  do {
    const pos = ts.pos;
    if (ts.tryConsume('(')) {
      let name = '';
      if (ts.tryConsume('.')) name = '.';
      name += ts.identifier().text;
      while (ts.tryConsume('.')) name += '.' + ts.identifier().text;
      ts.expect(')');
      parts.push({ name, isExtension: true, pos });
    } else {
      parts.push({ name: ts.identifier().text, isExtension: false, pos });
    }
  } while (ts.tryConsume('.'));
  return parts;
}

function parseOptionValue(ts: TokenStream): OptionLiteral {
  const negative = ts.tryConsume('-');
  const token = ts.current;
  switch (token.kind) {
    case 'end':
      return ts.fail('Unexpected end of stream while parsing option value.');
    case 'identifier':
      if (negative) ts.fail("Invalid '-' symbol before identifier.");
      ts.next();
      return { kind: 'identifier', text: token.text, negative };
    case 'integer': {
      const magnitude = ts.integerValue(token, negative ? INT64_MIN_MAGNITUDE : UINT64_MAX);
      ts.next();
      return { kind: 'integer', value: negative ? -magnitude : magnitude };
    }
    case 'float': {
      ts.next();
      const value = Number(token.text);
      return { kind: 'float', value: negative ? -value : value };
    }
    case 'string':
      if (negative) ts.fail("Invalid '-' symbol before string.");
      return { kind: 'string', bytes: concatenatedString(ts) };
    case 'symbol':
      if (token.text === '{' && !negative) {
        ts.next();
        return { kind: 'aggregate', tokens: aggregateTokens(ts) };
      }
      return ts.fail('Expected option value.');
  }
}

/** Consumes one or more adjacent string literals and joins their bytes, as protoc does. */
export function concatenatedString(ts: TokenStream): Uint8Array {
  const parts: Uint8Array[] = [];
  while (ts.current.kind === 'string') parts.push(ts.next().bytes!);
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Tokens up to the `}` matching an already consumed `{`, which is consumed too. */
function aggregateTokens(ts: TokenStream): Token[] {
  const tokens: Token[] = [];
  let depth = 1;
  for (;;) {
    const token = ts.current;
    if (token.kind === 'end') ts.fail('Unexpected end of stream while parsing aggregate value.');
    if (token.kind === 'symbol' && (token.text === '{' || token.text === '<')) depth++;
    if (token.kind === 'symbol' && (token.text === '}' || token.text === '>')) depth--;
    ts.next();
    if (depth === 0) return tokens;
    tokens.push(token);
  }
}

/** Appends to the pending options of `element`, creating the entry on first use. */
export function addPendingOption(
  options: Map<object, PendingOptions>,
  element: object,
  kind: OptionsKind,
  option: UninterpretedOption,
): void {
  let entry = options.get(element);
  if (entry === undefined) {
    entry = { kind, list: [] };
    options.set(element, entry);
  }
  entry.list.push(option);
}

/** Parses `option name = value;` inside a body, adding it to `element`'s options. */
export function parseOptionStatement(
  ts: TokenStream,
  options: Map<object, PendingOptions>,
  element: object,
  kind: OptionsKind,
): void {
  ts.expect('option');
  addPendingOption(options, element, kind, parseOptionAssignment(ts));
  ts.endOfStatement();
}
