import type { MethodDescriptorProto, ServiceDescriptorProto } from '../descriptor/descriptor-proto.js';
import { parseOptionStatement } from './parse-option.js';
import { parseBlock, parseTypeName, type ParseContext } from './parse-context.js';

/** Parses `service Name { rpc ... }` and appends it to `into`. */
export function parseService(ctx: ParseContext, into: ServiceDescriptorProto[]): void {
  const { ts } = ctx;
  ts.expect('service');
  const nameToken = ts.current;
  const service: ServiceDescriptorProto = { name: ts.identifier('Expected service name.').text, method: [] };
  ts.record(service, 'name', nameToken);
  into.push(service);
  parseBlock(ctx, 'service', () => {
    if (ts.tryConsume(';')) return;
    if (ts.lookingAt('option')) return parseOptionStatement(ts, ctx.options, service, 'ServiceOptions');
    parseMethod(ctx, service);
  });
}

function parseMethod(ctx: ParseContext, service: ServiceDescriptorProto): void {
  const { ts } = ctx;
  ts.expect('rpc');
  const nameToken = ts.current;
  const method: MethodDescriptorProto = { name: ts.identifier('Expected method name.').text };
  ts.record(method, 'name', nameToken);
  service.method.push(method);

  ts.expect('(');
  if (isStreamKeyword(ctx)) {
    ts.next();
    method.client_streaming = true;
  }
  ts.record(method, 'input_type', ts.pos);
  method.input_type = parseTypeName(ctx, 'Expected type name.');
  ts.expect(')');

  ts.expect('returns');
  ts.expect('(');
  if (isStreamKeyword(ctx)) {
    ts.next();
    method.server_streaming = true;
  }
  ts.record(method, 'output_type', ts.pos);
  method.output_type = parseTypeName(ctx, 'Expected type name.');
  ts.expect(')');

  if (ts.lookingAt('{')) {
    // protoc gives a method with a body an options message, even an empty one.
    method.options = {};
    parseBlock(ctx, 'method', () => {
      if (ts.tryConsume(';')) return;
      parseOptionStatement(ts, ctx.options, method, 'MethodOptions');
    });
  } else {
    ts.endOfStatement();
  }
}

/** protoc treats `stream` as the keyword wherever it can start a method's type. */
function isStreamKeyword(ctx: ParseContext): boolean {
  return ctx.ts.lookingAt('stream');
}
