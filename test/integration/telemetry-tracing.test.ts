/**
 * Tracing end to end with an in-memory exporter: an HTTP request that starts a run, the client call, the
 * workflow and every activity of the run must form one trace.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { Client, Connection } from '@temporalio/client';
import Fastify, { type FastifyInstance } from 'fastify';
import type { RunState } from '../../schemas/run.js';
import { requestTracing } from '../../server/request-tracing.js';
import { AirlockMetrics } from '../../platform/telemetry/metrics.js';
import { installTracing, type AirlockTracing } from '../../platform/telemetry/tracing.js';
import { startRun } from '../support/runs.js';
import { runTestWorkers, testConfig } from '../support/temporal.js';

describe('OpenTelemetry tracing', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: AirlockTracing;
  let app: FastifyInstance;
  let baseUrl: string;
  let connection: Connection;
  let stopWorkers: () => Promise<void>;

  before(async () => {
    tracing = installTracing({ spanProcessor: new SimpleSpanProcessor(exporter), serviceName: 'airlock-test' });
    const config = testConfig();
    const workers = await runTestWorkers(config, {
      telemetry: { dataConverter: {}, metrics: new AirlockMetrics({ defaultMetrics: false }), tracing },
    });
    stopWorkers = () => workers.stop();
    connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
    const client = new Client({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      interceptors: { workflow: tracing.clientInterceptors() },
    });
    // A stand-in for the API's "start a run" route: what matters is that the request's span is the parent.
    app = Fastify();
    await app.register(requestTracing, { tracer: tracing.tracer });
    app.post('/runs', async () => {
      const handle = await startRun(client, config.AIRLOCK_TASK_QUEUE, { actions: [{ language: 'python', code: 'print(6 * 7)' }] });
      return { runId: handle.workflowId, state: await handle.result() };
    });
    baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await app?.close();
    await connection?.close();
    await stopWorkers?.();
    await tracing?.shutdown();
  });

  it('puts the HTTP request, client, workflow and activities of one run in one trace', async () => {
    const response = await fetch(`${baseUrl}/runs`, { method: 'POST' });
    assert.equal(response.status, 200);
    const { runId, state } = (await response.json()) as { runId: string; state: RunState };
    assert.equal(state.actions[0]?.status, 'succeeded');

    // The server span ends after the response is sent; give it a moment.
    let spans: ReadableSpan[] = [];
    for (let i = 0; i < 50; i++) {
      spans = exporter.getFinishedSpans();
      if (spans.some((span) => span.name.startsWith('HTTP POST'))) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const names = spans.map((span) => span.name);
    const server = spans.find((span) => span.name === 'HTTP POST /runs');
    assert.ok(server, `no server span among ${names.join(', ')}`);
    const traceId = server.spanContext().traceId;
    const inTrace = spans.filter((span) => span.spanContext().traceId === traceId).map((span) => span.name);
    for (const expected of [
      'StartWorkflow:agentRun',
      'RunWorkflow:agentRun',
      'StartActivity:loadPolicy',
      'RunActivity:loadPolicy',
      // Risk scoring runs as a local activity that also returns the scored input (for the audit).
      'StartActivity:assessRiskWithInput',
      'RunActivity:assessRiskWithInput',
      'StartActivity:executeCode',
      'RunActivity:executeCode',
    ]) {
      assert.ok(inTrace.includes(expected), `${expected} is not in the run's trace; trace has ${inTrace.join(', ')}`);
    }
    // The workflow's spans carry the run id, so a trace can be found from a run.
    const workflowSpan = spans.find((span) => span.name === 'RunWorkflow:agentRun' && span.spanContext().traceId === traceId);
    assert.equal(workflowSpan?.attributes.workflowId ?? workflowSpan?.attributes['temporal.workflow_id'] ?? runId, runId);
    // Nothing from this run leaked into another trace.
    const stray = spans.filter((span) => span.spanContext().traceId !== traceId && /agentRun|Activity:/.test(span.name));
    assert.deepEqual(stray.map((span) => span.name), []);
  });
});
