/**
 * Routes of a Thrift service from Kitex/Hertz `api.*` annotations. A method with `api.get`,
 * `api.post`, `api.put`, `api.delete` or `api.patch` takes one struct argument (the request, as
 * Kitex's HTTP generic call requires) and is bound as Hertz binds it: each request field from
 * the first source its annotations name, in Hertz's order `api.path`, `api.form`, `api.query`,
 * `api.cookie`, `api.header`, `api.raw_body`; `api.body` fields and fields with no annotation from
 * the JSON body; `api.none` fields from nowhere. The response struct's `api.header` fields become
 * headers, its `api.http_code` field the status, `api.none` fields nothing, the rest the JSON body.
 *
 * The request struct's bytes are the JSON body transcoded by a codec of the body fields alone
 * (so a body member cannot set a query field), followed by the text-sourced fields transcoded by
 * a codec of those fields alone; a struct's fields may come in any order on the wire.
 */
import { ErrorCode, HeddleError } from '../../errors.js';
import { Codec } from '../../thrift/codec.js';
import { compileStruct } from '../../thrift/codegen/compile.js';
import { resolveCodecOptions, type ResolvedCodecOptions } from '../../thrift/codec-options.js';
import type { ThriftDocument } from '../../thrift/document.js';
import type { FieldDef, StructDef, ThriftType } from '../../thrift/model.js';
import type { MethodDescriptor } from '../../thrift/service.js';
import type { CompiledPath } from '../paths/index.js';
import type { HttpOperation, HttpRequestParts, HttpRoute, RenderedResponse } from './operation.js';
import { JsonObjectText, paramJson, paramTranscodeError, type ParamKind } from './param-json.js';
import { parseCookies, parseUrlEncoded } from './request-text.js';
import { parseHertzTemplate } from './route-template.js';

const HTTP_METHOD_ANNOTATIONS = ['get', 'post', 'put', 'delete', 'patch'] as const;
/** Hertz's binding order for a field annotated with several sources. */
const TEXT_SOURCES = ['path', 'form', 'query', 'cookie', 'header', 'raw_body'] as const;
type TextSource = (typeof TEXT_SOURCES)[number];

const STOP = 0;
const STRUCT_TYPE = 12;

export interface ThriftHttpOptions {
  protocol: 'binary' | 'compact';
  /** Limit of a JSON body and of the bound arguments (the codec's maxSize). */
  maxSize: number;
}

/** The routes of `service` in `doc`: one per method that has an `api.<method>` annotation. */
export function thriftRoutes(doc: ThriftDocument, serviceName: string, options: ThriftHttpOptions): HttpRoute[] {
  const codecOptions = resolveCodecOptions({ protocol: options.protocol, maxSize: options.maxSize, i64: 'bigint' });
  const service = doc.service(serviceName, { protocol: options.protocol, maxSize: options.maxSize });
  const routes: HttpRoute[] = [];
  for (const method of service.methods.values()) {
    for (const verb of HTTP_METHOD_ANNOTATIONS) {
      const template = method.def.annotations[`api.${verb}`];
      if (template === undefined) continue;
      routes.push({ httpMethod: verb.toUpperCase(), template: parseHertzTemplate(template), operation: new ThriftOperation(doc, method, codecOptions) });
    }
  }
  return routes;
}

interface TextField {
  field: FieldDef;
  /** The JSON member the param codec reads it under (its IDL name). */
  path: string[];
  sources: Array<{ source: TextSource; key: string }>;
  kind: ParamKind;
  /** list/set: each value (and each comma-separated part) is one element. */
  repeated: boolean;
}

class ThriftOperation implements HttpOperation {
  readonly rpcMethod: string;
  private readonly bodyCodec: Codec;
  private readonly paramCodec: Codec;
  private readonly textFields: TextField[];
  private readonly argsPrefix: Uint8Array;
  private readonly compact: boolean;
  private readonly hasForm: boolean;
  /** The body fields' bytes for a request with no JSON body (IDL defaults), once they transcoded. */
  private emptyBodyFields: Uint8Array | undefined;
  private readonly response: ThriftResponseRenderer;

