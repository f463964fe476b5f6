/**
 * A sandbox worker killed with SIGKILL in the middle of an execution. Without network (at least once): after a new
 * worker starts, the retry runs the code in a container of its own, the result records both attempts, the audit
 * shows them, and no container is left behind. With network (at most once): the retry does not run the code again
 * (a loopback counter the code calls counts one execution), the action fails saying why, and nothing is left behind.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import Docker from 'dockerode';
import { LABELS, MANAGED_LABEL_FILTER } from '../../sandbox/labels.js';
import { createLogger } from '../../platform/logger.js';
import { runWorkers } from '../../workers/run-workers.js';
import { getRunQuery } from '../../workflows/messages.js';
import { runCli } from '../support/cli.js';
import { managedContainers } from '../support/docker.js';
import { startLocalServer, type LocalServer } from '../support/egress-servers.js';
import { writePrivateDestinationsPolicy } from '../support/private-destinations-policy.js';
import { actionIs, startRun, waitForRun } from '../support/runs.js';
import { testConfig, workflowBundle } from '../support/temporal.js';

const docker = new Docker();
const WORKER_MAIN = fileURLToPath(new URL('../../workers/main.js', import.meta.url));
/** Long enough to be killed mid-way, short enough to keep the test quick. */
const CODE = 'import time\nprint("started", flush=True)\ntime.sleep(6)\nprint("finished")';

function startSandboxWorker(env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [WORKER_MAIN, '--role', 'sandbox'], { env: { ...env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'inherit'] });
}

async function containersOfRun(runId: string) {
  return (await managedContainers()).filter((c) => c.Labels[LABELS.runId] === runId);
}

