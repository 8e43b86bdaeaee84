import type { PendingOptions } from './parsed-file.js';
import type { TokenStream } from './token-stream.js';

/** State shared by the statement parsers of one file. */
export interface ParseContext {
  ts: TokenStream;
  options: Map<object, PendingOptions>;
  syntax: 'proto2' | 'proto3';
}

/** Scalar type keywords and their `FieldDescriptorProto.Type` numbers. `group` is a type keyword
 * too, as in protoc. */
export const TYPE_KEYWORDS: Readonly<Record<string, number>> = {
  double: 1, float: 2, int64: 3, uint64: 4, int32: 5, fixed64: 6, fixed32: 7, bool: 8, string: 9,
  group: 10, bytes: 12, uint32: 13, sfixed32: 15, sfixed64: 16, sint32: 17, sint64: 18,
};

/** Parses a type: a scalar keyword, or a (possibly dotted, possibly absolute) message/enum name. */
export function parseType(ctx: ParseContext): { type?: number; typeName?: string } {
  const { ts } = ctx;
  const keyword = ts.current.kind === 'identifier' ? TYPE_KEYWORDS[ts.current.text] : undefined;
  if (keyword !== undefined) {
    ts.next();
    return { type: keyword };
  }
  return { typeName: parseTypeName(ctx, 'Expected type name.') };
}

/** `[.]a.b.C` as written. */
export function parseTypeName(ctx: ParseContext, message: string): string {
  const { ts } = ctx;
  let name = '';
  if (ts.tryConsume('.')) name = '.';
  name += ts.identifier(message).text;
  while (ts.tryConsume('.')) name += '.' + ts.identifier('Expected identifier.').text;
  return name;
}

/** Parses `{ statement* }`, calling `statement` for each until the closing brace. */
export function parseBlock(ctx: ParseContext, what: string, statement: () => void): void {
  const { ts } = ctx;
  ts.expect('{');
  while (!ts.tryConsume('}')) {
    if (ts.atEnd) ts.fail(`Reached end of input in ${what} definition (missing '}').`);
    statement();
  }
}
