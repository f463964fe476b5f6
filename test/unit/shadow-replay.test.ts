import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { RawHistoryEvent } from '../../client/audit-events.js';
import { recordedActions, replayAction } from '../../client/shadow-replay.js';
import { parsePolicyText } from '../../policy/policy-file-parser.js';
import { PolicyJudge } from '../../policy/policy-judgement.js';
import { readHistoryFile } from '../histories/history-file.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../../test/histories/${name}.json`, import.meta.url));

async function actionsOf(name: string) {
  const history = await readHistoryFile(fixture(name));
  return recordedActions((history.events ?? []) as RawHistoryEvent[]);
}

describe('shadow replay of recorded histories', () => {
  it('reads each action, its recorded score and the pinned policy from a history recorded before the analyser', async () => {
    const [action, ...rest] = await actionsOf('auto-approved');
    assert.equal(rest.length, 0);
    assert.equal(action?.actionId, 'a1');
    assert.equal(action?.recorded.level, 'low');
    assert.equal(action?.pinned.analysis, undefined, 'pinned before the analyser existed');
    assert.match(action?.pinned.version ?? '', /^[0-9a-f]{64}$/);
  });

  it('judges the recorded side by the pinned policy and the candidate side by the candidate', async () => {
    const [action] = await actionsOf('policy-denied');
    assert.ok(action);
    const candidate = parsePolicyText('levels:\n  critical:\n    mode: human\n    quorum: 2\n', { source: 'candidate.yaml' });
    const replayed = await replayAction(new PolicyJudge(candidate), candidate, action, { runId: 'r', executionRunId: 'e' });
    assert.equal(replayed.before.outcome, 'deny');
    assert.equal(replayed.after.outcome, 'human');
    assert.equal(replayed.change, 'deny->human');
    assert.ok(replayed.before.ruleIds[0]?.startsWith('gate.critical.deny'));
    assert.equal(replayed.before.level, replayed.after.level);
  });
});
