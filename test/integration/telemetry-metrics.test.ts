/**
 * Prometheus metrics end to end: real workers run real actions, `/metrics` is scraped over HTTP, the exposition
 * must parse as Prometheus text format, and the counters must move by exactly what the test did.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import Fastify, { type FastifyInstance } from 'fastify';
import { metricsEndpoint, scrapeRuntimeMetrics } from '../../server/metrics-endpoint.js';
import { AirlockMetrics } from '../../platform/telemetry/metrics.js';
import { disabledTracing } from '../../platform/telemetry/tracing.js';
import { freePort } from '../support/free-port.js';
import { startRun } from '../support/runs.js';
import { runTestWorkers, testConfig } from '../support/temporal.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** A strict reader of the Prometheus text exposition format (0.0.4): throws on any line it cannot read. */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  const typed = new Map<string, string>();
  for (const [index, line] of text.split('\n').entries()) {
    const where = `line ${index + 1}: ${line}`;
    if (line === '') continue;
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!match) continue; // other comments are allowed
      assert.match(match[2]!, NAME, where);
      if (match[1] === 'TYPE') {
        assert.ok(TYPES.has(match[3]!), `unknown type: ${where}`);
        assert.ok(!typed.has(match[2]!), `TYPE given twice: ${where}`);
        typed.set(match[2]!, match[3]!);
      }
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?\d+)?$/.exec(line);
    assert.ok(sample, `not a sample: ${where}`);
    const labels: Record<string, string> = {};
    let rest = sample[3] ?? '';
    while (rest.length > 0) {
      const label = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/.exec(rest);
      assert.ok(label, `bad labels: ${where}`);
      labels[label[1]!] = label[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
      rest = rest.slice(label[0].length);
    }
    const raw = sample[4]!;
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : raw === 'NaN' ? NaN : Number(raw);
    assert.ok(raw === 'NaN' || !Number.isNaN(value), `bad value: ${where}`);
    samples.push({ name: sample[1]!, labels, value });
  }
  return samples;
}

function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}


describe('Prometheus metrics', () => {
  let app: FastifyInstance;
  let url: string;
  let client: Client;
  let connection: Connection;
  let taskQueue: string;
  let stopWorkers: () => Promise<void>;

  before(async () => {
    const metrics = new AirlockMetrics();
    const config = testConfig();
    const runtimeMetricsAddress = `127.0.0.1:${await freePort()}`;
    taskQueue = config.AIRLOCK_TASK_QUEUE;
    const workers = await runTestWorkers(config, {
      telemetry: { dataConverter: {}, metrics, tracing: disabledTracing(), runtimeMetricsAddress },
    });
    stopWorkers = () => workers.stop();
    connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
    client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    app = Fastify();
    await app.register(metricsEndpoint, { metrics, extra: scrapeRuntimeMetrics(runtimeMetricsAddress) });
    url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/metrics`;
  });
  after(async () => {
    await app?.close();
    await connection?.close();
    await stopWorkers?.();
  });

  async function scrape(): Promise<Sample[]> {
    const response = await fetch(url);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return parseExposition(await response.text());
  }

  it('serves valid exposition text whose counters move with the actions run', async () => {
    const before = await scrape();
    assert.ok(before.some((s) => s.name === 'airlock_process_cpu_user_seconds_total'), 'process metrics are exported');

    const ok = await startRun(client, taskQueue, { actions: [{ language: 'python', code: 'print(1)' }] });
    const slow = await startRun(client, taskQueue, {
      actions: [{ language: 'python', code: 'import time\ntime.sleep(30)', limits: { timeoutSec: 1 } }],
    });
    const waiting = await startRun(client, taskQueue, {
      actions: [{ language: 'python', code: 'import subprocess\nprint(1)' }],
      approvalTimeoutMs: 1_000,
    });
    const runs = await Promise.all([ok.result(), slow.result(), waiting.result()]);
    assert.deepEqual(runs.map((run) => run.actions[0]?.status), ['succeeded', 'failed', 'timed_out']);
    assert.equal(runs[1]?.actions[0]?.result?.timedOut, true);

    const afterRuns = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) => valueOf(afterRuns, name, labels) - valueOf(before, name, labels);
    assert.equal(delta('airlock_actions_total', { status: 'assessed', risk: 'low' }), 2);
    assert.equal(delta('airlock_actions_total', { status: 'assessed', risk: 'medium' }), 1);
    assert.equal(delta('airlock_actions_total', { status: 'succeeded', risk: 'low' }), 1);
    assert.equal(delta('airlock_actions_total', { status: 'failed', risk: 'low' }), 1);
    assert.equal(delta('airlock_actions_total', { status: 'timed_out', risk: 'medium' }), 1);
    assert.equal(delta('airlock_approval_wait_seconds_count', { outcome: 'timed_out', risk: 'medium' }), 1);
    assert.ok(delta('airlock_approval_wait_seconds_sum', { outcome: 'timed_out' }) >= 0.9, 'the wait lasted about the timeout');
    assert.equal(delta('airlock_sandbox_duration_seconds_count'), 2);
    assert.equal(delta('airlock_sandbox_duration_seconds_count', { outcome: 'timed_out', language: 'python' }), 1);
    assert.equal(delta('airlock_sandbox_limit_hits_total', { limit: 'timeout' }), 1);
    assert.equal(delta('airlock_egress_denials_total'), 0);
    // The Temporal runtime's own metrics are appended, and move too.
    assert.ok(delta('temporal_workflow_completed') >= 1 || delta('temporal_workflow_completed_total') >= 1, 'Temporal runtime metrics are included');
  });
});
