/**
 * OpenTelemetry tracing and metrics for heddle clients and servers, named as
 * kitex-contrib/obs-opentelemetry names them. `@opentelemetry/api` is an optional peer dependency:
 * without it nothing here loads.
 */
export { telemetryMiddleware, withTelemetry, type InstrumentedEndpoint, type TelemetryOptions, type TelemetrySetting } from './middleware.js';
export { spanServiceName } from './span-name.js';
export { Attr, Metric, RPC_SYSTEM } from './names.js';
export { formatTraceparent, parseB3, parseTraceparent, parseTraceHeaders, type RemoteSpan } from './trace-headers.js';
