/**
 * The `airlock` CLI end to end: the compiled binary is spawned as a user would run it, against a real Temporal
 * server and real workers (in this process) with the real Docker sandbox.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../platform/config.js';
import { ActionRefusedError, DecisionRefusedError, InputError, RunNotFoundError } from '../../client/errors.js';
import { AirlockClient } from '../../client/sdk.js';
import { startDecidingApi, type DecidingApi } from '../support/deciding-api.js';
import { startTestWorkers, uniqueId, type TestWorkers } from '../support/temporal.js';

const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
const SUBPROCESS_CODE =
  'import subprocess\nprint(subprocess.run(["echo", "approved-output"], capture_output=True, text=True).stdout.strip())\n';
/** Longer than the 64 KiB kept inline in history: the full text must come from the artifact store. */
const LARGE_OUTPUT_CODE = 'print("x" * 100000)\nprint("END")\n';

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function startCli(args: string[], env: NodeJS.ProcessEnv, stdin?: string): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin?.end(stdin ?? '');
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done };
}

function cli(args: string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<CliResult> {
  return startCli(args, env, stdin).done;
}

/** Parses stdout as exactly one JSON value (fails on anything else printed there). */
function json<T = Record<string, unknown>>(result: CliResult): T {
  return JSON.parse(result.stdout) as T;
}

async function eventually<T>(what: string, attempt: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await attempt();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * The test stack sets TEMPORAL_ADDRESS. Run on its own (e.g. `node --test` on this file) it starts a private dev
 * server with Airlock's search attributes, and stops it afterwards.
 */
async function ensureTemporal(folder: string): Promise<() => Promise<void>> {
  if (process.env.TEMPORAL_ADDRESS) return async () => undefined;
  const port = await freePort();
  const cliPath = process.env.AIRLOCK_TEMPORAL_CLI ?? 'temporal';
  const server = spawn(
    cliPath,
    [
      'server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port),
      '--db-filename', path.join(folder, 'temporal.db'), '--log-level', 'error',
      '--search-attribute', 'AirlockAgent=Keyword', '--search-attribute', 'AirlockStatus=Keyword',
      '--search-attribute', 'AirlockRisk=Keyword', '--search-attribute', 'AirlockAwaitingApproval=Bool',
    ],
    { stdio: 'ignore' },
  );
  process.env.TEMPORAL_ADDRESS = `127.0.0.1:${port}`;
  return async () => {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    delete process.env.TEMPORAL_ADDRESS;
  };
}

interface RunJson {
  runId: string;
  actions: {
    actionId: string;
    status: string;
    risk: { level: string; score: number; findings: { ruleId: string }[] } | null;
    decisions: { decision: string; approver: string; channel: string; automatic: boolean; ruleIds?: string[]; reason?: string; policyVersion: string }[];
    result?: { exitCode: number | null; stdout: string; stderr: string; stdoutTruncated: boolean; stderrTruncated: boolean; timedOut: boolean; oomKilled: boolean; durationMs: number };
  }[];
}

void describe('airlock CLI against Temporal, workers and Docker', { timeout: 240_000 }, () => {
  let folder: string;
  let stopTemporal: () => Promise<void>;
  let stack: TestWorkers;
  let api: DecidingApi;
  let env: NodeJS.ProcessEnv;
  /** The CLI environment of a person with an approver token: decisions go through the API as them. */
  const as = (principal: string) => ({ ...api.envFor(principal), LOG_LEVEL: 'silent' });

  before(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'airlock-cli-e2e-'));
    stopTemporal = await ensureTemporal(folder);
    stack = await startTestWorkers();
    api = await startDecidingApi(stack);
    env = { ...stack.env, LOG_LEVEL: 'silent', AIRLOCK_API_URL: api.url };
  });

  after(async () => {
    await api?.close();
    await stack?.stop();
    await stopTemporal?.();
    await rm(folder, { recursive: true, force: true });
  });

  async function codeFile(name: string, code: string): Promise<string> {
    const file = path.join(folder, name);
    await writeFile(file, code);
    return file;
  }

  /** The run id of the one pending run of `agent`, once `list --pending` shows it. */
  function pendingRunOf(agent: string): Promise<string> {
    return eventually(`a pending run of ${agent}`, async () => {
      const listed = await cli(['list', '--pending', '--json'], env);
      assert.equal(listed.code, 0, listed.stderr);
      const runs = json<{ runs: { runId: string; agent?: string; awaitingApproval: boolean }[] }>(listed).runs;
      return runs.find((run) => run.agent === agent && run.awaitingApproval)?.runId;
    });
  }

  void it('runs low-risk python with --wait --json: auto-approved by policy with rule ids, stdout returned', async () => {
    const file = await codeFile('sum.py', 'print(sum(range(10)))\n');
    const result = await cli(['run', file, '--wait', '--json', '--agent', uniqueId('agent'), '--as', 'alice'], env);
    assert.equal(result.code, 0, result.stderr);
    const run = json<RunJson>(result);
    assert.match(run.runId, /^run-[a-z2-7]{12}$/);
    assert.equal(run.actions.length, 1);
    const [action] = run.actions;
    assert.equal(action?.status, 'succeeded');
    assert.equal(action?.risk?.level, 'low');
    assert.equal(action?.result?.exitCode, 0);
    assert.equal(action?.result?.stdout, '45\n');
    assert.equal(action?.decisions.length, 1);
    assert.equal(action?.decisions[0]?.approver, 'policy');
    assert.equal(action?.decisions[0]?.automatic, true);
    assert.ok((action?.decisions[0]?.ruleIds ?? []).length > 0, 'the policy decision names its rules');
  });

  void it('returns output longer than the inline preview in full, from the artifact store', async () => {
    const result = await cli(['run', '-', '--lang', 'python', '--wait', '--json', '--as', 'alice'], env, LARGE_OUTPUT_CODE);
    assert.equal(result.code, 0, result.stderr);
    const output = json<RunJson>(result).actions[0]?.result;
    assert.equal(output?.stdout, 'x'.repeat(100_000) + '\nEND\n');
    assert.equal(output?.stdoutTruncated, false);
  });

  void it('holds medium risk for approval: listed as pending, self-approval refused, approval runs it', async () => {
    const agent = uniqueId('agent');
    const file = await codeFile('sub.py', SUBPROCESS_CODE);
    const started = await cli(['run', file, '--json', '--agent', agent, '--as', 'alice', '--task', 'echo via subprocess', '--approval-timeout', '2m'], env);
    assert.equal(started.code, 0, started.stderr);
    const { runId } = json<RunJson>(started);
    assert.equal(await pendingRunOf(agent), runId);

    const waiting = json<RunJson & { status: string }>(await cli(['status', runId, '--json'], env));
    assert.equal(waiting.status, 'awaiting_approval');
    assert.equal(waiting.actions[0]?.risk?.level, 'medium');

    const self = await cli(['approve', runId], as('alice'));
    assert.notEqual(self.code, 0);
    assert.equal(self.stdout, '');
    // One line, the workflow's own reason (its exact wording belongs to the workflow).
    assert.match(self.stderr, /^airlock: [^\n]*may not approve[^\n]*\n$/);

    const approved = await cli(['approve', runId, '--reason', 'only echoes'], as('bob'));
    assert.equal(approved.code, 0, approved.stderr);
    assert.match(approved.stdout, /approved .* a1 as bob/);

    const done = await eventually('the approved action to finish', async () => {
      const status = json<RunJson>(await cli(['status', runId, '--json'], env));
      return status.actions[0]?.status === 'succeeded' || status.actions[0]?.status === 'failed' ? status : undefined;
    });
    const action = done.actions[0];
    assert.equal(action?.status, 'succeeded');
    assert.equal(action?.result?.stdout, 'approved-output\n');
    const human = action?.decisions.find((decision) => !decision.automatic);
    assert.deepEqual(
      { approver: human?.approver, channel: human?.channel, reason: human?.reason },
      { approver: 'bob', channel: 'cli', reason: 'only echoes' },
    );

    const again = await cli(['approve', runId, '--action', 'a1'], as('carol'));
    assert.notEqual(again.code, 0);
    assert.match(again.stderr.trim(), /^airlock: (action a1 is not awaiting approval \(status: succeeded\)|run .* has ended: start a new run)$/);

    const audit = await cli(['audit', runId, '--json'], env);
    assert.equal(audit.code, 0, audit.stderr);
    const report = json<{ actions: { actionId: string; decisions: { approver: string; via: string; at: string }[]; assessed?: { level: string }; execution?: { exitCode: number; stdout: { sha256: string }; sandbox: { containerId: string } } }[] }>(audit);
    const audited = report.actions[0];
    assert.equal(audited?.assessed?.level, 'medium');
    assert.equal(audited?.decisions[0]?.approver, 'bob');
    assert.equal(audited?.decisions[0]?.via, 'update');
    assert.equal(audited?.execution?.exitCode, 0);
    assert.match(audited?.execution?.stdout.sha256 ?? '', /^[0-9a-f]{64}$/);
    assert.ok(audited?.execution?.sandbox.containerId);
    const humanAudit = await cli(['audit', runId], env);
    assert.match(humanAudit.stdout, /approved by bob via cli \(update\), policy [0-9a-f]{12}, signed by key [0-9a-f]{16}/);
    const verified = await cli(['audit', runId, '--verify'], env);
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    assert.match(verified.stdout, /a1 approve by bob via cli \(update #\d+, counted\): key [0-9a-f]{16} \(local\) verified/);
  });

  void it('deny: run --wait ends with status denied and exit code 3', async () => {
    const agent = uniqueId('agent');
    const file = await codeFile('deny.py', SUBPROCESS_CODE);
    const waiting = startCli(['run', file, '--wait', '--json', '--agent', agent, '--as', 'alice', '--approval-timeout', '2m'], env);
    const runId = await pendingRunOf(agent);
    const denied = await cli(['deny', runId, '--reason', 'no subprocesses today'], as('bob'));
    assert.equal(denied.code, 0, denied.stderr);
    const result = await waiting.done;
    assert.equal(result.code, 3, result.stderr);
    const run = json<RunJson>(result);
    assert.equal(run.runId, runId);
    assert.equal(run.actions[0]?.status, 'denied');
    assert.equal(run.actions[0]?.result, undefined, 'a denied action never runs');
  });

  void it('SDK: a session run takes actions by update, waits for them, decides through the API and closes', async () => {
    const client = await AirlockClient.connect(loadConfig(env));
    try {
      const agent = uniqueId('sdk');
      const { runId } = await client.startRun({ agent, requester: 'alice', approvalTimeoutMs: 120_000 });
      const { actionId: first } = await client.submitAction(runId, { language: 'bash', code: 'echo one' });
      const { actionId: second } = await client.submitAction(runId, { language: 'python', code: SUBPROCESS_CODE });
      assert.deepEqual([first, second], ['a1', 'a2']);
      await assert.rejects(client.submitAction(runId, { language: 'ruby' as never, code: 'x' }), InputError);

      const needed = await client.waitForActions(runId, { until: 'decision-needed', timeoutMs: 60_000 });
      assert.equal(needed.actions.find((a) => a.actionId === 'a1')?.status, 'succeeded');
      assert.equal(needed.actions.find((a) => a.actionId === 'a2')?.status, 'awaiting_approval');
      const listed = await eventually('the run listed as awaiting approval', async () => {
        const runs = await client.listRuns({ agent, status: 'awaiting_approval', pendingOnly: true });
        return runs.length > 0 ? runs : undefined;
      });
      assert.deepEqual(listed.map((run) => [run.runId, run.agent, run.highestRisk]), [[runId, agent, 'medium']]);

      const bob = api.tokenFor('bob');
      await assert.rejects(
        client.decide(runId, { actionId: 'a1', decision: 'approve' }, { token: bob }),
        (err: Error) => err instanceof DecisionRefusedError && /a1/.test(err.message),
      );
      const outcome = await client.decide(runId, { actionId: 'a2', decision: 'approve' }, { token: bob });
      assert.equal(outcome.status, 'approved');
      const final = await client.waitForActions(runId, { actionIds: ['a2'], until: 'final', timeoutMs: 60_000 });
      const a2 = final.actions.find((a) => a.actionId === 'a2');
      assert.equal(a2?.status, 'succeeded');
      assert.equal(a2?.result?.stdout.text, 'approved-output\n');

      await client.close(runId);
      await assert.rejects(client.submitAction(runId, { language: 'bash', code: 'echo late' }), ActionRefusedError);
      const ended = await client.waitForRun(runId);
      assert.equal(ended.status, 'completed');
      assert.equal(ended.actions.length, 2);
      assert.deepEqual((await client.getRun(runId)).actions.map((a) => a.status), ['succeeded', 'succeeded']);
      await assert.rejects(client.getRun('run-nosuchrun0000'), RunNotFoundError);
    } finally {
      await client.disconnect();
    }
  });

  void it('an unknown run id is a one-line error', async () => {
    for (const command of [['status', 'run-doesnotexist'], ['approve', 'run-doesnotexist'], ['audit', 'run-doesnotexist']]) {
      const result = await cli(command, command[0] === 'approve' ? as('bob') : env);
      assert.equal(result.code, 4, command.join(' '));
      assert.equal(result.stderr, 'airlock: no run with id run-doesnotexist\n');
    }
  });

  void it('input errors are caught before Temporal is asked, with exit code 2', async () => {
    // An address where nothing listens: none of these may get as far as connecting.
    const offline = { ...env, TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` };
    const missing = await cli(['run', path.join(folder, 'nope.py')], offline);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^airlock: file not found: .*nope\.py\n$/);

    const ruby = await cli(['run', await codeFile('x.rb', 'puts 1')], offline);
    assert.equal(ruby.code, 2);
    assert.match(ruby.stderr, /cannot tell the language of .*x\.rb.*: pass --lang python\|node\|bash/);
    const badLang = await cli(['run', '-', '--lang', 'cobol'], offline, 'x');
    assert.equal(badLang.code, 2);
    assert.match(badLang.stderr, /unknown language "cobol"/);

    const big = await cli(['run', await codeFile('big.py', `# ${'a'.repeat(300 * 1024)}\n`)], offline);
    assert.equal(big.code, 2);
    assert.match(big.stderr, /^airlock: ".*big\.py" is 301 KiB, over the 256 KiB limit/);

    const flag = await cli(['run', 'x.py', '--allow-host', 'example:443'], offline);
    assert.equal(flag.code, 2);
    const command = await cli(['frobnicate'], offline);
    assert.equal(command.code, 2);
    assert.match(command.stderr, /unknown command "frobnicate"/);
  });

  void it('says how to fix an unreachable Temporal', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const result = await cli(['list'], { ...env, TEMPORAL_ADDRESS: address });
    assert.equal(result.code, 4);
    assert.equal(result.stderr, `airlock: Temporal is not reachable at ${address}: start the stack with \`npm run up\`, or set TEMPORAL_ADDRESS\n`);
  });
});
