/** Network allowlists through the agentRun workflow: risk, approval, the egress record in history, clean-up. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import Docker from 'dockerode';
import { LABELS, MANAGED_LABEL_FILTER } from '../../sandbox/labels.js';
import { NETWORK_RULE_IDS } from '../../policy/network-risk.js';
import { PRIVATE_DESTINATION_RULE_IDS } from '../../policy/private-destination-risk.js';
import { closeUpdate, submitActionUpdate } from '../../workflows/messages.js';
import { containersCreatedForRun } from '../support/docker.js';
import { startLocalServer, type LocalServer } from '../support/egress-servers.js';
import { writePrivateDestinationsPolicy } from '../support/private-destinations-policy.js';
import { actionIs, startRun, waitForRun } from '../support/runs.js';
import { startDecidingApi } from '../support/deciding-api.js';
import { startTestWorkers, type TestWorkers } from '../support/temporal.js';
import { decideSigned } from '../support/signed-decision.js';

const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
const execCli = promisify(execFile);

/** Runs the compiled `airlock` CLI; a non-zero exit is returned, not thrown. */
async function airlock(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execCli(process.execPath, [CLI, ...args], { env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

void describe('agentRun with a network allowlist', { timeout: 180_000 }, () => {
  let stack: TestWorkers;
  let listed: LocalServer;
  let unlisted: LocalServer;
  const runIds: string[] = [];

  let policyDir: string;

  before(async () => {
    // The servers are on this machine's loopback: the policy names it as a private destination, as local
    // development would. Without that the proxy (and the risk rules, for literal entries) refuse loopback.
    policyDir = await mkdtemp(path.join(tmpdir(), 'airlock-egress-run-policy-'));
    const policy = await writePrivateDestinationsPolicy(policyDir, ['127.0.0.1', 'localhost']);
    [stack, listed, unlisted] = await Promise.all([
      startTestWorkers({ env: { ...process.env, AIRLOCK_POLICY: policy } }),
      startLocalServer('listed'),
      startLocalServer('unlisted'),
    ]);
  });
  after(async () => {
    await stack?.stop();
    await Promise.all([listed?.close(), unlisted?.close()]);
    await rm(policyDir, { recursive: true, force: true });
    // Scoped to this file's runs: other test files may have sandboxes of their own at the same time.
    const docker = new Docker();
    for (const runId of runIds) {
      const filters = { label: [MANAGED_LABEL_FILTER, `${LABELS.runId}=${runId}`] };
      assert.deepEqual((await docker.listContainers({ all: true, filters })).map((c) => c.Names), [], 'no container is left behind');
      assert.deepEqual((await docker.listNetworks({ filters })).map((n) => n.Name), [], 'no egress network is left behind');
    }
  });

  void it('needs a human, then reaches only the listed server, and keeps every attempt in the action record', async () => {
    const code = [
      'import urllib.request, urllib.error',
      'for url in [',
      `    "http://127.0.0.1:${listed.port}/from-run",`,
      `    "http://127.0.0.1:${unlisted.port}/from-run",`,
      '    "http://example.com/",',
      ']:',
      '    try:',
      '        print(urllib.request.urlopen(url, timeout=10).read().decode())',
      '    except urllib.error.HTTPError as e:',
      '        print(e.code)',
    ].join('\n');
    const handle = await startRun(stack.client, stack.taskQueue, {
      actions: [{ language: 'python', code, network: { allow: [`127.0.0.1:${listed.port}`] } }],
    });
    runIds.push(handle.workflowId);
    const waiting = await waitForRun(handle, actionIs('a1', 'awaiting_approval'));
    const assessed = waiting.actions[0]!;
    assert.equal(assessed.risk?.level, 'medium', 'network access alone makes an action medium risk');
    assert.ok(assessed.risk?.ruleIds.includes(NETWORK_RULE_IDS.egressRequested));
    assert.deepEqual(assessed.network, { allow: [`127.0.0.1:${listed.port}`] });

    await decideSigned(handle, stack.config.home, { actionId: 'a1', decision: 'approve', approver: 'bob', channel: 'cli' });
    const run = await handle.result();
    const action = run.actions[0]!;
    assert.equal(action.status, 'succeeded', action.error ?? action.result?.stderr.text);
    assert.equal(action.result?.stdout.text, 'listed GET /from-run\n403\n403\n');
    assert.deepEqual(
      action.result?.egress?.map((a) => [a.method, a.host, a.port, a.verdict]),
      [
        ['GET', '127.0.0.1', listed.port, 'allowed'],
        ['GET', '127.0.0.1', unlisted.port, 'denied'],
        ['GET', 'example.com', 80, 'denied'],
      ],
    );
    assert.deepEqual(listed.requests, ['GET /from-run']);
    assert.deepEqual(unlisted.requests, []);
  });

  void it('takes --allow-host on the CLI and shows the egress record in status --json and audit', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'airlock-egress-cli-'));
    try {
      const file = path.join(dir, 'fetch.py');
      await writeFile(
        file,
        [
          'import urllib.request, urllib.error',
          `print(urllib.request.urlopen("http://127.0.0.1:${listed.port}/from-cli", timeout=10).read().decode())`,
          'try:',
          `    urllib.request.urlopen("http://127.0.0.1:${unlisted.port}/from-cli", timeout=10)`,
          'except urllib.error.HTTPError as e:',
          '    print(e.code)',
        ].join('\n'),
      );
      const started = await airlock(['run', file, '--as', 'alice', '--allow-host', `127.0.0.1:${listed.port}`], stack.env);
      assert.equal(started.code, 0, started.stderr);
      const runId = started.stdout.trim();
      runIds.push(runId);
      const handle = stack.client.workflow.getHandle(runId);
      await waitForRun(handle, actionIs('a1', 'awaiting_approval'));
      const api = await startDecidingApi(stack);
      const approved = await airlock(['approve', runId], api.envFor('bob')).finally(() => api.close());
      assert.equal(approved.code, 0, approved.stderr);
      await handle.result();

      const status = await airlock(['status', runId, '--json'], stack.env);
      assert.equal(status.code, 0, status.stderr);
      const action = (JSON.parse(status.stdout) as { actions: { network?: unknown; egress?: { host: string; port: number; verdict: string }[]; result?: { stdout: string } }[] }).actions[0];
      assert.deepEqual(action?.network, { allow: [`127.0.0.1:${listed.port}`] });
      assert.equal(action?.result?.stdout, 'listed GET /from-cli\n403\n');
      assert.deepEqual(action?.egress?.map((a) => `${a.host}:${a.port} ${a.verdict}`), [
        `127.0.0.1:${listed.port} allowed`,
        `127.0.0.1:${unlisted.port} denied`,
      ]);

      const audit = await airlock(['audit', runId], stack.env);
      assert.equal(audit.code, 0, audit.stderr);
      assert.match(audit.stdout, /egress: 2 attempts through the proxy/);
      assert.match(audit.stdout, new RegExp(`allowed 200 GET 127\\.0\\.0\\.1:${listed.port}, \\d+ B sent, \\d+ B received`));
      assert.match(audit.stdout, new RegExp(`denied 403 GET 127\\.0\\.0\\.1:${unlisted.port}, 0 B sent, 0 B received: .*not on this action's allowlist`));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  void it('denies by policy, without a container, an action that lists a denylisted host or too many', async () => {
    const since = Date.now();
    const tooMany = Array.from({ length: 17 }, (_, i) => `127.0.0.1:${20_000 + i}`);
    const handle = await startRun(stack.client, stack.taskQueue, {
      actions: [
        { language: 'python', code: 'print(1)', network: { allow: ['metadata.google.internal:80'] } },
        { language: 'python', code: 'print(2)', network: { allow: tooMany } },
        // Private but not named by this policy's privateDestinations (only loopback is): denied, never tried.
        { language: 'python', code: 'print(3)', network: { allow: ['10.20.30.40:5432', '[fd00::5]:5432'] } },
        // Opted in as loopback, but Temporal's frontend port: the control plane, however it is approved.
        { language: 'python', code: 'print(4)', network: { allow: ['127.0.0.1:7233'] } },
        { language: 'python', code: 'print(5)', network: { allow: ['[::ffff:7f00:1]:7233'] } },
      ],
    });
    runIds.push(handle.workflowId);
    const run = await handle.result();
    const [denylisted, crowded, unlistedPrivate, temporal, temporalMapped] = run.actions;
    assert.equal(unlistedPrivate?.status, 'denied');
    assert.ok(unlistedPrivate?.decisions[0]?.ruleIds?.includes(PRIVATE_DESTINATION_RULE_IDS.privateDestination));
    for (const action of [temporal, temporalMapped]) {
      assert.equal(action?.status, 'denied');
      assert.ok(action?.decisions[0]?.ruleIds?.includes(PRIVATE_DESTINATION_RULE_IDS.controlPlane));
    }
    assert.deepEqual(temporalMapped?.network, { allow: ['127.0.0.1:7233'] }, 'an IPv4 address in IPv6 form is recorded as itself');
    assert.equal(denylisted?.status, 'denied');
    assert.equal(denylisted?.risk?.level, 'critical');
    assert.ok(denylisted?.decisions[0]?.ruleIds?.includes(NETWORK_RULE_IDS.deniedHost));
    assert.equal(crowded?.status, 'denied');
    assert.ok(crowded?.decisions[0]?.ruleIds?.includes(NETWORK_RULE_IDS.tooManyHosts));
    assert.equal(await containersCreatedForRun(handle.workflowId, since), 0);
  });

  void it('refuses malformed allowlists and strong isolation with network at submission, with clear messages', async () => {
    const handle = await startRun(stack.client, stack.taskQueue, { closeWhenDone: false });
    const refusal = async (action: Record<string, unknown>): Promise<string> => {
      try {
        await handle.executeUpdate(submitActionUpdate, { args: [{ language: 'python', code: 'print(1)', ...action } as never] });
      } catch (err) {
        assert.ok(err instanceof WorkflowUpdateFailedError);
        return (err.cause as Error).message;
      }
      assert.fail('the action should have been refused');
    };
    assert.match(await refusal({ network: { allow: ['api.example.com'] } }), /the port is missing/);
    assert.match(await refusal({ network: { allow: ['a.*.example.com:443'] } }), /wildcard may only replace the leftmost label/);
    assert.match(await refusal({ network: { allow: [':443'] } }), /the host is empty/);
    assert.match(await refusal({ network: { allow: ['169.254.169.254:80'] } }), /link-local .* can never be allowed/);
    assert.match(
      await refusal({ isolation: 'strong', network: { allow: ['127.0.0.1:80'] } }),
      /network access is not available with strong isolation yet/,
    );
    await handle.executeUpdate(closeUpdate);
    await handle.result();
  });
});
