/**
 * Everything observability adds to the Airlock HTTP server, registered in one call from the server's setup:
 * a span per request (tracing), `GET /metrics`, and — when payload encryption is on — the codec endpoint the
 * Temporal Web UI uses to show encrypted history as readable JSON.
 */
import * as otel from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { payloadCodecFromEnv } from '../platform/codec-keys.js';
import { processMetrics, TEMPORAL_METRICS_ADDRESS_ENV, type AirlockMetrics } from '../platform/telemetry/metrics.js';
import { codecEndpoint } from './codec-endpoint.js';
import { metricsEndpoint, scrapeRuntimeMetrics } from './metrics-endpoint.js';
import { requestTracing } from './request-tracing.js';

/** Browser origins of the Temporal Web UI allowed to call the codec endpoint (comma-separated). */
export const CODEC_CORS_ORIGINS_ENV = 'AIRLOCK_CODEC_CORS_ORIGINS';
/** The dev server's Web UI (`airlock up`), by its two usual names. */
const DEFAULT_CODEC_ORIGINS = ['http://127.0.0.1:8233', 'http://localhost:8233'];

export interface TelemetryRoutesOptions {
  env?: NodeJS.ProcessEnv;
  metrics?: AirlockMetrics;
  tracer?: otel.Tracer;
  /** Who may see decrypted payloads through the codec endpoint (e.g. holders of a valid API token). */
  authorizeCodec?: (request: FastifyRequest) => boolean | Promise<boolean>;
}

/**
 * Registers tracing hooks, `/metrics` (with the Temporal runtime's metrics when AIRLOCK_TEMPORAL_METRICS_ADDRESS
 * is set) and (with AIRLOCK_CODEC_KEYS set) `/codec/{encode,decode}`. Call it right
 * after creating the Fastify instance, before other routes, so the tracing hooks cover every route.
 */
export function registerTelemetryRoutes(app: FastifyInstance, options: TelemetryRoutesOptions = {}): void {
  const env = options.env ?? process.env;
  void app.register(requestTracing, { tracer: options.tracer ?? otel.trace.getTracer('airlock-http') });
  const runtimeAddress = env[TEMPORAL_METRICS_ADDRESS_ENV]?.trim();
  void app.register(metricsEndpoint, {
    metrics: options.metrics ?? processMetrics(),
    ...(runtimeAddress ? { extra: scrapeRuntimeMetrics(runtimeAddress) } : {}),
  });
  const codec = payloadCodecFromEnv(env);
  if (codec) {
    const origins = env[CODEC_CORS_ORIGINS_ENV]?.split(',').map((origin) => origin.trim()).filter(Boolean);
    void app.register(codecEndpoint, {
      codec,
      allowedOrigins: origins && origins.length > 0 ? origins : DEFAULT_CODEC_ORIGINS,
      ...(options.authorizeCodec ? { authorize: options.authorizeCodec } : {}),
    });
  }
}
