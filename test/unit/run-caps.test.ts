/**
 * Per-run caps: the action that would pass a cap is refused with a clear error, and a carry-over of a run at its
 * caps, every action as large as the schemas allow, stays well below Temporal's 2 MB payload limit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LIMIT_BOUNDS, MAX_CODE_BYTES, resolveLimits } from '../../schemas/action.js';
import { MAX_ALLOW_ENTRIES, MAX_RECORDED_EGRESS_ATTEMPTS, type EgressAttempt } from '../../schemas/network.js';
import type { PolicySnapshot } from '../../schemas/policy.js';
import type { ActionState, RunState } from '../../schemas/run.js';
import { CARRIED_PREVIEW_BUDGET_BYTES, carryOverOf } from '../../workflows/carry-over.js';
import { boundCarryOver, RUN_CAPS, runCapRefusal } from '../../workflows/run-caps.js';

const TEMPORAL_PAYLOAD_LIMIT_BYTES = 2 * 1024 * 1024;
const POLICY = { version: 'v'.repeat(64), gates: {}, approvers: null } as unknown as PolicySnapshot;
const HASH = 'a'.repeat(64);
const AT = '2026-01-01T00:00:00.000Z';

function egress(n: number): EgressAttempt {
  return {
    at: AT,
    method: 'CONNECT',
    host: `host-${n}.some-long-subdomain.example.internal`,
    port: 443,
    verdict: 'denied',
    reason: 'the destination is not on the allowlist of this action: host-x.some-long-subdomain.example.internal:443',
    status: 403,
    bytesSent: 0,
    bytesReceived: 0,
    durationMs: 1,
  };
}

/** An action as large as its schemas allow: full allowlist, the proxy's whole egress record, many findings. */
function largestAction(n: number): ActionState {
  const limits = resolveLimits({ timeoutSec: LIMIT_BOUNDS.timeoutSec.max });
  const preview = { text: 'x'.repeat(4096), inlineComplete: true, bytes: 4096, truncated: false, sha256: HASH };
  return {
    actionId: `a${n}`,
    language: 'python',
    task: 't'.repeat(500),
    code: 'c'.repeat(1024),
    codeSha256: HASH,
    contentSha256: HASH,
    inputFiles: Array.from({ length: 8 }, (_, i) => ({ path: `/workspace/in-${i}.txt`, sha256: HASH, bytes: 1000, preview: 'p'.repeat(512), previewTruncated: true })),
    status: 'succeeded',
    submittedAt: AT,
    updatedAt: AT,
    limits,
    network: { allow: Array.from({ length: MAX_ALLOW_ENTRIES }, (_, i) => `*.destination-${i}.example.com:443`) },
    risk: {
      level: 'medium',
      score: 40,
      findings: Array.from({ length: 200 }, (_, i) => ({ ruleId: `rule-${i}`, description: 'd'.repeat(120), level: 'medium' as const, score: 10, match: 'm'.repeat(80), line: i })),
      ruleIds: ['rule-1', 'rule-2'],
      policyVersion: POLICY.version,
      codeSha256: HASH,
    },
    decisions: [1, 2].map((i) => ({ decision: 'approve' as const, approver: `approver-${i}`, channel: 'ui' as const, reason: 'r'.repeat(200), at: AT, automatic: false, policyVersion: POLICY.version, signerKeyId: HASH, issuedAt: AT })),
    requiredApprovals: 2,
    result: {
      exitCode: 0,
      stdout: preview,
      stderr: preview,
      timedOut: false,
      oomKilled: false,
      durationMs: 1,
      sandbox: { containerId: HASH, containerName: `airlock-run-a${n}-a1-0123456789`, image: 'airlock-sandbox:latest', imageId: `sha256:${HASH}`, runtime: 'runc', limits },
      egress: Array.from({ length: MAX_RECORDED_EGRESS_ATTEMPTS }, (_, i) => egress(i)),
      egressOmitted: 1000,
    },
  };
}

function runAt(actions: ActionState[], ignored = 0): RunState {
  return {
    runId: 'run-caps',
    agent: 'agent',
    requester: 'requester',
    status: 'running',
    closed: false,
    startedAt: AT,
    actions,
    ignoredDecisions: Array.from({ length: ignored }, (_, i) => ({ actionId: `a${i}`, approver: 'mallory', channel: 'api', reason: 'r'.repeat(200), at: AT })),
  };
}

