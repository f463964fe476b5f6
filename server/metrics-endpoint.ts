/**
 * `GET /metrics` in Prometheus text format: Airlock's own metrics (platform/telemetry/metrics.ts) followed, when
 * configured, by the Temporal runtime's metrics scraped from its local Prometheus listener.
 *
 * Mount it on the Airlock HTTP server: `await app.register(metricsEndpoint, { metrics: processMetrics() })`.
 */
import type { FastifyInstance } from 'fastify';
import type { AirlockMetrics } from '../platform/telemetry/metrics.js';

export interface MetricsEndpointOptions {
  metrics: AirlockMetrics;
  /** Path of the route; `/metrics` by default. */
  path?: string;
  /** Extra exposition text appended to Airlock's own (e.g. the Temporal runtime's metrics); failures are skipped. */
  extra?: () => Promise<string>;
}

/** How long a scrape waits for the Temporal runtime's listener before answering without its metrics. */
const RUNTIME_SCRAPE_TIMEOUT_MS = 2_000;

/** Reads the Temporal runtime's metrics from its local Prometheus listener (`host:port`, loopback). */
export function scrapeRuntimeMetrics(address: string): () => Promise<string> {
  return async () => {
    const response = await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(RUNTIME_SCRAPE_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`Temporal runtime metrics answered ${response.status}`);
    return response.text();
  };
}

/** Fastify plugin serving the metrics route. */
export async function metricsEndpoint(app: FastifyInstance, options: MetricsEndpointOptions): Promise<void> {
  app.get(options.path ?? '/metrics', async (request, reply) => {
    let text = await options.metrics.exposition();
    if (options.extra) {
      try {
        const extra = await options.extra();
        if (extra.trim()) text = `${text.replace(/\n*$/, '\n')}${extra}`;
      } catch (err) {
        // Runtime metrics are a bonus: a scrape still succeeds with Airlock's own.
        request.log.warn({ err }, 'extra metrics unavailable');
      }
    }
    return reply.header('content-type', options.metrics.contentType).send(text);
  });
}
