/**
 * `airlock up` killed outright (power loss, the OOM killer, `kill -9` of its process group) while an action runs,
 * then started again with no flags and no manual step: it must come back by itself (the dev server the dead `up`
 * left running is recognised as its own and stopped cleanly), finish the interrupted run with the right output,
 * and leave nothing of the run behind on the Docker engine.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDockerClient } from '../../sandbox/docker-client.js';
import { LABELS } from '../../sandbox/labels.js';
import { findFreePort } from '../../workers/dev-stack/port-check.js';
import { processFacts, readProcessRecord } from '../../workers/setup/process-record.js';
import { CLI_PATH, eventually, runCli } from '../support/cli.js';

const STACK_START_TIMEOUT_MS = 120_000;
/** Covers the sandbox activity's heartbeat timeout and retry after the kill, on a loaded machine. */
const RUN_FINISH_TIMEOUT_MS = 180_000;
/** Iterations of the action's loop: a few seconds of pure CPU, so the kill lands while it runs. */
const LOOP_ITERATIONS = 60_000_000;

interface Stack {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
}

/** Starts `airlock up` as the leader of its own process group, so the whole group can be killed as one. */
function startUp(env: NodeJS.ProcessEnv): Stack {
  const child = spawn(process.execPath, [CLI_PATH, 'up'], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

void describe('airlock up: SIGKILL of the whole process group mid-run, then a plain restart', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  let upEnv: NodeJS.ProcessEnv;
  let stack: Stack | undefined;
  const docker = createDockerClient();

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'airlock-up-kill-'));
    const temporalPort = await findFreePort('127.0.0.1');
    const uiPort = await findFreePort('127.0.0.1');
    const httpPort = await findFreePort('127.0.0.1');
    // The CLI talks to the stack's own server; `up` itself must not see an address, or it would start none.
    // Cold containers: the test finds the action's container by its run label, which a pooled one cannot carry.
    env = {
      ...process.env,
      AIRLOCK_HOME: home,
      TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
      AIRLOCK_TASK_QUEUE: 'airlock',
      LOG_LEVEL: 'warn',
      AIRLOCK_WARM_POOL: 'off',
    };
    upEnv = { ...env, AIRLOCK_TEMPORAL_PORT: String(temporalPort), AIRLOCK_UI_PORT: String(uiPort), AIRLOCK_HTTP_PORT: String(httpPort) };
    delete upEnv.TEMPORAL_ADDRESS;
    delete upEnv.AIRLOCK_TASK_QUEUE;
  });

  after(async () => {
    if (stack && stack.child.exitCode === null) {
      stack.child.kill('SIGINT');
      await stack.exited;
    }
    // Whatever happened, leave no dev server of this test running.
    const record = await readProcessRecord(path.join(home, 'temporal-dev-server.json'));
    if (record && processFacts(record.pid).alive) process.kill(-record.pid, 'SIGKILL');
    await rm(home, { recursive: true, force: true });
  });

  /** Ready means this very `up` printed its banner (a leftover server answering the CLI proves nothing). */
  const waitUntilServing = (what: string, current: Stack) =>
    eventually(
      what,
      async () => {
        if (current.child.exitCode !== null) throw new Error(`\`up\` exited early: ${current.output().slice(-2000)}`);
        return current.output().includes('Airlock is running.') && (await runCli(['list', '--json'], env)).code === 0 ? true : undefined;
      },
      STACK_START_TIMEOUT_MS,
    );

  void it('comes back by itself and finishes the interrupted run, leaving nothing of it behind', { timeout: 480_000 }, async () => {
    stack = startUp(upEnv);
    await waitUntilServing('the first `up` to answer', stack);

    const codeFile = path.join(home, 'busy.py');
    await writeFile(codeFile, `n = 0\nfor i in range(${LOOP_ITERATIONS}):\n    n += i\nprint('finished', n)\n`);
    const started = await runCli(['run', codeFile, '--agent', 'kill-agent', '--timeout', '120', '--json'], env);
    assert.equal(started.code, 0, started.stderr);
    const runId = (JSON.parse(started.stdout) as { runId: string }).runId;
    const runFilter = { label: [`${LABELS.runId}=${runId}`] };

    // Kill only once the code is really running inside its container.
    await eventually('the action to run in a container', async () => {
      const status = JSON.parse((await runCli(['status', runId, '--json'], env)).stdout) as { actions: { status: string }[] };
      if (status.actions[0]?.status !== 'running') return undefined;
      const containers = await docker.listContainers({ filters: runFilter });
      return containers.length > 0 ? true : undefined;
    });
    const killed = stack;
    process.kill(-killed.child.pid!, 'SIGKILL');
    assert.equal(await killed.exited, null, 'the first `up` died of the signal');
    stack = undefined;

    const leftover = await readProcessRecord(path.join(home, 'temporal-dev-server.json'));
    assert.ok(leftover, 'the first `up` recorded the dev server it started');
    assert.equal(processFacts(leftover.pid).alive, true, 'precondition: the killed `up` left its dev server running');

    stack = startUp(upEnv);
    await waitUntilServing('the second `up` to answer', stack);
    assert.equal(processFacts(leftover.pid).alive, false, 'the leftover dev server was stopped');
    const current = await readProcessRecord(path.join(home, 'temporal-dev-server.json'));
    assert.ok(current && current.pid !== leftover.pid, 'the second `up` runs a dev server of its own');

    // A live stack's server is never taken for a leftover: a third `up` on the same state folder refuses to start.
    const third = await runCli(['up'], upEnv);
    assert.notEqual(third.code, 0);
    assert.match(third.stderr, /another `airlock up` \(pid \d+\) is running on this state folder/);
    assert.equal(processFacts(current.pid).alive, true, 'the refused `up` left the running server alone');

    const expected = `finished ${(LOOP_ITERATIONS * (LOOP_ITERATIONS - 1)) / 2}\n`;
    const finished = await eventually(
      'the interrupted run to finish',
      async () => {
        const status = await runCli(['status', runId, '--json'], env);
        const run = JSON.parse(status.stdout) as { actions: { status: string; result?: { stdout: string } }[] };
        return ['succeeded', 'failed'].includes(run.actions[0]?.status ?? '') ? run : undefined;
      },
      RUN_FINISH_TIMEOUT_MS,
    );
    assert.equal(finished.actions[0]?.status, 'succeeded', stack.output().slice(-2000));
    assert.equal(finished.actions[0]?.result?.stdout, expected);

    await eventually('the run to leave nothing on the engine', async () => {
      const containers = await docker.listContainers({ all: true, filters: runFilter });
      const volumes = (await docker.listVolumes({ filters: runFilter })).Volumes ?? [];
      const networks = await docker.listNetworks({ filters: runFilter });
      return containers.length + volumes.length + networks.length === 0 ? true : undefined;
    });

    const second = stack;
    second.child.kill('SIGINT');
    assert.equal(await second.exited, 0, `a Ctrl-C stops the restarted stack cleanly: ${second.output().slice(-1000)}`);
    stack = undefined;
    assert.equal(processFacts(current.pid).alive, false, 'the restarted stack stopped its dev server');
    assert.equal(await readProcessRecord(path.join(home, 'temporal-dev-server.json')), undefined, 'and removed its record');
  });
});
