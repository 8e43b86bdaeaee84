import type { Attributes, Context, Histogram, MeterProvider, Span, Tracer, TracerProvider } from '@opentelemetry/api';
import { ErrorCode, HeddleError } from '../errors.js';
import type { Invoke, Middleware, RpcContext } from '../rpc/context.js';
import type { GrpcMetadata } from '../grpc/metadata.js';
import { PERSISTENT_PREFIX, TRANSIENT_PREFIX } from '../transport/metainfo.js';
import { otelApi, registeredProviders, type Api } from './otel-api.js';
import { Attr, Metric, METRIC_RESOURCE_ATTRIBUTES, METRIC_SPAN_ATTRIBUTES, PEER_METAINFO, REQUEST_PROTOCOL, RPC_SYSTEM, SCOPE_NAME } from './names.js';
import { formatTraceparent, parseTraceHeaders } from './trace-headers.js';

/**
 * Where spans and metrics go, when not to the providers an OpenTelemetry SDK registered globally.
 * Typed loosely so heddle's declarations do not need `@opentelemetry/api`; pass the SDK's objects.
 */
export interface TelemetryOptions {
  /** A TracerProvider (`new BasicTracerProvider(...)`); default the global one. */
  tracerProvider?: object;
  /** A MeterProvider (`new MeterProvider(...)`); default the global one. */
  meterProvider?: object;
}

/**
 * The `telemetry` option of createServer and createClient. Default (undefined): traced when
 * `@opentelemetry/api` is installed and an SDK registered a global tracer or meter provider,
 * checked on every call, so registering after the client was made works. `false`: never.
 * `true`: as the default, but `@opentelemetry/api` must be installed. An object: these providers.
 */
export type TelemetrySetting = boolean | TelemetryOptions | undefined;

/** Entries the propagator writes, or the headers the server reads them from. */
type Carrier = Record<string, string>;

const setter = { set: (carrier: Carrier, key: string, value: string) => void (carrier[key] = value) };
const getter = {
  get: (carrier: Carrier, key: string) => carrier[key],
  keys: (carrier: Carrier) => Object.keys(carrier),
};

/** A span's or data point's status, as Go's `codes.Code.String()` prints it. */
const STATUS_NAME = ['Unset', 'Ok', 'Error'] as const;

interface ResourceHolder {
  resource?: { attributes?: Attributes };
}

/**
 * One client's or server's instrumentation: a span per call named and attributed as
 * obs-opentelemetry names them, trace context carried in metainfo (and gRPC metadata), and the
 * call's duration in `rpc.client.duration` / `rpc.server.duration`.
 */
class CallTelemetry {
  private delegate: unknown;
  private tracer: Tracer | undefined;
  private meterProvider: unknown;
  private histogram: Histogram | undefined;

  constructor(
    private readonly api: Api,
    private readonly side: 'client' | 'server',
    /** `$package.$service`, the span name's first part. */
    private readonly spanService: string,
    /** `rpc.service`: the service name in the registry when there is one, else the IDL's. */
    private readonly rpcService: string,
    private readonly options: TelemetryOptions,
  ) {}

  readonly middleware: Middleware = (next) => (ctx, args) => {
    const tracer = this.tracerNow();
    const histogram = this.histogramNow();
    if (tracer === undefined && histogram === undefined) return next(ctx, args);
    return this.side === 'client' ? this.client(tracer, histogram, next, ctx, args) : this.server(tracer, histogram, next, ctx, args);
  };

  /** The tracer to use now, or undefined when no provider is set or registered. */
  private tracerNow(): Tracer | undefined {
    let provider = this.options.tracerProvider as TracerProvider | undefined;
    if (provider === undefined) {
      if (registeredProviders()?.trace === undefined) return undefined;
      const global = this.api.trace.getTracerProvider() as TracerProvider & { getDelegate?: () => TracerProvider };
      provider = global.getDelegate?.() ?? global;
    }
    if (provider !== this.delegate) {
      this.delegate = provider;
      this.tracer = provider.getTracer(SCOPE_NAME);
    }
    return this.tracer;
  }

  private histogramNow(): Histogram | undefined {
    let provider = this.options.meterProvider as MeterProvider | undefined;
    if (provider === undefined) {
      if (registeredProviders()?.metrics === undefined) return undefined;
      provider = this.api.metrics.getMeterProvider();
    }
    if (provider !== this.meterProvider) {
      this.meterProvider = provider;
      const name = this.side === 'client' ? Metric.ClientDuration : Metric.ServerDuration;
      this.histogram = provider.getMeter(SCOPE_NAME).createHistogram(name, { unit: 'ms', description: `duration of ${this.side === 'client' ? 'outbound' : 'inbound'} RPC` });
    }
    return this.histogram;
  }

