/**
 * Encrypted history end to end: with AIRLOCK_CODEC_KEYS set, the raw history (as `temporal workflow show
 * --output json` prints it) holds no plaintext code or output, while the SDK and the `airlock` CLI, which hold the
 * key, still show both.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import Fastify from 'fastify';
import { dataConverterFromEnv, payloadCodecFromEnv } from '../../platform/codec-keys.js';
import { AirlockClient } from '../../client/sdk.js';
import type { RunState } from '../../schemas/run.js';
import { codecEndpoint } from '../../server/codec-endpoint.js';
import { AirlockMetrics } from '../../platform/telemetry/metrics.js';
import { disabledTracing } from '../../platform/telemetry/tracing.js';
import { runCli } from '../support/cli.js';
import { startRun } from '../support/runs.js';
import { runTestWorkers, testConfig } from '../support/temporal.js';

const run = promisify(execFile);

/** The temporal CLI the test stack installed, else the one pip put next to python's scripts. */
async function temporalCli(): Promise<string> {
  if (process.env.AIRLOCK_TEMPORAL_CLI) return process.env.AIRLOCK_TEMPORAL_CLI;
  const { stdout } = await run('python3', ['-c', 'import sysconfig; print(sysconfig.get_path("scripts"))']);
  const candidate = path.join(stdout.trim(), 'temporal');
  if (!existsSync(candidate)) throw new Error('temporal CLI not found: run the tests with `npm test`, which installs it');
  return candidate;
}

/** Every string in a JSON value, plus the text of those that are base64 (payload bytes are base64 in JSON). */
function readableTexts(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') {
    out.push(value);
    if (/^[A-Za-z0-9+/]+={0,2}$/.test(value) && value.length % 4 === 0) out.push(Buffer.from(value, 'base64').toString('latin1'));
  } else if (Array.isArray(value)) {
    for (const item of value) readableTexts(item, out);
  } else if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) readableTexts(item, out);
  }
  return out;
}

