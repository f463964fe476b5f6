/**
 * `airlock up` as a user runs it: the embedded stack (its own Temporal dev server with SQLite under AIRLOCK_HOME,
 * workers) is stopped with Ctrl-C while a run waits for approval, started again, and the run is then approved and
 * completes. Nothing about the run may be lost across the restart.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tokenFilePath, TokenStore } from '../../platform/token-store.js';
import { findFreePort } from '../../workers/dev-stack/port-check.js';
import { eventually, runCli, spawnCli, type CliResult } from '../support/cli.js';

const STACK_START_TIMEOUT_MS = 120_000;

describe('airlock up: restart keeps waiting runs', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  let stack: { child: ChildProcess; done: Promise<CliResult> } | undefined;

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'airlock-up-'));
    const temporalPort = await findFreePort('127.0.0.1');
    const uiPort = await findFreePort('127.0.0.1');
    const httpPort = await findFreePort('127.0.0.1');
    env = {
      ...process.env,
      AIRLOCK_HOME: home,
      TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
      LOG_LEVEL: 'warn',
      AIRLOCK_API_URL: `http://127.0.0.1:${httpPort}`,
    };
    // `up` must start its own server: it may not see the test stack's address.
    const upEnv: NodeJS.ProcessEnv = { ...env, AIRLOCK_TEMPORAL_PORT: String(temporalPort), AIRLOCK_UI_PORT: String(uiPort), AIRLOCK_HTTP_PORT: String(httpPort) };
    delete upEnv.TEMPORAL_ADDRESS;
    delete upEnv.AIRLOCK_TASK_QUEUE;
    env.AIRLOCK_TASK_QUEUE = 'airlock';
    startStack = () => {
      stack = spawnCli(['up'], upEnv);
      return stack;
    };
  });
  let startStack: () => { child: ChildProcess; done: Promise<CliResult> };

  after(async () => {
    if (stack && stack.child.exitCode === null) {
      stack.child.kill('SIGINT');
      await stack.done;
    }
    await rm(home, { recursive: true, force: true });
  });

  const stopWithCtrlC = async (): Promise<CliResult> => {
    const current = stack!;
    current.child.kill('SIGINT');
    const result = await current.done;
    stack = undefined;
    return result;
  };

  const waitUntilServing = () =>
    eventually('the stack to answer', async () => ((await runCli(['list', '--json'], env)).code === 0 ? true : undefined), STACK_START_TIMEOUT_MS);

  it('keeps an awaiting run across Ctrl-C and restart, then runs it once approved', async () => {
    startStack();
    await waitUntilServing();

    const codeFile = path.join(home, 'needs-approval.py');
    await writeFile(codeFile, 'import subprocess\nprint(subprocess.run(["echo", "survived-restart"], capture_output=True, text=True).stdout.strip())\n');
    const started = await runCli(['run', codeFile, '--agent', 'restart-agent', '--as', 'alice', '--json'], env);
    assert.equal(started.code, 0, started.stderr);
    const runId = (JSON.parse(started.stdout) as { runId: string }).runId;

    await eventually('the action to await approval', async () => {
      const status = await runCli(['status', runId, '--json'], env);
      const run = JSON.parse(status.stdout) as { actions: { status: string }[] };
      return run.actions[0]?.status === 'awaiting_approval' ? true : undefined;
    });

    const stopped = await stopWithCtrlC();
    assert.equal(stopped.code, 0, `a Ctrl-C stops the stack cleanly (stderr: ${stopped.stderr.slice(-500)})`);
    assert.notEqual((await runCli(['status', runId, '--json'], env)).code, 0, 'nothing answers while the stack is down');

    startStack();
    await waitUntilServing();
    const pending = await runCli(['list', '--pending', '--json'], env);
    assert.match(pending.stdout, new RegExp(runId), 'the waiting run is still listed as pending after the restart');

    // bob decides through the stack's API with his own approver token.
    const bob = new TokenStore(tokenFilePath(home)).create('bob', { roles: ['approver'] }).token;
    const approved = await runCli(['approve', runId, '--reason', 'after restart'], { ...env, AIRLOCK_TOKEN: bob });
    assert.equal(approved.code, 0, approved.stderr);

    const finished = await eventually('the run to finish', async () => {
      const status = await runCli(['status', runId, '--json'], env);
      const run = JSON.parse(status.stdout) as { actions: { status: string; result?: { stdout: string } }[] };
      return run.actions[0]?.status === 'succeeded' ? run : undefined;
    });
    assert.equal(finished.actions[0]?.result?.stdout, 'survived-restart\n');
    const stoppedAgain = await stopWithCtrlC();
    assert.equal(stoppedAgain.code, 0);
  });
});
