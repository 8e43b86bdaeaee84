/**
 * Routes of a Protobuf service from `google.api.http` rules, bound as grpc-gateway v2 binds them:
 * `body: "*"` reads the request message from the JSON body; `body: "field"` reads that field;
 * path variables set their (possibly nested) fields; with no `body: "*"`, query parameters set the
 * remaining fields by .proto or JSON name (`a.b=1`; a repeated field by repeating the name), and
 * names of no field are ignored.
 * `response_body: "field"` renders that field of the response alone.
 *
 * The request bytes are the body transcoded (ProtoJSON) followed by the path and query values
 * transcoded as one more JSON object: Protobuf merges concatenated messages field by field, and
 * later scalars win, which is grpc-gateway's order (body, then path, then query).
 */
import { ErrorCode, HeddleError } from '../../errors.js';
import type { Codec } from '../../protobuf/codegen/codec.js';
import type { EnumInfo, FieldInfo, FieldKind, MessageInfo, ScalarType } from '../../protobuf/descriptor/type-info.js';
import type { Root } from '../../protobuf/root.js';
import type { HttpOperation, HttpRequestParts, HttpRoute, RenderedResponse } from './operation.js';
import { JsonObjectText, paramJson, paramTranscodeError, type ParamKind } from './param-json.js';
import { varintBytes } from '../paths/proto-wire-scan.js';
import { absentJson, concatRanges, fieldOccurrences } from './proto-wire.js';
import { parseGoogleTemplate, type RouteTemplate } from './route-template.js';

export interface ProtoHttpOptions {
  /** Write proto3 zero values and empty lists/maps in responses (grpc-gateway's EmitUnpopulated; default true). */
  emitDefaultValues: boolean;
  /** Skip unknown JSON members (grpc-gateway's DiscardUnknown; default true). */
  ignoreUnknownFields: boolean;
}

interface HttpRule {
  get?: string;
  put?: string;
  post?: string;
  delete?: string;
  patch?: string;
  custom?: { kind?: string; path?: string };
  body?: string;
  response_body?: string;
  additional_bindings?: HttpRule[];
}