describe('encrypted history (payload codec)', () => {
  const tag = randomBytes(4).toString('hex');
  const codeMarker = `CODEMARK-${tag}`;
  const outputMarker = `OUTPUT-${tag}`;
  // Python joins adjacent literals, so the code never contains the output marker as one string.
  const code = `# ${codeMarker}\nprint("OUT" "PUT-${tag}")\n`;
  const codecEnv = { AIRLOCK_CODEC_KEYS: `t1:${randomBytes(32).toString('base64')}` };
  const config = testConfig();
  let connection: Connection;
  let client: Client;
  let stopWorkers: () => Promise<void>;
  let runId: string;
  let final: RunState;

  before(async () => {
    const workers = await runTestWorkers(config, {
      telemetry: { dataConverter: dataConverterFromEnv(codecEnv), metrics: new AirlockMetrics({ defaultMetrics: false }), tracing: disabledTracing() },
    });
    stopWorkers = () => workers.stop();
    connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
    client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: dataConverterFromEnv(codecEnv) });
    const handle = await startRun(client, config.AIRLOCK_TASK_QUEUE, { actions: [{ language: 'python', code }] });
    runId = handle.workflowId;
    final = await handle.result();
  });
  after(async () => {
    await connection?.close();
    await stopWorkers?.();
  });

  it('runs the action normally for holders of the key', () => {
    assert.equal(final.actions[0]?.status, 'succeeded');
    assert.equal(final.actions[0]?.result?.stdout.text, `${outputMarker}\n`);
  });

  it('keeps code and output out of the raw history', async () => {
    const { stdout } = await run(await temporalCli(), [
      'workflow', 'show', '--workflow-id', runId, '--address', config.TEMPORAL_ADDRESS,
      '--namespace', config.TEMPORAL_NAMESPACE, '--output', 'json',
    ], { maxBuffer: 64 * 1024 * 1024 });
    const history = JSON.parse(stdout) as { events: unknown[] };
    assert.ok(history.events.length > 5, 'the history was read');
    const texts = readableTexts(history);
    for (const marker of [codeMarker, outputMarker]) {
      assert.ok(!texts.some((text) => text.includes(marker)), `${marker} is readable in the raw history`);
    }
    // And it is encryption that hides them, not absence: payloads carry the codec's encoding.
    assert.ok(texts.filter((text) => text === 'binary/encrypted').length >= 5, 'payloads are marked binary/encrypted');
  });

  it('lets the temporal CLI (as the Web UI would) read plaintext through the codec endpoint, with a token only', async () => {
    const app = Fastify();
    await app.register(codecEndpoint, {
      codec: payloadCodecFromEnv(codecEnv)!,
      authorize: (request) => request.headers.authorization === 'Bearer codec-reader',
    });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const show = async (auth: string) =>
        run(await temporalCli(), [
          'workflow', 'show', '--workflow-id', runId, '--address', config.TEMPORAL_ADDRESS,
          '--namespace', config.TEMPORAL_NAMESPACE, '--output', 'json',
          '--codec-endpoint', `${base}/codec`, '--codec-auth', auth,
        ], { maxBuffer: 64 * 1024 * 1024 });
      const decoded = readableTexts(JSON.parse((await show('Bearer codec-reader')).stdout));
      assert.ok(decoded.some((text) => text.includes(codeMarker)), 'the code is readable through the codec endpoint');
      assert.ok(decoded.some((text) => text.includes(outputMarker)), 'the output is readable through the codec endpoint');
      // Without a valid token the endpoint refuses (asked directly: the CLI would retry for seconds first).
      const refused = await fetch(`${base}/codec/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer someone-else' },
        body: JSON.stringify({ payloads: [] }),
      });
      assert.equal(refused.status, 403);
    } finally {
      await app.close();
    }
  });

  it('shows code and output through the SDK and `airlock status`, and audits from the encrypted history', async () => {
    const env = {
      ...process.env,
      ...codecEnv,
      TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS,
      TEMPORAL_NAMESPACE: config.TEMPORAL_NAMESPACE,
      AIRLOCK_TASK_QUEUE: config.AIRLOCK_TASK_QUEUE,
      AIRLOCK_HOME: config.home,
    };
    const sdk = await AirlockClient.connect(config, { dataConverter: dataConverterFromEnv(codecEnv) });
    try {
      const state = await sdk.getRun(runId);
      assert.equal(state.actions[0]?.code, code);
      assert.equal(state.actions[0]?.result?.stdout.text, `${outputMarker}\n`);
    } finally {
      await sdk.disconnect();
    }

    const status = await runCli(['status', runId], env);
    assert.equal(status.code, 0, status.stderr);
    assert.ok(status.stdout.includes(outputMarker), `status shows the output:\n${status.stdout}`);
    const firstCodeLine = code.split('\n')[0]!;
    assert.ok(status.stdout.includes(firstCodeLine), `status shows the code:\n${status.stdout}`);
    const statusJson = await runCli(['status', runId, '--json'], env);
    assert.equal(statusJson.code, 0, statusJson.stderr);
    assert.ok(statusJson.stdout.includes(outputMarker));
    assert.equal((JSON.parse(statusJson.stdout) as { actions: { code: string }[] }).actions[0]?.code, code);

    const audit = await runCli(['audit', runId, '--json'], env);
    assert.equal(audit.code, 0, audit.stderr);
    const report = JSON.parse(audit.stdout) as { actions: Array<{ codeSha256?: string; assessed?: { level: string } }> };
    assert.equal(report.actions[0]?.codeSha256, createHash('sha256').update(code).digest('hex'));
    assert.equal(report.actions[0]?.assessed?.level, 'low');

    // Without the keys the audit says what is missing instead of showing an empty report.
    const keyless = await runCli(['audit', runId, '--json'], { ...env, AIRLOCK_CODEC_KEYS: '' });
    assert.equal(keyless.code, 2);
    assert.match(keyless.stderr, /encrypted: set AIRLOCK_CODEC_KEYS/);
  });
});