void describe('a sandbox worker killed mid-execution', { timeout: 180_000 }, () => {
  const config = testConfig();
  const abort = new AbortController();
  let controlWorkers: Promise<void>;
  let client: Client;
  let connection: Connection;
  const children: ChildProcess[] = [];
  // Cold containers: this test finds the action's container by its run label, which a pooled container (created
  // before the run) cannot carry. Pooled containers under a dead worker: test/integration/warm-pool.test.ts.
  const env = {
    ...process.env,
    AIRLOCK_TASK_QUEUE: config.AIRLOCK_TASK_QUEUE,
    AIRLOCK_HOME: config.home,
    TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS,
    AIRLOCK_WARM_POOL: 'off',
  };
  let counter: LocalServer;
  let policyDir: string;

  before(async () => {
    // The counter is on loopback, which the policy names as a private destination; medium risk (network) is
    // approved by the policy here, so that no human step sits between the kill and the retry.
    counter = await startLocalServer('counter');
    policyDir = await mkdtemp(path.join(tmpdir(), 'airlock-sigkill-policy-'));
    const policyFile = await writePrivateDestinationsPolicy(policyDir, ['127.0.0.1']);
    const policy = YAML.parse(await readFile(policyFile, 'utf8')) as { levels: Record<string, unknown> };
    // A loopback destination scores above low; any level short of critical runs without a human here.
    policy.levels.medium = { mode: 'auto' };
    policy.levels.high = { mode: 'auto' };
    await writeFile(policyFile, YAML.stringify(policy));
    let ready!: () => void;
    const readyPromise = new Promise<void>((resolve) => (ready = resolve));
    controlWorkers = runWorkers({
      config,
      logger: createLogger({ level: 'warn', name: 'airlock-test' }),
      signal: abort.signal,
      roles: { control: true, sandbox: false },
      env: { ...process.env, AIRLOCK_POLICY: path.join(policyDir, 'private-destinations.policy.yaml') },
      workflowBundle: await workflowBundle(),
      onReady: ready,
    });
    await Promise.race([readyPromise, controlWorkers]);
    connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
    client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  });

  after(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    abort.abort();
    await controlWorkers;
    await connection?.close();
    await counter?.close();
    await rm(policyDir, { recursive: true, force: true });
  });

  /** `airlock audit <runId>` as a user runs it; its text output. */
  async function auditOf(runId: string): Promise<string> {
    const result = await runCli(['audit', runId], { ...env, TEMPORAL_NAMESPACE: config.TEMPORAL_NAMESPACE });
    assert.equal(result.code, 0, `airlock audit failed: ${result.stderr}`);
    return result.stdout;
  }

  /** Waits until the run has a container, lets the code run for a while, then SIGKILLs the worker. */
  async function killMidExecution(worker: ChildProcess, runId: string, ready: () => boolean): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (((await containersOfRun(runId)).length === 0 || !ready()) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const state = await client.workflow.getHandle(runId).query(getRunQuery);
    assert.equal((await containersOfRun(runId)).length, 1, `the first worker started a container: ${JSON.stringify(state.actions[0]?.status)} ${state.actions[0]?.error ?? ''}`);
    assert.ok(ready(), 'the code reached its point');
    worker.kill('SIGKILL');
    await new Promise((resolve) => worker.once('exit', resolve));
  }

  void it('completes the run once, on a new worker, and leaves no container', async () => {
    const first = startSandboxWorker(env);
    children.push(first);
    const handle = await startRun(client, config.AIRLOCK_TASK_QUEUE, { actions: [{ language: 'python', code: CODE }] });
    await waitForRun(handle, actionIs('a1', 'running'), 60_000);

    // Wait until the code is really running in a container owned by the first worker, then kill that worker.
    const deadline = Date.now() + 30_000;
    while ((await containersOfRun(handle.workflowId)).length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal((await containersOfRun(handle.workflowId)).length, 1, 'the first worker started a container');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    // Its container may already be gone: any sandbox worker sharing this home sees the owner's lease go dead at once
    // and reaps it (the retry below never touches it).

    const second = startSandboxWorker(env);
    children.push(second);
    const run = await handle.result();
    const action = run.actions[0]!;
    assert.equal(action.status, 'succeeded');
    assert.equal(action.result?.stdout.text, 'started\nfinished\n');

    // Exactly one execution recorded: one executeCode activity, completed once, by a retry of the lost attempt.
    const events = (await handle.fetchHistory()).events ?? [];
    const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'executeCode');
    assert.equal(scheduled.length, 1);
    const scheduledId = Number(scheduled[0]!.eventId);
    const completions = events.filter((e) => Number(e.activityTaskCompletedEventAttributes?.scheduledEventId) === scheduledId);
    assert.equal(completions.length, 1, 'exactly one successful execution');
    const started = events.find((e) => Number(e.activityTaskStartedEventAttributes?.scheduledEventId) === scheduledId);
    assert.ok((started?.activityTaskStartedEventAttributes?.attempt ?? 0) >= 2, 'the success came from the retry, not the killed attempt');
    // Every attempt is in the recorded result: the killed one (its container had started) and the one that finished.
    const attempts = action.result?.attempts ?? [];
    assert.deepEqual(attempts.map((a) => a.outcome), ['lost-after-start', 'completed']);
    assert.notEqual(attempts[0]!.containerName, attempts[1]!.containerName, 'each attempt has its own container');
    assert.ok(attempts[0]!.containerId && attempts[0]!.startedAt, 'the lost attempt is recorded with its container and start');
    // The audit a person reads: the `airlock audit` command, from the recorded history.
    const audit = await auditOf(handle.workflowId);
    assert.match(audit, /attempt 1: lost-after-start \(reached started\), container airlock-/, audit);
    assert.match(audit, /attempt 2: completed \(reached finished\), container airlock-/, audit);
    assert.ok(audit.includes(attempts[0]!.containerName) && audit.includes(attempts[1]!.containerName), `both containers are named: ${audit}`);

    assert.deepEqual(await containersOfRun(handle.workflowId), [], 'no container is orphaned');
    const { Volumes: volumes } = await docker.listVolumes({
      filters: { label: [MANAGED_LABEL_FILTER, `${LABELS.runId}=${handle.workflowId}`] },
    });
    assert.deepEqual((volumes ?? []).map((v) => v.Name), [], 'no code volume is orphaned');
    second.kill('SIGTERM');
    await new Promise((resolve) => second.once('exit', resolve));
  });

  void it('does not run an action with network again after its worker was killed mid-execution', async () => {
    const first = startSandboxWorker(env);
    children.push(first);
    const path_ = `/hit-${Date.now()}`;
    const code = [
      'import time, urllib.request',
      `print(urllib.request.urlopen("http://127.0.0.1:${counter.port}${path_}", timeout=10).read().decode(), flush=True)`,
      'time.sleep(8)',
      'print("finished")',
    ].join('\n');
    const handle = await startRun(client, config.AIRLOCK_TASK_QUEUE, {
      actions: [{ language: 'python', code, network: { allow: [`127.0.0.1:${counter.port}`] } }],
    });
    const hits = () => counter.requests.filter((r) => r.includes(path_)).length;
    await killMidExecution(first, handle.workflowId, () => hits() === 1);

    const second = startSandboxWorker(env);
    children.push(second);
    const run = await handle.result();
    const action = run.actions[0]!;
    assert.equal(action.status, 'failed');
    assert.match(action.error ?? '', /at most once/);
    assert.equal(hits(), 1, 'the code ran exactly once');

    const audit = await auditOf(handle.workflowId);
    assert.match(audit, /attempt 1: lost-after-start \(reached started\), container airlock-/, audit);
    assert.doesNotMatch(audit, /attempt 2:/, 'the refused retry ran nothing, so it is no attempt of the code');
    // The orphan of the killed worker goes when the new worker's reaper sees its owner gone.
    const deadline = Date.now() + 90_000;
    while ((await containersOfRun(handle.workflowId)).length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    assert.deepEqual(await containersOfRun(handle.workflowId), [], 'no container is orphaned');
    const networks = await docker.listNetworks({ filters: { label: [MANAGED_LABEL_FILTER, `${LABELS.runId}=${handle.workflowId}`] } });
    assert.deepEqual(networks.map((n) => n.Name), [], 'no egress network is orphaned');
    second.kill('SIGTERM');
    await new Promise((resolve) => second.once('exit', resolve));
  });
});
