/** Input files, output collection, resource accounting and isolation levels, through the agentRun workflow. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { FileArtifactStore } from '../../platform/artifact-store.js';
import { LABELS } from '../../sandbox/labels.js';
import { closeUpdate, submitActionUpdate } from '../../workflows/messages.js';
import { managedContainers } from '../support/docker.js';
import { actionIs, startRun, waitForRun } from '../support/runs.js';
import { startTestWorkers, type TestWorkers } from '../support/temporal.js';
import { decideSigned } from '../support/signed-decision.js';

const HIGH_RISK_CODE = 'import os\nos.system("echo high-risk")';

void describe('action files, accounting and isolation', { timeout: 180_000 }, () => {
  let stack: TestWorkers;
  let store: FileArtifactStore;
  let runscInstalled: boolean;
  const runIds: string[] = [];
  const start: typeof startRun = async (...args) => {
    const handle = await startRun(...args);
    runIds.push(handle.workflowId);
    return handle;
  };

  before(async () => {
    stack = await startTestWorkers();
    store = new FileArtifactStore(path.join(stack.config.home, 'artifacts'));
    const info = (await new Docker().info()) as { Runtimes?: Record<string, unknown> };
    runscInstalled = Object.keys(info.Runtimes ?? {}).includes('runsc');
  });

  after(async () => {
    await stack?.stop();
    // Only this file's runs: other test files may have sandboxes running at the same time.
    const ours = (await managedContainers()).filter((c) => runIds.includes(c.Labels[LABELS.runId] ?? ''));
    assert.deepEqual(ours, [], 'no Airlock container is left behind');
  });

  void it('places input files, collects declared outputs into the artifact store, and accounts for resources', async () => {
    const code = [
      'import os',
      'rows = open("data/in.txt").read().split()',
      'os.makedirs("out", exist_ok=True)',
      'open("out/result.csv", "w").write("\\n".join(r.upper() for r in rows) + "\\n")',
      'open("out/ignored.txt", "w").write("not declared")',
      'os.symlink("/etc/passwd", "out/escape.csv")',
      'print(len(rows))',
    ].join('\n');
    const handle = await start(stack.client, stack.taskQueue, {
      actions: [{ language: 'python', code, files: { 'data/in.txt': 'alpha beta gamma' }, outputs: ['out/*.csv'] }],
    });
    // The symlink to /etc/passwd (the escape the output collector must refuse) is not low risk: a human approves.
    await waitForRun(handle, actionIs('a1', 'awaiting_approval'));
    await decideSigned(handle, stack.config.home, { actionId: 'a1', decision: 'approve', approver: 'bob', channel: 'cli' });
    const run = await handle.result();
    const action = run.actions[0]!;
    assert.equal(action.status, 'succeeded', action.error ?? action.result?.stderr.text);
    const result = action.result!;
    assert.equal(result.stdout.text, '3\n');
    assert.deepEqual(result.outputFiles?.map((f) => f.path), ['out/result.csv']);
    const file = result.outputFiles![0]!;
    assert.equal(file.preview, 'ALPHA\nBETA\nGAMMA\n');
    assert.deepEqual(await store.get(file.sha256), Buffer.from('ALPHA\nBETA\nGAMMA\n'));
    assert.deepEqual(result.skippedOutputs, [{ path: 'out/escape.csv', reason: 'symbolic link (not followed)' }]);

    const usage = result.usage!;
    assert.ok(usage.wallMs > 0 && usage.wallMs === result.durationMs);
    assert.ok(usage.cpuMs !== null && usage.cpuMs > 0, `cpu ${usage.cpuMs}`);
    assert.ok(usage.peakMemoryBytes !== null && usage.peakMemoryBytes > 1024 * 1024, `peak ${usage.peakMemoryBytes}`);
    assert.deepEqual(usage.limitsHit, []);
    assert.equal(action.isolation, 'standard');
    assert.equal(result.sandbox.isolation, 'standard');
    assert.equal(result.sandbox.runtime, 'runc');
  });

  void it('names the limit that was hit', async () => {
    const handle = await start(stack.client, stack.taskQueue, {
      actions: [{ language: 'python', code: 'hog = []\nwhile True:\n    hog.append(b"m" * (8 << 20))', limits: { memoryMb: 64 } }],
    });
    const result = (await handle.result()).actions[0]!.result!;
    assert.equal(result.oomKilled, true);
    assert.deepEqual(result.usage?.limitsHit, ['memory']);
    assert.ok((result.usage?.peakMemoryBytes ?? 0) >= 60 * 1024 * 1024);
  });

  void it('refuses input files that leave /workspace before anything runs', async () => {
    const handle = await start(stack.client, stack.taskQueue, { actions: [], closeWhenDone: false });
    await assert.rejects(
      handle.executeUpdate(submitActionUpdate, { args: [{ language: 'python', code: 'print(1)', files: { '../etc/x': 'y' } }] }),
      (err: Error) => /input file path "\.\.\/etc\/x" has an empty, "\." or "\.\." part/.test(String((err.cause as Error)?.message)),
    );
    await assert.rejects(
      handle.executeUpdate(submitActionUpdate, { args: [{ language: 'python', code: 'print(1)', outputs: ['/etc/*'] }] }),
      (err: Error) => /must be relative to \/workspace/.test(String((err.cause as Error)?.message)),
    );
    const run = await handle.executeUpdate(closeUpdate);
    assert.equal(run.actions.length, 0);
  });

  void it('forces strong isolation for high risk, and records the runtime that ran (or why none could)', async () => {
    const handle = await start(stack.client, stack.taskQueue, { actions: [{ language: 'python', code: HIGH_RISK_CODE }] });
    await waitForRun(handle, actionIs('a1', 'awaiting_approval'));
    for (const approver of ['bob', 'carol']) {
      await decideSigned(handle, stack.config.home, { actionId: 'a1', decision: 'approve', approver, channel: 'cli' });
    }
    const action = (await handle.result()).actions[0]!;
    assert.equal(action.risk?.level, 'high');
    assert.equal(action.isolation, 'strong');
    if (runscInstalled) {
      assert.equal(action.status, 'succeeded', action.error);
      assert.equal(action.result?.sandbox.runtime, 'runsc');
      assert.equal(action.result?.sandbox.isolation, 'strong');
      assert.equal(action.result?.stdout.text, 'high-risk\n');
    } else {
      assert.equal(action.status, 'failed');
      assert.match(action.error ?? '', /strong isolation needs the runsc runtime/);
      assert.equal(action.result, undefined);
    }
  });

  void it('runs strong isolation on request', { skip: false }, async (t) => {
    if (!runscInstalled) {
      t.skip('runsc is not registered with this Docker engine');
      return;
    }
    const handle = await start(stack.client, stack.taskQueue, {
      actions: [{ language: 'bash', code: 'echo "$(uname -r)"', isolation: 'strong' }],
    });
    const action = (await handle.result()).actions[0]!;
    assert.equal(action.status, 'succeeded', action.error);
    assert.equal(action.result?.sandbox.runtime, 'runsc');
    // gVisor reports its own kernel version, not the host's.
    assert.notEqual(action.result?.stdout.text.trim(), (await import('node:os')).release());
  });
});