void describe('per-run caps', () => {
  void it('refuses the action past the action cap, saying which cap and what to do', () => {
    const full = runAt(Array.from({ length: RUN_CAPS.actions }, (_, i) => ({ ...largestAction(i), code: '', carriedOver: true })));
    assert.equal(runCapRefusal(runAt(full.actions.slice(1)), { code: 'print(1)' }), undefined);
    assert.equal(
      runCapRefusal(full, { code: 'print(1)' }),
      `run run-caps already has ${RUN_CAPS.actions} actions, the most one run may hold: close it and start a new run`,
    );
  });

  void it('refuses code past the per-execution code cap; carried actions do not count', () => {
    const code = 'x'.repeat(MAX_CODE_BYTES);
    const count = Math.floor(RUN_CAPS.codeBytesPerExecution / MAX_CODE_BYTES);
    const actions = Array.from({ length: count }, (_, i) => ({ ...largestAction(i), code }));
    const refusal = runCapRefusal(runAt(actions), { code: 'print(1)' });
    assert.match(refusal ?? '', new RegExp(`has taken ${count * MAX_CODE_BYTES} bytes of code since it last started over.*${RUN_CAPS.codeBytesPerExecution}-byte cap`));
    assert.equal(runCapRefusal(runAt(actions.map((a) => ({ ...a, code: '', carriedOver: true }))), { code }), undefined);
  });

  void it('keeps the carry-over of a run at its caps below the 2 MB payload limit', () => {
    const state = runAt(Array.from({ length: RUN_CAPS.actions }, (_, i) => largestAction(i)), 10_000);
    const unbounded = Buffer.byteLength(JSON.stringify(carryOverOf(state, POLICY)));
    assert.ok(unbounded > TEMPORAL_PAYLOAD_LIMIT_BYTES, `without the caps the carry-over is ${unbounded} bytes`);
    const carried = boundCarryOver(carryOverOf(state, POLICY));
    const bytes = Buffer.byteLength(JSON.stringify(carried));
    assert.ok(bytes < TEMPORAL_PAYLOAD_LIMIT_BYTES * 0.75, `the bounded carry-over is ${bytes} bytes`);
    // What was dropped is counted, never silently lost; the newest actions keep the most; previews stay within
    // their own budget.
    const oldest = carried.actions[0]!;
    assert.deepEqual([oldest.risk?.findings.length, oldest.result?.egress?.length], [0, 0]);
    assert.equal(oldest.result?.egressOmitted, 1000 + MAX_RECORDED_EGRESS_ATTEMPTS);
    assert.deepEqual([oldest.status, oldest.codeSha256, oldest.decisions.length], ['succeeded', HASH, 2]);
    for (const action of carried.actions) {
      assert.equal((action.result?.egress?.length ?? 0) + (action.result?.egressOmitted ?? 0), 1000 + MAX_RECORDED_EGRESS_ATTEMPTS, 'every attempt is kept or counted');
    }
    assert.equal(carried.ignoredDecisions.length, RUN_CAPS.carriedIgnoredDecisions);
    const previews = carried.actions.reduce((sum, a) => sum + (a.result?.stdout.text.length ?? 0) + (a.result?.stderr.text.length ?? 0), 0);
    assert.ok(previews <= CARRIED_PREVIEW_BUDGET_BYTES);
    console.log(JSON.stringify({ carryOverBytesAtCaps: bytes, unboundedBytes: unbounded }));
  });

  void it('keeps the newest egress attempts and the first findings of a carried action within the budget', () => {
    const carried = boundCarryOver(carryOverOf(runAt([largestAction(1), largestAction(2)]), POLICY));
    const last = carried.actions.at(-1)!;
    assert.equal(last.result?.egress?.length, RUN_CAPS.carriedEgressPerAction);
    assert.equal(last.result?.egressOmitted, 1000 + MAX_RECORDED_EGRESS_ATTEMPTS - RUN_CAPS.carriedEgressPerAction);
    assert.equal(last.result?.egress?.at(-1)?.host, egress(MAX_RECORDED_EGRESS_ATTEMPTS - 1).host, 'the newest attempts stay');
    assert.deepEqual(last.risk?.findings.map((f) => f.ruleId), Array.from({ length: RUN_CAPS.carriedFindingsPerAction }, (_, i) => `rule-${i}`));
    assert.deepEqual(last.risk?.ruleIds, ['rule-1', 'rule-2']);
    assert.equal(last.decisions[0]?.reason, 'r'.repeat(200), 'within the budget, nothing is summarized');
  });
});
