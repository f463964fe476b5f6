/**
 * Two sandbox hosts that share nothing but Temporal and an S3 bucket (SeaweedFS on loopback), a control worker
 * and the API, each with its own state folder: an output produced on host A is served by the API next to host B,
 * and a strong-isolation action waits for the gVisor host instead of landing on the runc-only one.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import Docker from 'dockerode';
import { createLogger } from '../../platform/logger.js';
import { tokenFilePath, TokenStore } from '../../platform/token-store.js';
import { ensureSigningKey } from '../../server/decision-signer.js';
import { startApiServer, type ApiServer } from '../../server/start-api-server.js';
import { LABELS } from '../../sandbox/labels.js';
import { managedContainers } from '../support/docker.js';
import { startTestObjectStore, type TestObjectStore } from '../support/object-store.js';
import { startRun } from '../support/runs.js';
import { runTestWorkers, testConfig, uniqueId } from '../support/temporal.js';

void describe('artifacts and routing across sandbox hosts', { timeout: 1_800_000 }, () => {
  let objects: TestObjectStore;
  const homes: string[] = [];
  const stops: Array<() => Promise<void>> = [];
  const runIds: string[] = [];
  let queue: string;
  let client: Client;
  let connection: Connection;
  let api: ApiServer;
  let token: string;
  let hostB: { stop(): Promise<void> } | undefined;

  const home = async (name: string) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), `airlock-${name}-`));
    homes.push(dir);
    return dir;
  };
  const configFor = (dir: string) => testConfig({ AIRLOCK_HOME: dir, AIRLOCK_TASK_QUEUE: queue });
  const hostEnv = (identity: string, runtimes: string) => ({ ...process.env, ...objects.env, AIRLOCK_WORKER_IDENTITY: identity, AIRLOCK_SANDBOX_RUNTIMES: runtimes });

  before(async () => {
    const info = (await new Docker().info()) as { Runtimes?: Record<string, unknown> };
    assert.ok(Object.keys(info.Runtimes ?? {}).includes('runsc'), 'the set-up registers gVisor (runsc) with the Docker engine');
    objects = await startTestObjectStore();
    queue = uniqueId('airlock-hosts');
    const controlHome = await home('control');
    ensureSigningKey(controlHome);
    const control = await runTestWorkers(configFor(controlHome), { roles: { control: true, sandbox: false }, env: { ...process.env, ...objects.env } });
    stops.push(() => control.stop());
    const hostA = await runTestWorkers(configFor(await home('host-a')), { roles: { control: false, sandbox: true }, env: hostEnv('sandbox-a', 'runc') });
    stops.push(() => hostA.stop());
    const apiHome = await home('api-b');
    const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', name: 'airlock-hosts-test' });
    api = await startApiServer({ config: configFor(apiHome), logger, env: { ...process.env, ...objects.env, AIRLOCK_HTTP_PORT: '0', AIRLOCK_HTTP_HOST: '127.0.0.1' } });
    token = new TokenStore(tokenFilePath(apiHome)).create('alice', { roles: ['agent'] }).token;
    connection = await Connection.connect({ address: configFor(controlHome).TEMPORAL_ADDRESS });
    client = new Client({ connection });
  });

  after(async () => {
    await api?.close();
    await hostB?.stop();
    for (const stop of stops.reverse()) await stop();
    await connection?.close();
    await objects?.stop();
    for (const dir of homes) await rm(dir, { recursive: true, force: true });
    const ours = (await managedContainers()).filter((c) => runIds.includes(c.Labels[LABELS.runId] ?? ''));
    assert.deepEqual(ours, [], 'no Airlock container is left behind');
  });

  void it('serves an output file produced on host A through the API next to host B', async () => {
    const handle = await startRun(client, queue, {
      actions: [{ language: 'python', code: 'open("report.txt", "w").write("made on host A\\n" * 2000)\nprint("done")', outputs: ['report.txt'] }],
    });
    runIds.push(handle.workflowId);
    const action = (await handle.result()).actions[0]!;
    assert.equal(action.status, 'succeeded', action.error ?? action.result?.stderr.text);
    const file = action.result!.outputFiles![0]!;
    assert.equal(file.path, 'report.txt');
    // The preview in history is cut; the artifact is whole.
    const full = 'made on host A\n'.repeat(2000);
    assert.ok(file.preview.length < full.length);
    // Nothing was written to a local folder: not on host A, not next to the API.
    for (const dir of homes) assert.deepEqual(await readdir(path.join(dir, 'artifacts')).catch(() => []), [], `${dir} has no local artifacts`);
    const response = await fetch(`${api.url}/v1/artifacts/${file.sha256}?runId=${encodeURIComponent(handle.workflowId)}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { sha256: string; encoding: string; content: string; bytes: number };
    assert.equal(body.sha256, file.sha256);
    assert.equal(body.content, full);
    const stdout = action.result!.stdout;
    assert.equal(stdout.text, 'done\n');
  });

  void it('keeps a strong-isolation action off the runc-only host until a gVisor host polls', async () => {
    const handle = await startRun(client, queue, { actions: [{ language: 'bash', code: 'echo isolated', isolation: 'strong' }] });
    runIds.push(handle.workflowId);
    // Host A (runc only) is idle and polling; the action must still be waiting for a capable host.
    await sleep(5_000);
    const pending = (await handle.describe()).raw.pendingActivities ?? [];
    assert.equal(pending.length, 1, 'the execution is scheduled');
    assert.equal(pending[0]?.attempt ?? 1, 1);
    assert.ok(!pending[0]?.lastWorkerIdentity, `no host took it yet (got ${pending[0]?.lastWorkerIdentity})`);
    hostB = await runTestWorkers(configFor(await home('host-b')), { roles: { control: false, sandbox: true }, env: hostEnv('sandbox-b', 'runc,runsc') });
    const action = (await handle.result()).actions[0]!;
    assert.equal(action.status, 'succeeded', action.error ?? action.result?.stderr.text);
    assert.equal(action.result?.sandbox.runtime, 'runsc');
    assert.equal(action.result?.stdout.text, 'isolated\n');
  });
});
