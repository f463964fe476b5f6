import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPayloadConverter } from '@temporalio/common';
import { decodeHistoryEvents, type AuditEvent, type RawHistoryEvent } from '../../client/audit-events.js';
import { buildAuditReport } from '../../client/audit-report.js';
import type { RunState } from '../../schemas/run.js';

const LIMITS = { timeoutSec: 30, memoryMb: 256, cpus: 1, pids: 128, outputBytes: 1_048_576 };
const out = (sha: string) => ({ text: '', inlineComplete: true, bytes: 3, truncated: false, sha256: sha });
const execution = {
  exitCode: 0, stdout: out('s1'), stderr: out('s2'), timedOut: false, oomKilled: false, durationMs: 50,
  sandbox: { containerId: 'cid', containerName: 'airlock-run-1-a1', image: 'img', imageId: 'sha256:9', runtime: 'runc', limits: LIMITS },
};
const risk = { level: 'medium', score: 40, findings: [], ruleIds: ['py.subprocess'], policyVersion: 'p1', codeSha256: 'h1' };

const at = (s: number) => `2025-01-01T00:00:${String(s).padStart(2, '0')}.000Z`;

const events: AuditEvent[] = [
  { eventId: 1, at: at(0), kind: 'started', input: { agent: 'cli', requester: 'alice', actions: [{ language: 'python', code: 'import subprocess' }] } },
  { eventId: 5, at: at(1), kind: 'activity-scheduled', activityId: '1', activityType: 'loadPolicy', input: undefined },
  { eventId: 7, at: at(2), kind: 'activity-completed', scheduledEventId: 5, result: { version: 'p1' } },
  { eventId: 8, at: at(2), kind: 'activity-scheduled', activityId: '2', activityType: 'assessRisk', input: { language: 'python', code: 'import subprocess', policyVersion: 'p1' } },
  { eventId: 10, at: at(3), kind: 'activity-completed', scheduledEventId: 8, result: risk },
  { eventId: 12, at: at(4), kind: 'signal', name: 'decideSignal', args: [{ actionId: 'a1', decision: 'approve', approver: 'alice', channel: 'api' }] },
  { eventId: 14, at: at(5), kind: 'update-accepted', updateId: 'u1', name: 'decide', args: [{ actionId: 'a1', decision: 'approve', approver: 'bob', channel: 'cli', reason: 'ok' }] },
  { eventId: 15, at: at(5), kind: 'update-completed', acceptedEventId: 14, result: { actionId: 'a1', status: 'approved' } },
  { eventId: 16, at: at(6), kind: 'activity-scheduled', activityId: '3', activityType: 'executeCode', input: { runId: 'run-1', actionId: 'a1' } },
  { eventId: 17, at: at(7), kind: 'activity-started', scheduledEventId: 16, attempt: 1 },
  { eventId: 18, at: at(8), kind: 'activity-completed', scheduledEventId: 16, result: execution },
  { eventId: 20, at: at(9), kind: 'update-accepted', updateId: 'u2', name: 'submitAction', args: [{ language: 'bash', code: 'echo', task: 'second' }] },
  { eventId: 21, at: at(9), kind: 'update-completed', acceptedEventId: 20, result: { actionId: 'a2' } },
];

void test('history alone gives times, the assessment, human decisions and the execution per action', () => {
  const report = buildAuditReport({ runId: 'run-1', events });
  assert.equal(report.agent, 'cli');
  assert.equal(report.requester, 'alice');
  const [a1, a2] = report.actions;
  assert.deepEqual(a1?.submitted, { at: at(0), via: 'start', eventId: 1 });
  assert.equal(a1?.assessed?.at, at(3));
  assert.deepEqual(a1?.assessed?.ruleIds, ['py.subprocess']);
  assert.equal(a1?.decisions.length, 1);
  assert.deepEqual(
    { approver: a1?.decisions[0]?.approver, via: a1?.decisions[0]?.via, at: a1?.decisions[0]?.at, reason: a1?.decisions[0]?.reason },
    { approver: 'bob', via: 'update', at: at(5), reason: 'ok' },
  );
  assert.equal(a1?.ignoredDecisions[0]?.approver, 'alice', 'a signal without state is not known to have counted');
  assert.equal(a1?.execution?.completedAt, at(8));
  assert.equal(a1?.execution?.stdout.sha256, 's1');
  assert.equal(a1?.execution?.sandbox.containerId, 'cid');
  assert.deepEqual(a2?.submitted, { at: at(9), via: 'update', eventId: 20 });
  assert.equal(a2?.task, 'second');
});

