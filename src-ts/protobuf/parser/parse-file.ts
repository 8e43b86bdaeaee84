import { emptyFile } from '../descriptor/descriptor-proto.js';
import { tokenize } from './lexer.js';
import { parseEnum } from './parse-enum.js';
import { parseExtend, parseMessage } from './parse-message.js';
import { concatenatedString, parseOptionStatement } from './parse-option.js';
import { parseService } from './parse-service.js';
import type { ParseContext } from './parse-context.js';
import type { ElementPositions, ParsedFile, PendingOptions, Position } from './parsed-file.js';
import { TokenStream } from './token-stream.js';

/**
 * Parses one .proto file into a FileDescriptorProto whose type references are still as written
 * and whose options are not yet interpreted; the linker does both once imports are loaded.
 * Throws HeddleError ERR_IDL_SYNTAX with file:line:column at the first error, as protoc reports it.
 */
export function parseProtoFile(source: string, filename: string): ParsedFile {
  const positions = new Map<object, ElementPositions>();
  const ts: TokenStream = new TokenStream(tokenize(source, filename), filename, positions);
  const options = new Map<object, PendingOptions>();
  const proto = emptyFile(filename);
  const importPositions: Position[] = [];
  const ctx: ParseContext = { ts, options, syntax: 'proto2' };

  if (ts.lookingAt('syntax')) {
    ts.next();
    ts.expect('=');
    const syntaxToken = ts.current;
    if (syntaxToken.kind !== 'string') ts.fail('Expected syntax identifier.');
    const syntax = new TextDecoder().decode(concatenatedString(ts));
    ts.endOfStatement();
    if (syntax !== 'proto2' && syntax !== 'proto3') {
      ts.failAt(syntaxToken, `Unrecognized syntax identifier "${syntax}".  This parser only recognizes "proto2" and "proto3".`);
    }
    ctx.syntax = syntax;
    // protoc writes `syntax` only for proto3; an absent value means proto2.
    if (syntax === 'proto3') proto.syntax = syntax;
  }

  let packageSeen = false;
  while (!ts.atEnd) {
    if (ts.tryConsume(';')) continue;
    if (ts.lookingAt('message')) parseMessage(ctx, proto.message_type);
    else if (ts.lookingAt('enum')) parseEnum(ctx, proto.enum_type);
    else if (ts.lookingAt('service')) parseService(ctx, proto.service);
    else if (ts.lookingAt('extend')) parseExtend(ctx, proto.extension, proto.message_type);
    else if (ts.lookingAt('option')) parseOptionStatement(ts, options, proto, 'FileOptions');
    else if (ts.lookingAt('import')) {
      const pos = ts.pos;
      ts.next();
      const index = proto.dependency.length;
      if (ts.tryConsume('public')) proto.public_dependency.push(index);
      else if (ts.tryConsume('weak')) proto.weak_dependency.push(index);
      if (ts.current.kind !== 'string') ts.fail('Expected a string naming the file to import.');
      proto.dependency.push(new TextDecoder().decode(concatenatedString(ts)));
      importPositions.push(pos);
      ts.endOfStatement();
    } else if (ts.lookingAt('package')) {
      if (packageSeen) ts.fail('Multiple package definitions.');
      packageSeen = true;
      ts.next();
      ts.record(proto, 'name', ts.pos);
      let name = ts.identifier('Expected identifier.').text;
      while (ts.tryConsume('.')) name += '.' + ts.identifier('Expected identifier.').text;
      proto.package = name;
      ts.endOfStatement();
    } else {
      ts.fail('Expected top-level statement (e.g. "message").');
    }
  }
  return { filename, proto, options, positions, importPositions };
}
