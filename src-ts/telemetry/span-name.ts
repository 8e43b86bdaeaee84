import type { ServiceBinding, ServiceIdl } from '../rpc/binding.js';
import type { ThriftDocument } from '../thrift/document.js';

/**
 * The `$package.$service` part of a span name (obs-opentelemetry's spanNaming: Kitex's
 * `Invocation().PackageName()` and service name). For Protobuf the full service name already is
 * that; for Thrift the package is the Go package Kitex generates into: the last segment of the
 * file's `namespace go`, else the file's base name, as thriftgo chooses it.
 */
export function spanServiceName(idl: ServiceIdl, binding: ServiceBinding): string {
  if (binding.encoding === 'protobuf') return binding.name;
  const model = (idl as ThriftDocument).model;
  const dot = binding.name.lastIndexOf('.');
  const file = dot < 0 ? model.root : (model.files.find((f) => f.prefix === binding.name.slice(0, dot)) ?? model.root);
  const service = binding.name.slice(dot + 1);
  const namespace = file.namespaces['go'];
  const pkg = namespace === undefined ? file.prefix : namespace.split(/[./]/).pop();
  return pkg ? `${pkg}.${service}` : service;
}