void test('the final state adds policy decisions and statuses; history keeps how decisions arrived', () => {
  const state = {
    runId: 'run-1', agent: 'cli', requester: 'alice', status: 'completed', closed: true, startedAt: at(0), policyVersion: 'p1',
    ignoredDecisions: [{ actionId: 'a1', approver: 'alice', channel: 'api', reason: 'you requested action a1: you may not approve it yourself', at: at(4) }],
    actions: [
      {
        actionId: 'a1', language: 'python', code: 'import subprocess', codeSha256: 'h1', status: 'succeeded', submittedAt: at(0), updatedAt: at(8),
        limits: LIMITS, risk, requiredApprovals: 1, result: execution,
        decisions: [{ decision: 'approve', approver: 'bob', channel: 'cli', reason: 'ok', at: at(5), automatic: false, policyVersion: 'p1' }],
      },
      {
        actionId: 'a2', language: 'bash', code: 'echo', status: 'succeeded', submittedAt: at(9), updatedAt: at(9), limits: LIMITS, requiredApprovals: 0,
        decisions: [{ decision: 'approve', approver: 'policy', channel: 'policy', at: at(9), automatic: true, ruleIds: ['gate.auto.low'], policyVersion: 'p1' }],
      },
    ],
  } as unknown as RunState;
  const report = buildAuditReport({ runId: 'run-1', events, state });
  assert.equal(report.status, 'completed');
  const [a1, a2] = report.actions;
  assert.equal(a1?.decisions[0]?.eventId, 14);
  assert.equal(a1?.decisions[0]?.policyVersion, 'p1');
  assert.equal(a1?.ignoredDecisions.length, 1);
  assert.equal(a1?.ignoredDecisions[0]?.reason, 'you requested action a1: you may not approve it yourself');
  assert.deepEqual(a2?.decisions[0], {
    decision: 'approve', approver: 'policy', channel: 'policy', reason: undefined, at: at(9), automatic: true,
    policyVersion: 'p1', ruleIds: ['gate.auto.low'], via: 'policy', eventId: undefined,
  });
});

void test('raw history events are decoded with the default payload converter', () => {
  const payload = (value: unknown) => ({ payloads: [defaultPayloadConverter.toPayload(value)] });
  const raw: RawHistoryEvent[] = [
    { eventId: 1, eventTime: { seconds: 1_735_689_600, nanos: 5_000_000 }, workflowExecutionStartedEventAttributes: { input: payload({ agent: 'cli' }) } },
    { eventId: 2, eventTime: { seconds: 1_735_689_601 } }, // an event kind the audit does not use
    {
      eventId: 3,
      eventTime: { seconds: 1_735_689_602 },
      workflowExecutionUpdateAcceptedEventAttributes: { acceptedRequest: { meta: { updateId: 'u' }, input: { name: 'decide', args: payload({ actionId: 'a1' }) } } },
    },
  ];
  const decoded = decodeHistoryEvents(raw);
  assert.deepEqual(decoded, [
    { eventId: 1, at: '2025-01-01T00:00:00.005Z', kind: 'started', input: { agent: 'cli' } },
    { eventId: 3, at: '2025-01-01T00:00:02.000Z', kind: 'update-accepted', updateId: 'u', name: 'decide', args: [{ actionId: 'a1' }], identity: undefined },
  ]);
});
