/**
 * A RunSession outside any workflow, for unit tests of the workflow's modules: a hand-driven clock and an observer
 * that records what the session reported.
 */
import { currentPolicy } from '../../policy/policy-snapshot.js';
import type { PolicySnapshot } from '../../schemas/policy.js';
import { StartRunInputSchema, type StartRunInput } from '../../schemas/run.js';
import { RunSession } from '../../workflows/run-session.js';

export interface SessionEvents {
  statuses: string[];
  decisions: string[];
  ignored: string[];
  closed: string[];
}

export class TestClock {
  constructor(public ms = Date.parse('2026-01-01T00:00:00.000Z')) {}
  iso = (): string => new Date(this.ms).toISOString();
}

export function testSession(
  options: { input?: Partial<StartRunInput>; policy?: PolicySnapshot | null; clock?: TestClock } = {},
): { session: RunSession; events: SessionEvents; clock: TestClock } {
  const clock = options.clock ?? new TestClock();
  const events: SessionEvents = { statuses: [], decisions: [], ignored: [], closed: [] };
  const input = StartRunInputSchema.parse({ agent: 'agent-1', requester: 'alice', ...options.input });
  const session = new RunSession(input, {
    runId: 'run-1',
    executionId: 'exec-1',
    carried: undefined,
    now: clock.iso,
    observer: {
      actionStatusChanged: (action) => events.statuses.push(`${action.actionId}:${action.status}`),
      decisionRecorded: (action, decision) => events.decisions.push(`${action.actionId}:${decision.approver}:${decision.decision}`),
      decisionIgnored: (_actionId, reason) => events.ignored.push(reason ?? ''),
      closed: (reason) => events.closed.push(reason),
    },
  });
  if (options.policy !== null) session.pinPolicy(options.policy ?? currentPolicy({ approvers: null }));
  return { session, events, clock };
}
