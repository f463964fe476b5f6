/**
 * OpenTelemetry span per HTTP request, continuing a trace the caller sent (`traceparent`) and made active for the
 * handler, so a run started through the API joins the caller's trace and the run's own (client -> workflow ->
 * activities). A no-op while tracing is off (the global tracer records nothing).
 *
 * Mount it first on the Airlock HTTP server: `await app.register(requestTracing, { tracer: tracing.tracer })`.
 */
import * as otel from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface RequestTracingOptions {
  tracer: otel.Tracer;
}

const spans = new WeakMap<FastifyRequest, otel.Span>();

async function plugin(app: FastifyInstance, options: RequestTracingOptions): Promise<void> {
  app.addHook('onRequest', (request, _reply, done) => {
    const parent = otel.propagation.extract(otel.context.active(), request.headers);
    const span = options.tracer.startSpan(
      `HTTP ${request.method} ${request.routeOptions.url ?? 'unmatched'}`,
      { kind: otel.SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'url.path': request.url.split('?')[0] } },
      parent,
    );
    spans.set(request, span);
    // Continuing the hook chain inside the context makes the span active for the handler and what it awaits.
    otel.context.with(otel.trace.setSpan(parent, span), done);
  });
  app.addHook('onResponse', async (request, reply) => {
    const span = spans.get(request);
    if (!span) return;
    span.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) span.setStatus({ code: otel.SpanStatusCode.ERROR });
    span.end();
  });
}

/**
 * Fastify plugin. Marked to skip Fastify's encapsulation (what `fastify-plugin` does) so its hooks see every
 * route, not only routes registered inside it.
 */
export const requestTracing = Object.assign(plugin, { [Symbol.for('skip-override')]: true });
