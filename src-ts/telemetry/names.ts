/**
 * The names kitex-contrib/obs-opentelemetry gives its spans, attributes and metrics (tracing/
 * semconv.go, metrics.go, utils.go, peer.go at v0.3.0), so heddle's telemetry lands on the same
 * dashboards as a Kitex service's.
 */

/** Instrumentation scope of heddle's tracer and meter. */
export const SCOPE_NAME = 'heddle';

/** Attribute keys (OpenTelemetry semantic conventions v1.12.0 plus obs-opentelemetry's own). */
export const Attr = {
  RpcSystem: 'rpc.system',
  RpcService: 'rpc.service',
  RpcMethod: 'rpc.method',
  /** The transport, as Kitex's `transport.Protocol.String()` spells it (`TTHeader`, `GRPC`, ...). */
  RequestProtocol: 'request.protocol',
  PeerService: 'peer.service',
  PeerServiceNamespace: 'peer.service.namespace',
  PeerDeploymentEnvironment: 'peer.deployment.environment',
  /** The span status on metric data points: `Unset`, `Ok` or `Error`, as Go's codes.Code prints. */
  StatusCode: 'status.code',
  NetPeerName: 'net.peer.name',
  NetTransport: 'net.transport',
  SourceOperation: 'source_operation',
} as const;

/** The value of `rpc.system` on every span heddle makes, whatever the transport: Kitex's. */
export const RPC_SYSTEM = 'kitex';

/** Histograms of call duration in milliseconds. */
export const Metric = {
  ClientDuration: 'rpc.client.duration',
  ServerDuration: 'rpc.server.duration',
} as const;

/** Span attributes copied onto metric data points (RPCMetricsAttributes + PeerMetricsAttributes). */
export const METRIC_SPAN_ATTRIBUTES: readonly string[] = [
  Attr.RpcService,
  Attr.RpcSystem,
  Attr.RpcMethod,
  Attr.NetPeerName,
  Attr.NetTransport,
  Attr.PeerService,
  Attr.PeerServiceNamespace,
  Attr.PeerDeploymentEnvironment,
  Attr.RequestProtocol,
  Attr.SourceOperation,
];

/** Resource attributes copied onto metric data points (MetricResourceAttributes). */
export const METRIC_RESOURCE_ATTRIBUTES: readonly string[] = [
  'service.name',
  'service.namespace',
  'deployment.environment',
  'service.instance.id',
  'service.version',
  'telemetry.sdk.language',
  'telemetry.sdk.version',
  'process.pid',
  'host.name',
  'host.id',
];

/**
 * Resource attributes a client sends in metainfo so the server can name its caller; the server
 * turns each into the `peer.*` attribute beside it.
 */
export const PEER_METAINFO: ReadonlyArray<readonly [resource: string, peer: string]> = [
  ['service.name', Attr.PeerService],
  ['service.namespace', Attr.PeerServiceNamespace],
  ['deployment.environment', Attr.PeerDeploymentEnvironment],
];

/** Kitex's `transport.Protocol.String()` for each heddle transport (flags joined by `|`, v0.15.2). */
export const REQUEST_PROTOCOL: Readonly<Record<string, string>> = {
  ttheader: 'TTHeader',
  'ttheader-framed': 'TTHeader|Framed',
  framed: 'Framed',
  buffered: 'PurePayload',
  grpc: 'GRPC',
};
