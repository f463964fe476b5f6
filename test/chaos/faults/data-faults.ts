/**
 * Data faults: 20 `airlock token create` at the same moment, a truncated token file, a full artifact disk (a tiny
 * tmpfs mounted over the suite's artifact folder) and a broken edit of the policy file. Nothing may be lost
 * silently: every token created is kept, a broken file gives a clear error that names it, a full disk fails the
 * action with a clear reason (not a hang, not a half-written artifact), and a broken policy never replaces the one
 * a running run pinned.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { WorkflowHandle } from '@temporalio/client';
import type { RunState } from '../../../schemas/run.js';
import { tokenFilePath, TokenStore } from '../../../platform/token-store.js';
import { actionIs, waitForRun } from '../../support/runs.js';
import { decideSigned } from '../../support/signed-decision.js';
import { NEEDS_HUMAN_MARKER } from '../chaos-policy.js';
import type { Fault, FaultContext, FaultOutcome } from '../fault.js';
import { chaosAction, resultWithin, startChaosRun } from '../chaos-runs.js';

const CLI = fileURLToPath(new URL('../../../cli/main.js', import.meta.url));
const exec = promisify(execFile);
const PARALLEL_TOKENS = 20;
/** Twenty Node processes starting at once on two busy cores take a while; a lock that never frees takes forever. */
const CLI_TIMEOUT_MS = 180_000;
const RESULT_TIMEOUT_MS = 120_000;
/** Far smaller than the 200 KB the action prints: the first artifact write cannot fit. */
const FULL_DISK_SIZE = '64k';

/** Runs the compiled CLI with the suite's settings and `home` as AIRLOCK_HOME; a non-zero exit is returned. */
async function airlock(ctx: FaultContext, home: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const env = { ...ctx.stack.env, AIRLOCK_HOME: home };
    const { stdout, stderr } = await exec(process.execPath, [CLI, ...args], { env, timeout: CLI_TIMEOUT_MS });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: number; killed?: boolean; stdout?: string; stderr?: string };
    const stderr = failed.killed ? `killed after ${CLI_TIMEOUT_MS / 1000} s without finishing` : (failed.stderr ?? '');
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr };
  }
}

const emptyOutcome = (): FaultOutcome => ({ runIds: [], lost: 0, duplicated: 0, notes: [], problems: [] });

const parallelTokens: Fault = {
  name: `${PARALLEL_TOKENS} parallel \`airlock token create\``,
  timeoutMs: 240_000,
  async run(ctx) {
    const outcome = emptyOutcome();
    // A home of its own: this fault runs beside others, and the truncated-file fault must not meet its writes.
    const home = await mkdtemp(path.join(ctx.stack.home, 'tokens-parallel-'));
    const results = await Promise.all(Array.from({ length: PARALLEL_TOKENS }, () => airlock(ctx, home, ['token', 'create', '--as', 'bob'])));
    const store = new TokenStore(tokenFilePath(home));
    const kept = results.filter((r) => r.code === 0 && store.principalFor(r.stdout.trim())?.principal === 'bob').length;
    outcome.lost = PARALLEL_TOKENS - kept;
    const failures = results.filter((r) => r.code !== 0);
    if (failures.length > 0) outcome.problems.push(`${failures.length} creations failed: ${failures[0]!.stderr.trim()}`);
    outcome.notes.push(`${kept} of ${PARALLEL_TOKENS} tokens kept and accepted`);
    // Rows count runs; here each creation is one.
    outcome.runIds.push(...results.map((_, i) => `token-${i}`));
    return outcome;
  },
};

const truncatedTokenFile: Fault = {
  name: 'truncated token file',
  // Three CLI calls beside the twenty of the parallel fault, on two cores.
  timeoutMs: 240_000,
  async run(ctx) {
    const outcome = emptyOutcome();
    const home = await mkdtemp(path.join(ctx.stack.home, 'tokens-truncated-'));
    const file = tokenFilePath(home);
    for (const principal of ['bob', 'carol']) new TokenStore(file).create(principal, { roles: ['approver'] });
    const backup = `${file}.chaos-backup`;
    await copyFile(file, backup);
    try {
      const size = (await readFile(file)).length;
      await truncate(file, Math.floor(size / 2));
      for (const args of [['token', 'list'], ['token', 'create', '--as', 'bob']]) {
        const result = await airlock(ctx, home, args);
        const said = result.stderr.trim().split('\n')[0] ?? '';
        if (result.code === 0) outcome.problems.push(`\`airlock ${args.join(' ')}\` succeeded on a truncated token file`);
        else if (!said.includes(path.basename(file))) outcome.problems.push(`\`airlock ${args.join(' ')}\` did not name the token file: ${said}`);
        else if (/^\s+at /m.test(result.stderr)) outcome.problems.push(`\`airlock ${args.join(' ')}\` printed a stack trace`);
        else outcome.notes.push(`\`${args.join(' ')}\`: ${said}`);
      }
    } finally {
      await copyFile(backup, file);
    }
    const after = await airlock(ctx, home, ['token', 'list']);
    if (after.code !== 0) outcome.problems.push(`the restored token file still fails: ${after.stderr.trim()}`);
    return outcome;
  },
};

