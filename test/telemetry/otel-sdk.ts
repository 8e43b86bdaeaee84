import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';

/** A metric reader the test collects from on demand. */
class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** One histogram's data points, as a test reads them. */
export interface HistogramPoints {
  unit: string;
  points: Array<{ attributes: Record<string, unknown>; count: number; sum: number }>;
}

/** An OpenTelemetry SDK registered globally, exporting to memory, as an application would set it up. */
export class TestSdk {
  readonly spans = new InMemorySpanExporter();
  private readonly reader = new TestReader();
  readonly tracerProvider: TracerProvider;
  readonly meterProvider: MeterProvider;

  constructor(serviceName: string) {
    const resource = resourceFromAttributes({ 'service.name': serviceName });
    this.tracerProvider = new TracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor({ exporter: this.spans })] });
    this.meterProvider = new MeterProvider({ resource, readers: [this.reader] });
  }

  /** Registers the providers and an AsyncLocalStorage context manager globally (no propagator:
   * heddle's W3C fallback then carries the context). */
  register(): this {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(this.tracerProvider);
    metrics.setGlobalMeterProvider(this.meterProvider);
    return this;
  }

  /** Undoes {@link register}. */
  static unregister(): void {
    trace.disable();
    metrics.disable();
    context.disable();
    propagation.disable();
  }

  /** The spans ended so far (the span processor exports after a tick, so this flushes first). */
  async finished(): Promise<ReadableSpan[]> {
    await this.tracerProvider.forceFlush();
    return this.spans.getFinishedSpans();
  }

  /** The histogram `name`'s data points collected so far. */
  async histogram(name: string): Promise<HistogramPoints | undefined> {
    const { resourceMetrics } = await this.reader.collect();
    return histogramIn(resourceMetrics, name);
  }
}

function histogramIn(resourceMetrics: ResourceMetrics, name: string): HistogramPoints | undefined {
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name) continue;
      return {
        unit: metric.descriptor.unit,
        points: metric.dataPoints.map((p) => {
          const value = p.value as { count: number; sum: number };
          return { attributes: { ...p.attributes }, count: value.count, sum: value.sum };
        }),
      };
    }
  }
  return undefined;
}

/** The finished span named `name` of kind `kind` (1 server, 2 client); fails when not exactly one. */
export function onlySpan(spans: readonly ReadableSpan[], name: string, kind: number): ReadableSpan {
  const found = spans.filter((s) => s.name === name && s.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${name} span of kind ${kind}, found ${found.length} among ${spans.map((s) => `${s.name}/${s.kind}`).join(', ')}`);
  return found[0]!;
}
