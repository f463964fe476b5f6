/**
 * `airlock policy replay` against real history: a few actions go through the real stack (Temporal, workers,
 * Docker), then the recorded history is re-scored under a stricter and a looser candidate policy.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PolicyReplayReport } from '../../cli/policy-replay.js';
import { eventually, runCli } from '../support/cli.js';
import { startRun } from '../support/runs.js';
import { startTestWorkers, uniqueId, type TestWorkers } from '../support/temporal.js';

const LOW_CODE = 'print(sum(range(10)))';
const MEDIUM_CODE = 'import subprocess\nsubprocess.run(["true"])';
const CRITICAL_CODE = 'rm -rf /';

function policyFile(text: string): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'airlock-replay-')), 'candidate.yaml');
  writeFileSync(file, text);
  return file;
}

describe('airlock policy replay', () => {
  let stack: TestWorkers;
  const agent = uniqueId('replay-agent');
  const runIds: Record<'low' | 'medium' | 'critical', string> = { low: '', medium: '', critical: '' };

  before(async () => {
    stack = await startTestWorkers();
    const runs = {
      low: await startRun(stack.client, stack.taskQueue, { agent, actions: [{ language: 'python', code: LOW_CODE }] }),
      // Nobody decides: the wait times out quickly, which is a human gate all the same.
      medium: await startRun(stack.client, stack.taskQueue, { agent, actions: [{ language: 'python', code: MEDIUM_CODE, approvalTimeoutMs: 1_000 }] }),
      critical: await startRun(stack.client, stack.taskQueue, { agent, actions: [{ language: 'bash', code: CRITICAL_CODE }] }),
    };
    const finals = {
      low: await runs.low.result(),
      medium: await runs.medium.result(),
      critical: await runs.critical.result(),
    };
    assert.equal(finals.low.actions[0]?.status, 'succeeded');
    assert.equal(finals.medium.actions[0]?.status, 'timed_out');
    assert.equal(finals.critical.actions[0]?.status, 'denied');
    for (const key of Object.keys(runs) as (keyof typeof runs)[]) runIds[key] = runs[key].workflowId;
  });
  after(async () => {
    await stack?.stop();
  });

  const replay = async (policyText: string): Promise<PolicyReplayReport> =>
    eventually('the runs in visibility', async () => {
      const result = await runCli(['policy', 'replay', policyFile(policyText), '--since', '1h', '--agent', agent, '--json'], stack.env);
      assert.equal(result.code, 0, result.stderr);
      const report = JSON.parse(result.stdout) as PolicyReplayReport;
      return report.runs === 3 ? report : undefined;
    });

  it('reports nothing changing under the policy the runs were judged by', async () => {
    const report = await replay('levels:\n  low:\n    mode: auto\n  medium:\n    mode: human\n  high:\n    mode: human\n    quorum: 2\n  critical:\n    mode: deny\n');
    assert.equal(report.actions, 3);
    assert.deepEqual(report.changed, []);
  });

  it('shows what a stricter policy would hold or deny, with the rule ids on both sides', async () => {
    const report = await replay(
      ['levels:', '  low:', '    mode: human', '  critical:', '    mode: deny', 'analysis:', '  rules:', '    py.subprocess:', '      level: critical', ''].join('\n'),
    );
    assert.equal(report.actions, 3);
    assert.deepEqual(report.changes, { 'auto->human': 1, 'human->deny': 1 });
    const low = report.changed.find((c) => c.runId === runIds.low);
    assert.equal(low?.actionId, 'a1');
    assert.equal(low?.change, 'auto->human');
    assert.deepEqual(low?.before.ruleIds, ['gate.low.auto-approve']);
    assert.deepEqual(low?.after.ruleIds, []);
    const medium = report.changed.find((c) => c.runId === runIds.medium);
    assert.equal(medium?.change, 'human->deny');
    assert.deepEqual([medium?.before.level, medium?.after.level], ['medium', 'critical']);
    assert.deepEqual(medium?.before.ruleIds, ['py.subprocess']);
    assert.deepEqual(medium?.after.ruleIds, ['gate.critical.deny', 'py.subprocess']);
    assert.ok(!report.changed.some((c) => c.runId === runIds.critical), 'a denial stays a denial');
  });

  it('shows what a looser policy would approve without a human', async () => {
    const report = await replay('levels:\n  medium:\n    mode: auto\n');
    assert.deepEqual(report.changes, { 'human->auto': 1 });
    const [medium] = report.changed;
    assert.equal(medium?.runId, runIds.medium);
    assert.equal(medium?.language, 'python');
    assert.deepEqual(medium?.after.ruleIds, ['gate.medium.auto-approve', 'py.subprocess']);
  });

  it('refuses a candidate policy that does not validate, naming the line (exit 2)', async () => {
    const result = await runCli(['policy', 'replay', policyFile('levels:\n  low:\n    mode: sometimes\n'), '--json'], stack.env);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /candidate\.yaml:3:\d+: levels\.low\.mode/);
  });
});
