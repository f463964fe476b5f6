import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditEvent } from '../../client/audit-events.js';
import { buildAuditReport } from '../../client/audit-report.js';

const at = (s: number) => `2026-01-01T00:00:${String(s).padStart(2, '0')}.000Z`;
const CODE = 'import subprocess';
const risk = (score: number) => ({ level: 'medium', score, findings: [], ruleIds: ['py.subprocess'], policyVersion: 'p1', codeSha256: 'same' });

/** Two actions with the same code, started together: only the actionId (or the order) tells them apart. */
function history(withActionIds: boolean): AuditEvent[] {
  const ids = (actionId: string) => (withActionIds ? { runId: 'run-1', actionId } : {});
  return [
    { eventId: 1, at: at(0), kind: 'started', input: { agent: 'a', requester: 'alice', actions: [{ language: 'python', code: CODE }, { language: 'python', code: CODE }] } },
    { eventId: 5, at: at(1), kind: 'activity-scheduled', activityId: '1', activityType: 'assessRisk', input: { language: 'python', code: CODE, policyVersion: 'p1', ...ids('a1') } },
    { eventId: 6, at: at(1), kind: 'activity-scheduled', activityId: '2', activityType: 'assessRisk', input: { language: 'python', code: CODE, policyVersion: 'p1', ...ids('a2') } },
    { eventId: 9, at: at(2), kind: 'activity-completed', scheduledEventId: 6, result: risk(41) },
    { eventId: 10, at: at(3), kind: 'activity-completed', scheduledEventId: 5, result: risk(40) },
    // A notification about a2 that failed: attributed to a2 by its actionId, whatever its result or input look like.
    { eventId: 11, at: at(4), kind: 'activity-scheduled', activityId: '3', activityType: 'notifyApprovers', input: { channel: 'webhook', ...ids('a2') } },
    { eventId: 12, at: at(5), kind: 'activity-failed', scheduledEventId: 11, failure: 'webhook answered 500' },
  ];
}

describe('audit: which action an activity belongs to', () => {
  it('keys activities by the actionId in their input, even when two actions have the same code', () => {
    const [a1, a2] = buildAuditReport({ runId: 'run-1', events: history(true) }).actions;
    assert.deepEqual([a1?.assessed?.score, a1?.assessed?.at], [40, at(3)]);
    assert.deepEqual([a2?.assessed?.score, a2?.assessed?.at], [41, at(2)]);
    assert.deepEqual(a2?.activityFailures, [{ activityType: 'notifyApprovers', at: at(5), message: 'webhook answered 500' }]);
    assert.deepEqual(a1?.activityFailures, []);
  });

  it('matches assessments of histories recorded without actionId by the order of submission', () => {
    const [a1, a2] = buildAuditReport({ runId: 'run-1', events: history(false) }).actions;
    assert.equal(a1?.assessed?.score, 40);
    assert.equal(a2?.assessed?.score, 41);
  });
});
