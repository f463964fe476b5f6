/**
 * Logs never carry secrets: the production worker entry point runs at LOG_LEVEL=trace with canary secrets in its
 * environment (codec key, signing secrets, tokens), real actions run through it (one prints its environment, one
 * fails), and every line it writes is checked: pino JSON, and none contains any canary.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { dataConverterFromEnv } from '../../platform/codec-keys.js';
import { ensureSigningKey } from '../../server/decision-signer.js';
import { decideSigned } from '../support/signed-decision.js';
import { actionIs, startRun, waitForRun } from '../support/runs.js';
import { testConfig } from '../support/temporal.js';

const WORKER_MAIN = fileURLToPath(new URL('../../workers/main.js', import.meta.url));

function canary(name: string): string {
  return `canary-${name}-${randomBytes(8).toString('hex')}`;
}

describe('secrets stay out of logs', () => {
  const codecKey = randomBytes(32).toString('base64');
  const secrets: Record<string, string> = {
    AIRLOCK_CODEC_KEYS: `c1:${codecKey}`,
    AIRLOCK_WEBHOOK_SECRET: canary('webhook'),
    SLACK_SIGNING_SECRET: canary('slack-signing'),
    AIRLOCK_CANARY_TOKEN: canary('token'),
    AWS_SECRET_ACCESS_KEY: canary('aws'),
  };
  const forbidden = [...Object.values(secrets).filter((value) => !value.startsWith('c1:')), codecKey];
  const config = testConfig();
  let worker: ChildProcess;
  let output = '';
  let connection: Connection;
  let client: Client;

  before(async () => {
    // The deciding service's key: the worker's policy trusts it, and the test signs its approval with it.
    ensureSigningKey(config.home);
    worker = spawn(process.execPath, [WORKER_MAIN], {
      env: {
        ...process.env,
        ...secrets,
        TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS,
        TEMPORAL_NAMESPACE: config.TEMPORAL_NAMESPACE,
        AIRLOCK_TASK_QUEUE: config.AIRLOCK_TASK_QUEUE,
        AIRLOCK_HOME: config.home,
        LOG_LEVEL: 'trace',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    worker.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 90_000;
    while (!output.includes('"workers polling"')) {
      if (worker.exitCode !== null) assert.fail(`the worker exited early:\n${output}`);
      if (Date.now() > deadline) assert.fail(`the worker did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
    client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: dataConverterFromEnv(secrets) });
  });
  after(async () => {
    await connection?.close();
    if (worker && worker.exitCode === null) {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.kill('SIGTERM');
      await exited;
    }
  });

  it('writes only pino JSON lines, with run and action bindings, and no canary secret', async () => {
    const handle = await startRun(client, config.AIRLOCK_TASK_QUEUE, {
      actions: [
        { language: 'python', code: 'import os\nprint(sorted(os.environ.items()))' },
        { language: 'python', code: 'raise RuntimeError("boom")' },
      ],
    });
    // Reading the environment is not low risk: a human lets it run so the test can see what the code saw.
    await waitForRun(handle, actionIs('a1', 'awaiting_approval'));
    await decideSigned(handle, config.home, { actionId: 'a1', decision: 'approve', approver: 'bob', channel: 'cli' });
    const run = await handle.result();
    assert.deepEqual(run.actions.map((action) => action.status), ['succeeded', 'failed'], JSON.stringify(run.actions.map((a) => [a.error, a.result?.stderr.text, a.risk?.level])));
    // The sandbox's environment is scrubbed: the code saw none of the worker's secrets.
    for (const value of forbidden) assert.ok(!run.actions[0]!.result!.stdout.text.includes(value), 'a secret reached the sandbox');
    await new Promise((resolve) => setTimeout(resolve, 500));

    const lines = output.split('\n').filter((line) => line.trim() !== '');
    assert.ok(lines.length > 10, 'the worker logged at trace level');
    const records = lines.map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return assert.fail(`not a JSON log line: ${line}`);
      }
    });
    for (const [index, line] of lines.entries()) {
      for (const value of forbidden) assert.ok(!line.includes(value), `log line ${index + 1} contains a secret: ${line}`);
    }
    const actionLines = records.filter((record) => record.runId === handle.workflowId && typeof record.actionId === 'string');
    assert.ok(actionLines.length >= 4, 'action log lines carry runId and actionId');
  });
});