  private attributes(ctx: RpcContext): Attributes {
    return {
      [Attr.RpcSystem]: RPC_SYSTEM,
      [Attr.RpcMethod]: ctx.method,
      [Attr.RpcService]: this.rpcService,
      [Attr.RequestProtocol]: REQUEST_PROTOCOL[ctx.transport] ?? ctx.transport,
    };
  }

  private client(tracer: Tracer | undefined, histogram: Histogram | undefined, next: Invoke, ctx: RpcContext, args: Record<string, unknown>): Promise<unknown> {
    const api = this.api;
    const started = performance.now();
    const attributes = this.attributes(ctx);
    let span: Span | undefined;
    if (tracer !== undefined) {
      const parent = api.context.active();
      span = tracer.startSpan(`${this.spanService}/${ctx.method}`, { kind: api.SpanKind.CLIENT, attributes }, parent);
      this.inject(ctx, api.trace.setSpan(parent, span), span);
    }
    return this.settle(next, ctx, args, span, histogram, attributes, started);
  }

  private server(tracer: Tracer | undefined, histogram: Histogram | undefined, next: Invoke, ctx: RpcContext, args: Record<string, unknown>): Promise<unknown> {
    const api = this.api;
    const started = performance.now();
    const attributes = this.attributes(ctx);
    if (tracer === undefined) return this.settle(next, ctx, args, undefined, histogram, attributes, started);
    const headers = incomingHeaders(ctx);
    for (const [resource, peer] of PEER_METAINFO) {
      const value = headers[resource];
      if (value !== undefined) attributes[peer] = value;
    }
    const parent = this.extract(headers);
    const span = tracer.startSpan(`${this.spanService}/${ctx.method}`, { kind: api.SpanKind.SERVER, attributes }, parent);
    // The handler runs with the server span active, so calls it makes are its children.
    return api.context.with(api.trace.setSpan(parent, span), () => this.settle(next, ctx, args, span, histogram, attributes, started));
  }

  /** Runs the call and ends its span and measurement when it settles. */
  private settle(next: Invoke, ctx: RpcContext, args: Record<string, unknown>, span: Span | undefined, histogram: Histogram | undefined, attributes: Attributes, started: number): Promise<unknown> {
    let result: Promise<unknown>;
    try {
      result = next(ctx, args);
    } catch (error) {
      result = Promise.reject(error);
    }
    if (typeof (result as Partial<Promise<unknown>>)?.then !== 'function') {
      // A server- or bidi-streaming gRPC call hands back its response stream: the call ends when
      // its trailers arrive (they resolve, empty, on failure too, so the status is not known here).
      const trailers = (result as { trailers?: Promise<unknown> } | undefined)?.trailers;
      const end = () => this.finish(span, histogram, attributes, started, undefined);
      if (typeof trailers?.then === 'function') trailers.then(end, end);
      else end();
      return result;
    }
    return result.then(
      (value) => {
        this.finish(span, histogram, attributes, started, undefined);
        return value;
      },
      (error: unknown) => {
        this.finish(span, histogram, attributes, started, error);
        throw error;
      },
    );
  }

  private finish(span: Span | undefined, histogram: Histogram | undefined, attributes: Attributes, started: number, error: unknown): void {
    const elapsedMs = performance.now() - started;
    const failed = error !== undefined;
    if (span !== undefined) {
      if (failed) {
        const exception = error instanceof Error ? error : new Error(String(error));
        span.recordException(exception);
        span.setStatus({ code: this.api.SpanStatusCode.ERROR, message: exception.message });
      }
      span.end();
    }
    if (histogram === undefined) return;
    const point: Attributes = {};
    for (const key of METRIC_SPAN_ATTRIBUTES) if (attributes[key] !== undefined) point[key] = attributes[key];
    const resource = (span as ResourceHolder | undefined)?.resource?.attributes;
    if (resource !== undefined) for (const key of METRIC_RESOURCE_ATTRIBUTES) if (resource[key] !== undefined) point[key] = resource[key];
    point[Attr.StatusCode] = STATUS_NAME[failed ? this.api.SpanStatusCode.ERROR : this.api.SpanStatusCode.UNSET];
    histogram.record(elapsedMs, point);
  }

