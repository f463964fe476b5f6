/**
 * OpenTelemetry tracing for Airlock: one trace per run across the client that starts it, the workflow, its
 * activities and the HTTP server, through Temporal's OpenTelemetry interceptors (the trace context travels in
 * Temporal headers). Exported where the standard OTEL_EXPORTER_OTLP_* variables point; off when none is set.
 *
 * The workflow interceptors are always bundled into the workflow code, tracing on or off, so histories replay the
 * same way whatever the setting (the interceptor's presence is visible to the SDK's determinism flags).
 */
import { createRequire } from 'node:module';
import * as otel from '@opentelemetry/api';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  NoopSpanProcessor,
  type ReadableSpan,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory, WorkerOptions } from '@temporalio/worker';
import { otlpTracesConfigured } from './otel-env.js';

/** The sinks a worker is given. */
export type WorkerSinks = NonNullable<WorkerOptions['sinks']>;

const require = createRequire(import.meta.url);

/** Workflow interceptor modules bundled into every Airlock workflow bundle (see the module comment). */
export const WORKFLOW_INTERCEPTOR_MODULES: readonly string[] = [
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors'),
];

export const DEFAULT_SERVICE_NAME = 'airlock';
const TRACER_NAME = 'airlock';

/** What clients, workers and the HTTP server plug in; inert (no-op tracer, no export) when tracing is off. */
export interface AirlockTracing {
  readonly enabled: boolean;
  readonly tracer: otel.Tracer;
  /** For `new Client({ interceptors: { workflow: ... } })` and the worker's own client. */
  clientInterceptors(): WorkflowClientInterceptor[];
  /** For `Worker.create({ interceptors: { activity } })`. */
  activityInterceptors(): ActivityInterceptorsFactory[];
  /** For `Worker.create({ sinks })`: where workflow spans leave the workflow sandbox. */
  workflowSinks(): WorkerSinks;
  /** Flushes and stops export. */
  shutdown(): Promise<void>;
}

/**
 * Workflow spans are built inside the workflow sandbox by an older OpenTelemetry SDK (1.x) and arrive with its
 * field names; exporters of the 2.x SDK read `instrumentationScope` and `parentSpanContext`. Fill those in.
 */
class WorkflowSpanAdapter implements SpanProcessor {
  constructor(private readonly next: SpanProcessor) {}
  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    const legacy = span as ReadableSpan & { instrumentationLibrary?: ReadableSpan['instrumentationScope']; parentSpanId?: string };
    const context = span.spanContext();
    const adapted = Object.assign(Object.create(null) as object, span, {
      spanContext: () => context,
      instrumentationScope: span.instrumentationScope ?? legacy.instrumentationLibrary ?? { name: 'temporal-workflow' },
      parentSpanContext:
        span.parentSpanContext ??
        (legacy.parentSpanId ? { traceId: context.traceId, spanId: legacy.parentSpanId, traceFlags: context.traceFlags } : undefined),
    }) as ReadableSpan;
    this.next.onEnd(adapted);
  }
  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}

function build(options: { enabled: boolean; spanProcessor: SpanProcessor; resource: Resource; tracer: otel.Tracer; shutdown: () => Promise<void> }): AirlockTracing {
  const tracerOptions = { tracer: options.tracer };
  const workflowProcessor = new WorkflowSpanAdapter(options.spanProcessor);
  return {
    enabled: options.enabled,
    tracer: options.tracer,
    clientInterceptors: () => [new OpenTelemetryWorkflowClientInterceptor(tracerOptions)],
    activityInterceptors: () => [
      (ctx) => ({
        inbound: new OpenTelemetryActivityInboundInterceptor(ctx, tracerOptions),
        outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
      }),
    ],
    workflowSinks: () =>
      // The interceptor package types its processor and resource with its own (1.x) SDK; the shapes it uses match.
      ({ exporter: makeWorkflowExporter(workflowProcessor as never, options.resource as never) }) as unknown as WorkerSinks,
    shutdown: options.shutdown,
  };
}

let installed: AirlockTracing | undefined;

/**
 * Installs tracing for this process with the given span processor (tests pass a SimpleSpanProcessor over an
 * InMemorySpanExporter). Registers the global tracer provider, W3C propagator and async context manager, which
 * the interceptors use to carry the trace across Temporal calls. Process-wide: the first call wins.
 */
export function installTracing(options: { spanProcessor: SpanProcessor; serviceName?: string }): AirlockTracing {
  if (installed?.enabled) return installed;
  const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName ?? DEFAULT_SERVICE_NAME });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [options.spanProcessor] });
  provider.register();
  installed = build({
    enabled: true,
    spanProcessor: options.spanProcessor,
    resource,
    tracer: provider.getTracer(TRACER_NAME),
    shutdown: () => provider.shutdown(),
  });
  return installed;
}

/**
 * Tracing as the environment asks: OTLP over HTTP to OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT (headers, timeout and
 * so on from the other standard OTEL_EXPORTER_OTLP_* variables, read by the exporter itself), service name from
 * OTEL_SERVICE_NAME. Off (inert) when no endpoint is set. Once installed, later calls return the same instance.
 */
export async function tracingFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<AirlockTracing> {
  if (installed) return installed;
  if (!otlpTracesConfigured(env)) return disabledTracing();
  // Loaded only when used: the exporter pulls in a fair amount of code.
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  return installTracing({
    spanProcessor: new BatchSpanProcessor(new OTLPTraceExporter()),
    serviceName: env.OTEL_SERVICE_NAME?.trim() || DEFAULT_SERVICE_NAME,
  });
}

/** Tracing that records nothing: the interceptors run against the API's no-op tracer. */
export function disabledTracing(): AirlockTracing {
  return build({
    enabled: false,
    spanProcessor: new NoopSpanProcessor(),
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: DEFAULT_SERVICE_NAME }),
    tracer: otel.trace.getTracer(TRACER_NAME),
    shutdown: async () => undefined,
  });
}