const RULE_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** The routes of `serviceName` in `root`: one per google.api.http rule and additional binding. */
export function protoRoutes(root: Root, serviceName: string, options: ProtoHttpOptions): HttpRoute[] {
  const service = root.lookupService(serviceName);
  const routes: HttpRoute[] = [];
  for (const method of service.methods) {
    const rule = (method.proto.options as Record<string, unknown> | undefined)?.['[google.api.http]'] as HttpRule | undefined;
    if (rule === undefined) continue;
    if (method.clientStreaming || method.serverStreaming) {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${method.name}: streaming methods cannot be mapped to HTTP here`);
    }
    const request = root.lookupMessage(method.inputType);
    const context = { root, request, requestCodec: root.codec(method.inputType), responseCodec: root.codec(method.outputType), response: root.lookupMessage(method.outputType), options };
    for (const binding of [rule, ...(rule.additional_bindings ?? [])]) {
      const { httpMethod, path } = ruleTarget(method.name, binding);
      const template = parseGoogleTemplate(path);
      routes.push({ httpMethod, template, operation: new ProtoOperation(method.name, template, binding, context) });
    }
  }
  return routes;
}

function ruleTarget(method: string, rule: HttpRule): { httpMethod: string; path: string } {
  for (const name of RULE_METHODS) {
    const path = rule[name];
    if (typeof path === 'string' && path !== '') return { httpMethod: name.toUpperCase(), path };
  }
  if (rule.custom?.kind && rule.custom.path) return { httpMethod: rule.custom.kind.toUpperCase(), path: rule.custom.path };
  throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${method}: a google.api.http rule has no pattern`);
}

interface OperationContext {
  root: Root;
  request: MessageInfo;
  response: MessageInfo;
  requestCodec: Codec<unknown>;
  responseCodec: Codec<unknown>;
  options: ProtoHttpOptions;
}

/** A path variable or query parameter resolved to its field path and how its text reads. */
interface ParamTarget {
  jsonPath: string[];
  kind: ParamKind;
  repeated: boolean;
  /** An enum field's type: a number in a path or query value must be one of its values, as grpc-gateway checks. */
  enumType?: EnumInfo;
  /** A map field: how the key and the value of a `name[key]=value` query parameter read. */
  map?: { key: ParamKind; value: ParamTarget };
}

/** grpc-gateway's `name[key]` query parameter names (greedy, as its regexp: `a[b][c]` is `a[b]`, key `c`). */
const KEYED_NAME = /^(.*)\[(.*)\]$/s;

class ProtoOperation implements HttpOperation {
  private readonly pathTargets: Array<{ name: string; target: ParamTarget }>;
  /** body: "field": the field, and for a singular message field its codec and tag+wire-type byte(s). */
  private readonly bodyField: FieldInfo | undefined;
  private readonly bodyFieldCodec: Codec<unknown> | undefined;
  private readonly bodyFieldTag: Uint8Array = EMPTY;
  private readonly readsQuery: boolean;
  /** Field paths the body or path set (.proto names): a query parameter under one is ignored, as grpc-gateway's filter does. */
  private readonly boundPaths: string[][];
  private readonly queryTargets = new Map<string, ParamTarget | null>();
  private readonly responseField: FieldInfo | undefined;
  private readonly responseFieldCodec: Codec<unknown> | undefined;
  private readonly bodyMode: 'none' | 'whole' | 'field';

  constructor(
    readonly rpcMethod: string,
    template: RouteTemplate,
    rule: HttpRule,
    private readonly context: OperationContext,
  ) {
    const body = rule.body ?? '';
    this.pathTargets = template.variables.map((variable) => {
      const target = resolveTarget(context.request, variable.name.split('.'));
      if (target === undefined || target.repeated) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${rpcMethod}: path variable {${variable.name}} names no singular field of ${context.request.fullName}`);
      return { name: variable.name, target };
    });
    this.boundPaths = this.pathTargets.map(({ target }) => target.jsonPath);
    if (body !== '' && body !== '*') {
      const field = findField(context.request, body);
      if (field === undefined) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${rpcMethod}: body "${body}" names no field of ${context.request.fullName}`);
      this.bodyField = field;
      if (field.kind === 'message' && !field.repeated) {
        this.bodyFieldCodec = context.root.codec(field.message().fullName);
        this.bodyFieldTag = varintBytes(field.number * 8 + 2);
      }
      this.boundPaths.push([field.name]);
    }
    this.readsQuery = body !== '*';
    this.bodyMode = body === '' ? 'none' : body === '*' ? 'whole' : 'field';
    const responseBody = rule.response_body ?? '';
    if (responseBody !== '') {
      const field = findField(context.response, responseBody);
      if (field === undefined) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${rpcMethod}: response_body "${responseBody}" names no field of ${context.response.fullName}`);
      this.responseField = field;
      if (field.kind === 'message') this.responseFieldCodec = context.root.codec(field.message().fullName);
    }
  }

  bind(request: HttpRequestParts): Uint8Array {
    const { requestCodec, options } = this.context;
    const jsonOptions = { ignoreUnknownFields: options.ignoreUnknownFields };
    let bodyBytes: Uint8Array | undefined;
    if (this.bodyMode === 'whole') {
      bodyBytes = requestCodec.fromJSON(request.body.length === 0 ? '{}' : request.body, jsonOptions);
    } else if (this.bodyMode === 'field' && request.body.length > 0) {
      bodyBytes = this.bindBodyField(request.body, jsonOptions);
    }
    const params = new JsonObjectText();
    for (const { name, target } of this.pathTargets) {
      const value = request.path.get(name);
      if (value !== undefined) params.set(target.jsonPath, targetJson(target, value, name, `path variable "${name}"`));
    }
    if (this.readsQuery) {
      for (const [rawName, rawValues] of request.query) {
        // `name[key]=value`: as in grpc-gateway, the key goes in front of the values.
        const keyed = KEYED_NAME.exec(rawName);
        const name = keyed === null ? rawName : keyed[1]!;
        const values = keyed === null ? rawValues : [keyed[2]!, ...rawValues];
        const target = this.queryTarget(name);
        if (target === null) continue;
        const what = `query parameter "${rawName}"`;
        if (target.map !== undefined) {
          this.bindMapEntry(params, target, values, name, what);
          continue;
        }
        if (target.repeated) {
          params.set(target.jsonPath, values.map((v, i) => targetJson(target, v, `${name}[${i}]`, what)));
        } else {
          // grpc-gateway refuses a second value for a singular field (keyed names count the key).
          if (values.length > 1) throw new HeddleError(ErrorCode.ERR_BAD_VALUE, `${what}: ${name} is a singular field and takes one value, got ${values.length}`, { path: name });
          params.set(target.jsonPath, targetJson(target, values[0]!, name, what));
        }
      }
    }
    if (params.empty) return bodyBytes ?? EMPTY;
    let paramBytes: Uint8Array;
    try {
      // Strict: the members are known fields, and an unknown enum name in a query value is an
      // error in grpc-gateway (unlike in a body with DiscardUnknown).
      paramBytes = requestCodec.fromJSON(params.toString());
    } catch (error) {
      throw paramTranscodeError(error);
    }
    if (bodyBytes === undefined || bodyBytes.length === 0) return paramBytes;
    const out = new Uint8Array(bodyBytes.length + paramBytes.length);
    out.set(bodyBytes, 0);
    out.set(paramBytes, bodyBytes.length);
    return out;
  }

  /**
   * The request bytes of a body that is one field: a message field's own codec transcodes it and
   * the field's tag and length go in front; another field's JSON is checked to be one value, then
   * read as `{"field": body}` (without the check, `1,"other":2` would set a second field).
   */
  private bindBodyField(body: Buffer, jsonOptions: { ignoreUnknownFields: boolean }): Uint8Array {
    const field = this.bodyField!;
    if (this.bodyFieldCodec !== undefined) {
      let message: Uint8Array;
      try {
        message = this.bodyFieldCodec.fromJSON(body, jsonOptions);
      } catch (error) {
        throw relocated(error, 0, field.jsonName);
      }
      const length = varintBytes(message.length);
      const out = new Uint8Array(this.bodyFieldTag.length + length.length + message.length);
      out.set(this.bodyFieldTag, 0);
      out.set(length, this.bodyFieldTag.length);
      out.set(message, this.bodyFieldTag.length + length.length);
      return out;
    }
    try {
      JSON.parse(body.toString('utf8'));
    } catch (error) {
      throw new HeddleError(ErrorCode.ERR_BAD_VALUE, `the body is not one JSON value: ${(error as Error).message}`, { path: field.jsonName });
    }
    const prefix = Buffer.from(`{${JSON.stringify(field.name)}:`);
    try {
      return this.context.requestCodec.fromJSON(Buffer.concat([prefix, body, CLOSE_BRACE]), jsonOptions);
    } catch (error) {
      throw relocated(error, prefix.length, undefined);
    }
  }

  /** `name[key]=value` of a map field: one entry, key and value read as their types. */
  private bindMapEntry(params: JsonObjectText, target: ParamTarget, values: readonly string[], name: string, what: string): void {
    const map = target.map!;
    if (values.length !== 2) {
      throw new HeddleError(ErrorCode.ERR_BAD_VALUE, `${what}: the map field ${name} takes one value per key, as ${name}[key]=value`, { path: name });
    }
    const [keyText, valueText] = values as [string, string];
    // A key is a JSON member name: integers and booleans as their canonical text.
    const key = map.key === 'string' ? keyText : paramJson(map.key, keyText, `${name}[${keyText}]`, `${what} key`);
    const path = `${name}[${keyText}]`;
    if (map.value.kind === 'json') throw new HeddleError(ErrorCode.ERR_BAD_VALUE, `${what}: a query value cannot set the message values of ${name}`, { path });
    params.set([...target.jsonPath, key], targetJson(map.value, valueText, path, what));
  }

  /** The field a query parameter names, cached per name (bounded by the number of names seen, capped). */
  private queryTarget(name: string): ParamTarget | null {
    let target = this.queryTargets.get(name);
    if (target !== undefined) return target;
    target = resolveTarget(this.context.request, name.split('.')) ?? null;
    if (target !== null && this.boundPaths.some((bound) => bound.every((part, i) => target!.jsonPath[i] === part))) target = null;
    if (target !== null && target.kind === 'json' && target.map === undefined) {
      throw new HeddleError(ErrorCode.ERR_BAD_VALUE, `query parameter "${name}" names a message or map field, which a query value cannot set`, { path: name });
    }
    if (this.queryTargets.size < MAX_CACHED_NAMES) this.queryTargets.set(name, target);
    return target;
  }

  render(reply: Uint8Array): RenderedResponse {
    const { responseCodec, options } = this.context;
    const jsonOptions = { emitDefaultValues: options.emitDefaultValues };
    if (this.responseField === undefined) return { status: 200, headers: [], body: responseCodec.toJSON(reply, jsonOptions) };
    const field = this.responseField;
    const occurrences = fieldOccurrences(reply, field.number);
    if (field.kind === 'message' && !field.repeated) {
      // The payloads of a message field's occurrences, concatenated, are the merged message.
      if (occurrences.length === 0) return { status: 200, headers: [], body: Buffer.from('null') };
      return { status: 200, headers: [], body: this.responseFieldCodec!.toJSON(concatRanges(reply, occurrences, 1), jsonOptions) };
    }
    if (field.kind === 'message') {
      // A repeated message field: each occurrence is one element.
      const parts: Uint8Array[] = [OPEN_BRACKET];
      occurrences.forEach((occurrence, i) => {
        if (i > 0) parts.push(COMMA);
        parts.push(this.responseFieldCodec!.toJSON(reply.subarray(occurrence[1], occurrence[2]), jsonOptions));
      });
      parts.push(CLOSE_BRACKET);
      return { status: 200, headers: [], body: Buffer.concat(parts) };
    }
    // Otherwise keep only the field's occurrences: a message of the response type with that field
    // alone, whose JSON is {"name":value} (or {} when the field is absent or at its zero value).
    const json = responseCodec.toJSON(concatRanges(reply, occurrences, 0)) as Buffer;
    const memberStart = field.jsonName.length + 4;
    if (json.length <= memberStart) return { status: 200, headers: [], body: Buffer.from(absentJson(field)) };
    return { status: 200, headers: [], body: json.subarray(memberStart, json.length - 1) };
  }
}

/** A path or query value as JSON for its field; an enum number must name one of the enum's values. */
function targetJson(target: ParamTarget, text: string, path: string, source: string): string {
  const json = paramJson(target.kind, text, path, source);
  if (target.enumType !== undefined && !json.startsWith('"') && !target.enumType.names.has(Number(json))) {
    throw new HeddleError(ErrorCode.ERR_BAD_VALUE, `${source} is not a value of ${target.enumType.fullName}: "${text}"`, { path });
  }
  return json;
}

const EMPTY = new Uint8Array(0);
const CLOSE_BRACE = Buffer.from('}');
const OPEN_BRACKET = Buffer.from('[');
const CLOSE_BRACKET = Buffer.from(']');
const COMMA = Buffer.from(',');
const MAX_CACHED_NAMES = 256;

/** A body error as the client sees it: the offset moved back over what the body was wrapped in, the path under `pathPrefix`. */
function relocated(error: unknown, shift: number, pathPrefix: string | undefined): unknown {
  if (!(error instanceof HeddleError)) return error;
  const message = error.message.replace(/ \(.*\)$/, '');
  const path = pathPrefix === undefined ? error.path : error.path === undefined || error.path === '' ? pathPrefix : `${pathPrefix}.${error.path}`;
  return new HeddleError(error.code, message, {
    ...(error.offset === undefined ? {} : { offset: Math.max(0, error.offset - shift) }),
    ...(path === undefined ? {} : { path }),
    cause: error,
  });
}

function findField(message: MessageInfo, name: string): FieldInfo | undefined {
  return message.fields.find((f) => f.name === name) ?? message.fields.find((f) => f.jsonName === name);
}

const WKT_KINDS: Record<string, ParamKind> = {
  'google.protobuf.Timestamp': 'string',
  'google.protobuf.Duration': 'string',
  'google.protobuf.FieldMask': 'string',
  'google.protobuf.StringValue': 'string',
  'google.protobuf.BytesValue': 'string',
  'google.protobuf.BoolValue': 'bool',
  'google.protobuf.DoubleValue': 'float-specials',
  'google.protobuf.FloatValue': 'float-specials',
  'google.protobuf.Int64Value': 'integer',
  'google.protobuf.UInt64Value': 'integer',
  'google.protobuf.Int32Value': 'integer',
  'google.protobuf.UInt32Value': 'integer',
};

/** The field at `names` (.proto or JSON names) with how its text reads; undefined if there is none. */
function resolveTarget(message: MessageInfo, names: readonly string[]): ParamTarget | undefined {
  const jsonPath: string[] = [];
  let current = message;
  for (let i = 0; i < names.length; i++) {
    const field = findField(current, names[i]!);
    if (field === undefined) return undefined;
    jsonPath.push(field.name);
    if (i < names.length - 1) {
      if (field.kind !== 'message' || field.repeated) return undefined;
      current = field.message();
      continue;
    }
    const target: ParamTarget = { jsonPath, kind: protoParamKind(field), repeated: field.repeated && field.kind !== 'map' };
    if (field.kind === 'enum') target.enumType = field.enum;
    if (field.kind === 'map') {
      const value: ParamTarget = { jsonPath: [], kind: protoParamKind(field.value), repeated: false };
      if (field.value.kind === 'enum') value.enumType = field.value.enum;
      target.map = { key: scalarParamKind(field.key), value };
    }
    return target;
  }
  return undefined;
}

function protoParamKind(field: FieldKind): ParamKind {
  switch (field.kind) {
    case 'map':
      return 'json';
    case 'enum':
      return 'enum-name-or-number';
    case 'message':
      return WKT_KINDS[field.message().fullName] ?? 'json';
    case 'scalar':
      return scalarParamKind(field.scalar);
  }
}

function scalarParamKind(scalar: ScalarType): ParamKind {
  switch (scalar) {
    case 'string':
    case 'bytes':
      return 'string';
    case 'bool':
      return 'bool';
    case 'double':
    case 'float':
      return 'float-specials';
    default:
      return 'integer';
  }
}
