/**
 * What `heddle call` calls: the IDL loaded from disk, the method found in it, the request built
 * from JSON, and the address (given, or resolved through etcd or DNS).
 */
import { readFileSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { dns as dnsResolver, etcd as etcdDiscovery } from '../discovery/index.js';
import type { Resolver } from '../discovery/types.js';
import { ErrorCode, HeddleError } from '../errors.js';
import * as protobuf from '../protobuf/index.js';
import type { MessageInfo } from '../protobuf/descriptor/type-info.js';
import * as thrift from '../thrift/index.js';
import type { FunctionDef, ServiceDef, ThriftModel } from '../thrift/model.js';
import type { StreamingKind } from '../rpc/binding.js';
import { streamingKind } from '../rpc/protobuf-binding.js';
import { addressOf } from '../rpc/discovery-client.js';
import { UsageError } from './flags.js';
import type { JsonValue } from './json-text.js';
import { protobufMessage, thriftStruct } from './request-values.js';

/** The method to call, found in the IDL. */
export type CallTarget =
  | { kind: 'thrift'; idl: thrift.ThriftDocument; service: string; method: string; fn: FunctionDef; model: ThriftModel }
  | { kind: 'protobuf'; idl: protobuf.Root; service: string; method: string; input: MessageInfo; output: MessageInfo; streaming: StreamingKind };

/** Descriptor-set files (`protoc --descriptor_set_out`, `buf build -o`, grpcurl's protosets). */
const DESCRIPTOR_SET_EXTENSIONS = new Set(['.pb', '.binpb', '.protoset', '.desc']);

/**
 * Loads `file` with import directories `includes`: `.proto` source, a serialized
 * FileDescriptorSet (`.pb`, `.binpb`, `.protoset`, `.desc`), or else Thrift IDL.
 */
export function loadIdl(file: string, includes: readonly string[]): thrift.ThriftDocument | protobuf.Root {
  if (DESCRIPTOR_SET_EXTENSIONS.has(extname(file))) return protobuf.fromDescriptorSet(readFileSync(file));
  if (extname(file) === '.proto') {
    // As protoc: the -I directories in order; the file's own directory when none is given.
    return protobuf.load(file, { includeDirs: includes.length > 0 ? [...includes, dirname(file)] : [dirname(file)] });
  }
  return thrift.load(file, { includeDirs: [...includes] });
}

/** Finds `Service.method` (`pkg.Service.Method` or `pkg.Service/Method` for Protobuf) in `idl`. */
export function findTarget(idl: thrift.ThriftDocument | protobuf.Root, name: string): CallTarget {
  const slash = name.lastIndexOf('/');
  const at = slash >= 0 ? slash : name.lastIndexOf('.');
  if (at <= 0 || at === name.length - 1) throw new UsageError(`expected Service.method, got '${name}'`);
  const serviceName = name.slice(0, at);
  const method = name.slice(at + 1);
  if (idl instanceof protobuf.Root) {
    const service = protobufService(idl, serviceName);
    const info = service.methods.find((m) => m.name === method);
    if (info === undefined) throw new UsageError(`service ${service.fullName} has no method '${method}' (methods: ${service.methods.map((m) => m.name).join(', ')})`);
    return { kind: 'protobuf', idl, service: service.fullName, method, input: idl.lookupMessage(info.inputType), output: idl.lookupMessage(info.outputType), streaming: streamingKind(info) };
  }
  const model = idl.model;
  let def: ServiceDef | undefined = idl.serviceDef(serviceName);
  const names: string[] = [];
  while (def !== undefined) {
    const fn = def.functions.find((f) => f.name === method);
    if (fn !== undefined) return { kind: 'thrift', idl, service: serviceName, method, fn, model };
    names.push(...def.functions.map((f) => f.name));
    def = def.extends === undefined ? undefined : model.services.get(def.extends);
  }
  throw new UsageError(`service ${serviceName} has no method '${method}' (methods: ${names.join(', ')})`);
}

/** A Protobuf service by full name, or by its short name when only one service has it. */
function protobufService(root: protobuf.Root, name: string): protobuf.ServiceInfo {
  try {
    return root.lookupService(name);
  } catch (error) {
    const matches = [...root.pool.symbols.values()].filter((e) => e.kind === 'service' && (e.fullName === name || e.fullName.endsWith(`.${name}`)));
    if (matches.length === 1) return root.lookupService(matches[0]!.fullName);
    throw new UsageError(`no service named '${name}' in the IDL`, { cause: error });
  }
}

/**
 * The request from JSON: for Thrift the argument struct keyed by parameter name (a method with one
 * parameter also takes that parameter's value alone, as kitexcall does); for Protobuf the request
 * message, or for client and bidi streaming an array of them.
 */
export function buildRequest(target: CallTarget, json: JsonValue): unknown {
  if (target.kind === 'protobuf') {
    if (target.streaming === 'client' || target.streaming === 'bidi') {
      const items = Array.isArray(json) ? json : [json];
      return items.map((item, i) => protobufMessage(target.input, item, `[${i}]`));
    }
    return protobufMessage(target.input, json, '');
  }
  const params = target.fn.args;
  const isArgs =
    typeof json === 'object' && json !== null && !Array.isArray(json) && Object.keys(json).every((k) => params.some((p) => p.name === k));
  const args = isArgs || params.length !== 1 ? json : { [params[0]!.name]: json };
  const struct = { kind: 'struct' as const, key: `${target.method}_args`, name: `${target.method}_args`, fields: params, annotations: {}, loc: target.fn.loc };
  return thriftStruct(target.model, struct, args, '');
}

/**
 * The address of one instance of `serviceName` from `resolver` (`etcd://host:port[,host:port]`,
 * `dns://` for the system resolver or `dns://server:port`): the first in the resolver's order.
 */
export async function resolveAddress(resolver: string, serviceName: string): Promise<string> {
  const match = /^(etcd|dns):\/\/(.*)$/.exec(resolver);
  if (match === null) throw new UsageError(`--resolver must be etcd://host:port or dns://[server:port]; got '${resolver}'`);
  let source: Resolver;
  let close = async (): Promise<void> => {};
  if (match[1] === 'etcd') {
    if (match[2] === '') throw new UsageError('--resolver etcd:// needs host:port');
    const etcd = etcdDiscovery({ endpoints: match[2]!.split(',').map((e) => `http://${e}`) });
    source = etcd;
    close = () => etcd.close();
  } else {
    source = dnsResolver(undefined, match[2] === '' ? {} : { servers: [match[2]!] });
  }
  try {
    const instances = await source.resolve(serviceName);
    const first = instances[0];
    if (first === undefined) throw new HeddleError(ErrorCode.ERR_NO_INSTANCE, `${resolver} has no instance of '${serviceName}'`);
    return addressOf(first);
  } finally {
    await close();
  }
}