const fullArtifactDisk: Fault = {
  name: 'full artifact disk (64 KiB tmpfs as the artifact folder)',
  timeoutMs: 240_000,
  async run(ctx) {
    const outcome = emptyOutcome();
    const artifacts = path.join(ctx.stack.home, 'artifacts');
    await mkdir(artifacts, { recursive: true });
    await exec('mount', ['-t', 'tmpfs', '-o', `size=${FULL_DISK_SIZE}`, 'airlock-chaos-full', artifacts]);
    try {
      const sandbox = await ctx.stack.startWorker('sandbox');
      try {
        const handle = await startChaosRun(ctx, [{ language: 'python', code: 'print("x" * 200_000)' }]);
        outcome.runIds.push(handle.workflowId);
        const action = (await resultWithin(handle, RESULT_TIMEOUT_MS))?.actions[0];
        if (action?.status !== 'failed') {
          outcome.lost++;
          outcome.problems.push(`a run on a full disk ended ${action?.status ?? 'not at all'} (wanted failed with a clear reason)`);
        } else if (!/ENOSPC|no space/i.test(action.error ?? '')) {
          outcome.problems.push(`the failure does not say the disk is full: ${action.error}`);
        } else {
          outcome.notes.push(`failed: ${(action.error ?? '').slice(0, 100)}`);
        }
        const temps = (await readdir(artifacts)).filter((n) => n.startsWith('.tmp-'));
        if (temps.length > 0) outcome.problems.push(`half-written artifacts left on the full disk: ${temps.join(', ')}`);
      } finally {
        await sandbox.signal('SIGTERM');
      }
    } finally {
      await exec('umount', [artifacts]);
    }
    // With room again, the next run works.
    const sandbox = await ctx.stack.startWorker('sandbox');
    try {
      const handle = await startChaosRun(ctx, [{ language: 'python', code: 'print("room again")' }]);
      outcome.runIds.push(handle.workflowId);
      const action = (await resultWithin(handle, RESULT_TIMEOUT_MS))?.actions[0];
      if (action?.status !== 'succeeded') {
        outcome.lost++;
        outcome.problems.push(`after the disk had room again a run ended ${action?.status ?? 'not at all'}: ${action?.error ?? ''}`);
      }
    } finally {
      await sandbox.signal('SIGTERM');
    }
    return outcome;
  },
};

/** How a run ended: whether its code ran, and the reason it gives (the action's error, or the workflow's failure). */
async function endOf(handle: WorkflowHandle, timeoutMs: number): Promise<{ ran: boolean; reason: string } | undefined> {
  const ended = handle.result().then(
    (run: RunState) => ({ ran: run.actions.some((a) => a.status === 'succeeded' || a.status === 'failed'), reason: run.actions[0]?.error ?? run.actions[0]?.status ?? run.status }),
    (err: unknown) => ({ ran: false, reason: failureChain(err) }),
  );
  return Promise.race([ended, sleep(timeoutMs).then(() => undefined)]);
}

/** The messages of an error and its causes (a workflow failure wraps the activity's, which wraps the real one). */
function failureChain(err: unknown): string {
  const messages: string[] = [];
  for (let e: unknown = err; e instanceof Error && messages.length < 5; e = e.cause) messages.push(e.message);
  return messages.join(': ');
}

const brokenPolicyEdit: Fault = {
  name: 'broken policy edit while a run waits for approval',
  timeoutMs: 240_000,
  async run(ctx) {
    const outcome = emptyOutcome();
    const good = await readFile(ctx.policyFile, 'utf8');
    const sandbox = await ctx.stack.startWorker('sandbox');
    try {
      const waiting = await startChaosRun(ctx, [chaosAction({ tag: 'policy-waiting', sleepSec: 0, marker: NEEDS_HUMAN_MARKER })]);
      outcome.runIds.push(waiting.workflowId);
      const before = await waitForRun(waiting, actionIs('a1', 'awaiting_approval'), 60_000);
      const pinned = before.policyVersion;
      await writeFile(ctx.policyFile, `${good}\nlevels: [this is not closed\n`);
      try {
        // A run started now cannot get a policy: it must say so clearly, not hang or run under no policy.
        const fresh = await startChaosRun(ctx, [{ language: 'python', code: 'print("under a broken policy")' }]);
        outcome.runIds.push(fresh.workflowId);
        const ended = await endOf(fresh, RESULT_TIMEOUT_MS);
        if (!ended) {
          outcome.lost++;
          outcome.problems.push('a run started under the broken policy never ended');
        } else if (ended.ran) {
          outcome.problems.push('a run started under the broken policy ran its code');
        } else if (!/policy/i.test(ended.reason)) {
          outcome.problems.push(`a run started under the broken policy ended without saying why: ${ended.reason}`);
        } else {
          outcome.notes.push(`new run refused: ${ended.reason.slice(0, 140)}`);
        }
        // The waiting run keeps the policy it pinned: approved, it runs, and the decision names that version.
        await decideSigned(waiting, ctx.stack.home, { actionId: 'a1', decision: 'approve', approver: 'bob', channel: 'api' });
        const done = await resultWithin(waiting, RESULT_TIMEOUT_MS);
        const action = done?.actions[0];
        if (action?.status !== 'succeeded') {
          outcome.lost++;
          outcome.problems.push(`the waiting run ended ${action?.status ?? 'not at all'} after the broken edit: ${action?.error ?? ''}`);
        } else if (action.decisions.some((d) => d.policyVersion !== pinned)) {
          outcome.problems.push('a decision of the waiting run names another policy version than the one it pinned');
        } else {
          outcome.notes.push('waiting run: approved and ran under its pinned policy');
        }
      } finally {
        await writeFile(ctx.policyFile, good);
      }
    } finally {
      await sandbox.signal('SIGTERM');
    }
    return outcome;
  },
};

/** Need no worker and use homes of their own: they run beside another fault. */
export const TOKEN_FAULTS: Fault[] = [parallelTokens, truncatedTokenFile];
export const DATA_FAULTS: Fault[] = [fullArtifactDisk, brokenPolicyEdit];