  constructor(doc: ThriftDocument, method: MethodDescriptor, options: ResolvedCodecOptions) {
    this.rpcMethod = method.name;
    const args = method.def.args;
    const requestType = args[0]?.type;
    if (args.length !== 1 || requestType?.kind !== 'struct') {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${method.name}: an HTTP-mapped method takes exactly one struct argument (the request), as Kitex's HTTP generic call requires`);
    }
    const request = doc.structByKey(requestType.key);
    const lookup = (key: string): StructDef => doc.structByKey(key);
    this.compact = options.protocol === 'compact';
    const bodyFields: FieldDef[] = [];
    const paramFields: FieldDef[] = [];
    this.textFields = [];
    for (const field of request.fields) {
      const sources = TEXT_SOURCES.flatMap((source) => {
        const key = field.annotations[`api.${source}`];
        return key === undefined ? [] : [{ source, key: key === '' || key === '1' ? field.name : key }];
      });
      if (sources.length > 0) {
        paramFields.push({ ...field, annotations: {} });
        // A list of scalars is split into elements; a list of structs or maps is JSON text whole.
        const element = field.type.kind === 'list' || field.type.kind === 'set' ? field.type.element : undefined;
        const elementKind = element === undefined ? undefined : thriftParamKind(element);
        const repeated = elementKind !== undefined && elementKind !== 'json';
        this.textFields.push({ field, path: [field.name], sources, kind: repeated ? elementKind : thriftParamKind(field.type), repeated });
      } else if (field.annotations['api.none'] === undefined) {
        const bodyKey = field.annotations['api.body'];
        bodyFields.push(bodyKey === undefined || bodyKey === '' ? field : { ...field, annotations: { 'api.key': bodyKey } });
      }
    }
    this.hasForm = this.textFields.some((t) => t.sources.some((s) => s.source === 'form'));
    this.bodyCodec = syntheticCodec({ ...request, key: `${request.key}#http-body`, fields: bodyFields }, lookup, options);
    this.paramCodec = syntheticCodec({ ...request, key: `${request.key}#http-params`, fields: paramFields }, lookup, options);
    this.argsPrefix = fieldHeader(this.compact, STRUCT_TYPE, args[0]!.id);
    this.response = new ThriftResponseRenderer(doc, method, options, lookup);
  }

  bind(request: HttpRequestParts): Uint8Array {
    const contentType = headerText(request.headers['content-type']);
    const isForm = contentType.startsWith('application/x-www-form-urlencoded');
    const form = isForm && this.hasForm ? parseUrlEncoded(request.body.toString('utf8'), 'the form body') : undefined;
    let cookies: ReturnType<typeof parseCookies> | undefined;
    const params = new JsonObjectText();
    for (const text of this.textFields) {
      for (const { source, key } of text.sources) {
        let values: string[] | undefined;
        switch (source) {
          case 'path': {
            const value = request.path.get(key);
            values = value === undefined ? undefined : [value];
            break;
          }
          case 'query':
            values = request.query.get(key);
            break;
          case 'form':
            values = form?.get(key);
            break;
          case 'cookie':
            cookies ??= parseCookies(headerText(request.headers.cookie));
            values = cookies.get(key);
            break;
          case 'header': {
            const value = request.headers[key.toLowerCase()];
            values = value === undefined ? undefined : Array.isArray(value) ? value : [value];
            break;
          }
          case 'raw_body':
            params.set(text.path, isBinary(text.field.type) ? `"${request.body.toString('base64')}"` : JSON.stringify(request.body.toString('utf8')));
            values = undefined;
            break;
        }
        if (source === 'raw_body') break;
        // An empty value is no value, as dynamicgo reads it: the next source is tried.
        if (values === undefined || values.every((v) => v === '')) continue;
        const what = `${source === 'path' ? 'path parameter' : source === 'query' ? 'query parameter' : source} "${key}"`;
        const fieldPath = text.field.name;
        if (text.repeated) {
          const parts = values.flatMap((v) => v.split(','));
          params.set(text.path, parts.map((part, i) => paramJson(text.kind, part, `${fieldPath}[${i}]`, what)));
        } else {
          params.set(text.path, paramJson(text.kind, values[0]!, fieldPath, what));
        }
        break;
      }
    }
    const hasJsonBody = request.body.length > 0 && !isForm && !this.textFields.some((t) => t.sources[0]!.source === 'raw_body');
    const bodyFields = hasJsonBody ? this.bodyCodec.fromJSON(request.body) : (this.emptyBodyFields ??= this.bodyCodec.fromJSON('{}'));
    let paramBytes: Uint8Array;
    try {
      paramBytes = this.paramCodec.fromJSON(params.toString());
    } catch (error) {
      throw paramTranscodeError(error);
    }
    return this.assembleArgs(bodyFields, paramBytes);
  }

  /** args struct = [request field header] body fields + param fields, STOP (request), STOP (args). */
  private assembleArgs(bodyFields: Uint8Array, paramFields: Uint8Array): Uint8Array {
    const bodyLength = bodyFields.length - 1;
    let paramStart = 0;
    let paramHeader: Uint8Array | undefined;
    if (this.compact && paramFields.length > 1 && paramFields[0]! >> 4 !== 0) {
      // The param bytes were written as a struct of their own, so their first field id is a delta
      // from 0; after the body's fields it must be the long form, which resets the delta base.
      paramHeader = fieldHeader(true, paramFields[0]! & 0x0f, paramFields[0]! >> 4, true);
      paramStart = 1;
    }
    const paramLength = paramFields.length - 1 - paramStart;
    const out = new Uint8Array(this.argsPrefix.length + bodyLength + (paramHeader?.length ?? 0) + paramLength + 2);
    let pos = 0;
    out.set(this.argsPrefix, pos);
    pos += this.argsPrefix.length;
    out.set(bodyFields.subarray(0, bodyLength), pos);
    pos += bodyLength;
    if (paramHeader !== undefined) {
      out.set(paramHeader, pos);
      pos += paramHeader.length;
    }
    out.set(paramFields.subarray(paramStart, paramStart + paramLength), pos);
    pos += paramLength;
    out[pos++] = STOP;
    out[pos] = STOP;
    return out;
  }

