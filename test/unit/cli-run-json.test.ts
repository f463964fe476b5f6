import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shapeRunJson, shapeRunStatusJson, startedRunJson } from '../../cli/run-json.js';
import { renderRun } from '../../cli/render-run.js';
import type { CapturedOutput } from '../../schemas/execution.js';
import type { ActionState, RunState } from '../../schemas/run.js';

const LIMITS = { timeoutSec: 30, memoryMb: 256, cpus: 1, pids: 128, outputBytes: 1_048_576 };

function output(text: string, extra: Partial<CapturedOutput> = {}): CapturedOutput {
  return { text, inlineComplete: true, bytes: text.length, truncated: false, sha256: 'f'.repeat(64), ...extra };
}

const finished: ActionState = {
  actionId: 'a1',
  language: 'python',
  code: 'print("hi")',
  codeSha256: 'c'.repeat(64),
  status: 'succeeded',
  submittedAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:02.000Z',
  limits: LIMITS,
  risk: { level: 'low', score: 0, findings: [], ruleIds: [], policyVersion: 'p1', codeSha256: 'c'.repeat(64) },
  decisions: [
    { decision: 'approve', approver: 'policy', channel: 'policy', at: '2025-01-01T00:00:01.000Z', automatic: true, ruleIds: ['gate.auto.low'], policyVersion: 'p1', reason: 'low risk is approved by policy' },
  ],
  requiredApprovals: 0,
  result: {
    exitCode: 0,
    stdout: output('hi\n'),
    stderr: output('', { bytes: 0, truncated: true, inlineComplete: false }),
    timedOut: false,
    oomKilled: false,
    durationMs: 420,
    sandbox: { containerId: 'abc', containerName: 'airlock-x', image: 'img', imageId: 'sha256:1', runtime: 'runc', limits: LIMITS },
  },
};

const pending: ActionState = {
  ...finished,
  actionId: 'a2',
  status: 'awaiting_approval',
  risk: {
    level: 'medium', score: 40, ruleIds: ['py.subprocess'], policyVersion: 'p1', codeSha256: 'd'.repeat(64),
    findings: [{ ruleId: 'py.subprocess', description: 'starts a process', level: 'medium', score: 40, match: 'subprocess', line: 1 }],
  },
  decisions: [],
  requiredApprovals: 1,
  approvalDeadline: '2025-01-01T00:15:00.000Z',
  result: undefined,
};

const state: RunState = {
  runId: 'run-abcdefghijkl',
  agent: 'cli',
  requester: 'alice',
  status: 'awaiting_approval',
  highestRisk: 'medium',
  closed: false,
  startedAt: '2025-01-01T00:00:00.000Z',
  actions: [finished, pending],
  ignoredDecisions: [],
};

void test('run --json shape: one object with runId and the actions', () => {
  const json = shapeRunJson(state);
  assert.deepEqual(Object.keys(json), ['runId', 'actions']);
  assert.deepEqual(json.actions[0], {
    actionId: 'a1',
    status: 'succeeded',
    risk: { level: 'low', score: 0, findings: [] },
    decisions: finished.decisions,
    result: {
      exitCode: 0,
      stdout: 'hi\n',
      stderr: '',
      stdoutTruncated: false,
      stderrTruncated: true,
      timedOut: false,
      oomKilled: false,
      durationMs: 420,
      runtime: 'runc',
    },
  });
  assert.equal(json.actions[1]?.result, undefined);
  assert.equal(json.actions[1]?.risk?.findings[0]?.ruleId, 'py.subprocess');
  // Survives a JSON round trip unchanged (no undefined-only surprises for consumers).
  assert.deepEqual(JSON.parse(JSON.stringify(json)).actions[0].result.stdout, 'hi\n');
});

void test('an action not yet assessed has risk null, and an error when it failed without a result', () => {
  const received: ActionState = { ...pending, status: 'failed', risk: undefined, error: 'sandbox image missing' };
  const json = shapeRunJson({ runId: 'run-x', actions: [received] });
  assert.equal(json.actions[0]?.risk, null);
  assert.equal(json.actions[0]?.error, 'sandbox image missing');
});

void test('status --json adds the run fields', () => {
  const json = shapeRunStatusJson(state);
  assert.equal(json.status, 'awaiting_approval');
  assert.equal(json.highestRisk, 'medium');
  assert.equal(json.requester, 'alice');
  assert.equal(json.actions.length, 2);
});

void test('human output: a status line per action, decisions, findings, output and how to decide', () => {
  const text = renderRun(state);
  assert.match(text, /^run-abcdefghijkl {2}awaiting_approval {2}risk medium {2}agent cli {2}requester alice$/m);
  assert.match(text, /^a1 {2}succeeded {2}risk low \(score 0\)$/m);
  assert.match(text, /approved by policy at 2025-01-01T00:00:01.000Z \[rules: gate.auto.low\]/);
  assert.match(text, /exit 0 after 420 ms/);
  assert.match(text, /stdout:\n {6}hi/);
  assert.match(text, /^a2 {2}awaiting_approval {2}risk medium \(score 40\)$/m);
  assert.match(text, /finding py.subprocess \(medium, line 1\): starts a process/);
  assert.match(text, /airlock approve run-abcdefghijkl --action a2 {3}\(or: airlock deny/);
});

void test('run --json without --wait: the run as submitted', () => {
  assert.deepEqual(startedRunJson('run-x', 1), {
    runId: 'run-x',
    actions: [{ actionId: 'a1', status: 'received', risk: null, decisions: [] }],
  });
});

const SHA = 'e'.repeat(64);
const withOutputs: ActionState = {
  ...finished,
  isolation: 'strong',
  result: {
    ...finished.result!,
    sandbox: { ...finished.result!.sandbox, runtime: 'runsc', isolation: 'strong' },
    outputFiles: [{ path: 'out/result.csv', sha256: SHA, bytes: 12, preview: 'a,b\n' }],
    skippedOutputs: [{ path: 'out/escape.csv', reason: 'symbolic link (not followed)' }],
  },
};

void test('--json lists collected output files (no preview) and the runtime that ran', () => {
  const result = shapeRunJson({ runId: 'run-x', actions: [withOutputs] }).actions[0]?.result;
  assert.equal(result?.runtime, 'runsc');
  assert.equal(result?.isolation, 'strong');
  assert.deepEqual(result?.outputFiles, [{ path: 'out/result.csv', bytes: 12, sha256: SHA }]);
  assert.deepEqual(result?.skippedOutputs, [{ path: 'out/escape.csv', reason: 'symbolic link (not followed)' }]);
});

void test('human output: output files with size, sha256 and how to fetch them; strong isolation named', () => {
  const text = renderRun({ ...state, actions: [withOutputs] });
  assert.match(text, /^ {4}isolation strong \(runsc\)$/m);
  assert.match(text, /airlock artifact <sha256>/);
  assert.match(text, new RegExp(`^ {6}out/result\\.csv {2}12 bytes {2}sha256 ${SHA}$`, 'm'));
  assert.match(text, /output not collected: out\/escape\.csv \(symbolic link \(not followed\)\)/);
  assert.doesNotMatch(renderRun(state), /output files|isolation/);
});