  /**
   * Puts the client span's context where the server reads it: transient metainfo
   * (`RPC_TRANSIT_traceparent`, ...) beside the caller's `service.name` and friends, as
   * obs-opentelemetry's ClientMiddleware does; over gRPC also the standard headers (`traceparent`).
   */
  private inject(ctx: RpcContext, context: Context, span: Span): void {
    const carrier: Carrier = {};
    this.api.propagation.inject(context, carrier, setter);
    // No propagator registered (the API's default is a no-op): W3C trace context still goes out.
    if (carrier['traceparent'] === undefined) {
      const spanContext = span.spanContext();
      carrier['traceparent'] = formatTraceparent(spanContext);
      const traceState = spanContext.traceState?.serialize();
      if (traceState) carrier['tracestate'] = traceState;
    }
    if (ctx.transport === 'grpc') Object.assign((ctx as RpcContext & { metadata: GrpcMetadata }).metadata, carrier);
    const resource = (span as ResourceHolder).resource?.attributes;
    if (resource !== undefined) {
      for (const [key] of PEER_METAINFO) {
        const value = resource[key];
        if (typeof value === 'string' && value !== '') carrier[key] = value;
      }
    }
    for (const key of Object.keys(carrier)) ctx.metainfo.setTransient(key, carrier[key]!);
  }

  /** The remote parent in the request's headers: the registered propagator's reading, else W3C or B3. */
  private extract(headers: Carrier): Context {
    const api = this.api;
    const active = api.context.active();
    const extracted = api.propagation.extract(active, headers, getter);
    if (api.trace.getSpanContext(extracted) !== undefined) return extracted;
    const remote = parseTraceHeaders((key) => headers[key]);
    if (remote === undefined) return extracted;
    const traceState = remote.traceState === undefined ? undefined : api.createTraceState(remote.traceState);
    return api.trace.setSpanContext(extracted, { traceId: remote.traceId, spanId: remote.spanId, traceFlags: remote.traceFlags, isRemote: true, ...(traceState ? { traceState } : {}) });
  }
}

/**
 * The request's trace headers by HTTP header name: gRPC metadata as sent, then transient and
 * persistent metainfo with the prefix dropped and the CGI form turned into the header form
 * (`RPC_TRANSIT_X_B3_TRACEID` → `x-b3-traceid`), as obs-opentelemetry's Extract reads them.
 */
function incomingHeaders(ctx: RpcContext): Carrier {
  const headers: Carrier = {};
  for (const [key, value] of ctx.metainfo.strInfo) {
    const name = key.startsWith(TRANSIENT_PREFIX) ? key.slice(TRANSIENT_PREFIX.length) : key.startsWith(PERSISTENT_PREFIX) ? key.slice(PERSISTENT_PREFIX.length) : undefined;
    if (name !== undefined) headers[name.toLowerCase().replace(/_/g, '-')] = value;
  }
  if (ctx.transport === 'grpc') {
    for (const [key, value] of Object.entries((ctx as RpcContext & { metadata: GrpcMetadata }).metadata)) {
      if (typeof value === 'string') headers[key] = value;
    }
  }
  return headers;
}

/** What {@link telemetryMiddleware} needs to know about the client or server it instruments. */
export interface InstrumentedEndpoint {
  side: 'client' | 'server';
  /** `$package.$service` for span names (span-name.ts). */
  spanService: string;
  /** `rpc.service`. */
  rpcService: string;
}

/**
 * The middleware tracing one client's or server's calls, or undefined when `setting` is false or
 * `@opentelemetry/api` is not installed (then nothing is loaded and calls pay nothing).
 */
export function telemetryMiddleware(setting: TelemetrySetting, endpoint: InstrumentedEndpoint): Middleware | undefined {
  if (setting === false) return undefined;
  if (setting !== undefined && setting !== true && (typeof setting !== 'object' || setting === null)) {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `telemetry must be a boolean or { tracerProvider?, meterProvider? }; got ${String(setting)}`);
  }
  const api = otelApi();
  if (api === undefined) {
    if (setting === undefined) return undefined;
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'telemetry needs the optional peer dependency @opentelemetry/api: npm install @opentelemetry/api');
  }
  const options = typeof setting === 'object' ? setting : {};
  return new CallTelemetry(api, endpoint.side, endpoint.spanService, endpoint.rpcService, options).middleware;
}

/** `middleware` with the telemetry middleware first (outermost, so it times the rest), when on. */
export function withTelemetry(middleware: readonly Middleware[] | undefined, setting: TelemetrySetting, endpoint: InstrumentedEndpoint): readonly Middleware[] {
  const telemetry = telemetryMiddleware(setting, endpoint);
  if (telemetry === undefined) return middleware ?? [];
  return [telemetry, ...(middleware ?? [])];
}