  render(reply: Uint8Array): RenderedResponse {
    return this.response.render(reply);
  }
}

/** Renders a result struct: success's header and status fields, the rest of it as JSON. */
class ThriftResponseRenderer {
  private readonly resultCodec: Codec;
  private readonly bodyCodec: Codec | undefined;
  private readonly headerPaths: Array<{ name: string; path: CompiledPath }>;
  private readonly statusPath: CompiledPath | undefined;
  private readonly successOffset: number;

  constructor(doc: ThriftDocument, method: MethodDescriptor, options: ResolvedCodecOptions, lookup: (key: string) => StructDef) {
    this.resultCodec = syntheticCodec(method.resultStruct, lookup, options);
    this.headerPaths = [];
    const returns = method.def.returnType;
    this.successOffset = options.protocol === 'compact' ? 2 : 3;
    if (returns?.kind !== 'struct') {
      this.bodyCodec = undefined;
      return;
    }
    const response = doc.structByKey(returns.key);
    const bodyFields: FieldDef[] = [];
    let status: FieldDef | undefined;
    for (const field of response.fields) {
      const header = field.annotations['api.header'];
      if (header !== undefined) this.headerPaths.push({ name: header === '' || header === '1' ? field.name : header, path: this.resultCodec.path(`success.${field.name}`) });
      else if (field.annotations['api.http_code'] !== undefined) status = field;
      else if (field.annotations['api.none'] === undefined) {
        const bodyKey = field.annotations['api.body'];
        bodyFields.push(bodyKey === undefined || bodyKey === '' ? field : { ...field, annotations: { 'api.key': bodyKey } });
      }
    }
    this.statusPath = status === undefined ? undefined : this.resultCodec.path(`success.${status.name}`);
    this.bodyCodec = syntheticCodec({ ...response, key: `${response.key}#http-body`, fields: bodyFields }, lookup, options);
  }

  render(reply: Uint8Array): RenderedResponse {
    const first = reply[0];
    const isSuccess = first === STRUCT_TYPE && (this.successOffset === 2 ? reply[1] === 0 : reply[1] === 0 && reply[2] === 0);
    if (first === STOP) return { status: 200, headers: [], body: this.resultCodec.toJSON(reply) };
    // A declared exception is the server's failure: 500 with the result struct as JSON, e.g.
    // {"err":{"message":"..."}}. A success that is not a struct is rendered the same way, 200.
    if (!isSuccess) return { status: 500, headers: [], body: this.resultCodec.toJSON(reply) };
    if (this.bodyCodec === undefined) return { status: 200, headers: [], body: this.resultCodec.toJSON(reply) };
    const headers: Array<[string, string]> = [];
    for (const { name, path } of this.headerPaths) {
      const value = this.resultCodec.peek(reply, path);
      if (value === undefined) continue;
      if (Array.isArray(value) || value instanceof Set) for (const item of value) headers.push([name, String(item)]);
      else headers.push([name, String(value)]);
    }
    let status = 200;
    if (this.statusPath !== undefined) {
      const code = this.resultCodec.peek(reply, this.statusPath);
      if (code !== undefined) status = Number(code);
    }
    const body = this.bodyCodec.toJSON(reply.subarray(this.successOffset, reply.length - 1));
    return { status, headers, body };
  }
}

/** A codec for a struct that is not in the model: part of a request or response struct. */
function syntheticCodec(struct: StructDef, lookup: (key: string) => StructDef, options: ResolvedCodecOptions): Codec {
  return new Codec(struct, options, compileStruct(struct, lookup, options), lookup);
}

/** A field header; Compact's long form (type byte, zigzag varint id) when asked or when the id is no 1-15 delta from 0. */
function fieldHeader(compact: boolean, type: number, id: number, longForm = false): Uint8Array {
  if (!compact) return Uint8Array.of(type, (id >> 8) & 0xff, id & 0xff);
  if (!longForm && id > 0 && id <= 15) return Uint8Array.of((id << 4) | type);
  const bytes = [type];
  let zigzag = ((id << 1) ^ (id >> 31)) >>> 0;
  while (zigzag >= 0x80) {
    bytes.push((zigzag & 0x7f) | 0x80);
    zigzag >>>= 7;
  }
  bytes.push(zigzag);
  return Uint8Array.from(bytes);
}

function thriftParamKind(type: ThriftType): ParamKind {
  if (type.kind === 'enum') return 'integer';
  if (type.kind !== 'base') return 'json';
  switch (type.name) {
    case 'bool':
      return 'bool';
    case 'i8':
    case 'i16':
    case 'i32':
    case 'i64':
      return 'integer';
    case 'double':
      return 'float';
    default:
      // string, uuid, and binary: dynamicgo reads a binary text value as base64, as fromJSON does.
      return 'string';
  }
}

function isBinary(type: ThriftType): boolean {
  return type.kind === 'base' && type.name === 'binary';
}

function headerText(value: string | string[] | undefined): string {
  return value === undefined ? '' : Array.isArray(value) ? value.join(', ') : value;
}
