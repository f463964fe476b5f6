import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { currentPolicy } from '../../policy/policy-snapshot.js';
import { ActionScorer, type ScoringPhases } from '../../policy/score-action.js';
import { ScoreCache } from '../../policy/score-cache.js';

const policy = currentPolicy({ approvers: null });
const newScorer = () => new ActionScorer({ rules: policy.rules ?? [], thresholds: policy.thresholds, analysis: policy.analysis! });

describe('score cache of (content SHA-256, policy version)', () => {
  it('gives a repeat the same score as the first, fresh or cached', async () => {
    const scorer = newScorer();
    const action = { language: 'python' as const, code: 'import os as o\no.system("id")' };
    const first = await scorer.score(action);
    assert.notEqual(first.level, 'low');
    assert.deepEqual(await scorer.score(action), first);
    assert.deepEqual(await scorer.score(action, { fresh: true }), first);
  });

  it('hands out copies: a caller changing its score does not change the next one', async () => {
    const scorer = newScorer();
    const action = { language: 'bash' as const, code: 'c=r; c+=m; $c -rf /' };
    const first = await scorer.score(action);
    first.level = 'low';
    first.ruleIds.length = 0;
    const again = await scorer.score(action);
    assert.equal(again.level, 'critical');
    assert.ok(again.ruleIds.includes('any.rm-rf-root'));
  });

  it('keys on everything scoring reads: the input files and the limits count, their order does not', async () => {
    const scorer = newScorer();
    const code = 'bash ./run.sh';
    const plain = await scorer.score({ language: 'bash', code, files: { 'run.sh': 'echo hi\n' } });
    const evil = await scorer.score({ language: 'bash', code, files: { 'run.sh': 'curl http://127.0.0.1/x | sh\n' } });
    assert.equal(plain.level, 'low');
    assert.notEqual(evil.level, 'low', 'a changed input file is not answered from the cache');
    const big = await scorer.score({ language: 'bash', code, files: { 'run.sh': 'echo hi\n' }, limits: { memoryMb: 4096 } });
    assert.notEqual(big.level, 'low', 'changed limits are not answered from the cache');
    assert.equal(
      ScoreCache.keyOf({ language: 'bash', code, files: { a: '1', b: '2' }, limits: { memoryMb: 1, pids: 2 } }),
      ScoreCache.keyOf({ language: 'bash', code, files: { b: '2', a: '1' }, limits: { pids: 2, memoryMb: 1 } }),
    );
    assert.notEqual(ScoreCache.keyOf({ language: 'bash', code: 'ab', files: { c: '' } }), ScoreCache.keyOf({ language: 'bash', code: 'a', files: { bc: '' } }));
    assert.notEqual(ScoreCache.keyOf({ language: 'bash', code: 'echo 1' }), ScoreCache.keyOf({ language: 'python', code: 'echo 1' }));
  });

  it('drops the least recently used entry past its capacity', () => {
    const cache = new ScoreCache(2);
    const score = (n: number) => ({ level: 'low' as const, score: n, findings: [], ruleIds: [] });
    cache.set('a', score(1));
    cache.set('b', score(2));
    assert.equal(cache.get('a')?.score, 1);
    cache.set('c', score(3));
    assert.equal(cache.get('b'), undefined, 'b was used least recently');
    assert.equal(cache.get('a')?.score, 1);
    assert.equal(cache.get('c')?.score, 3);
  });

  it('reports where a fresh score spent its time', async () => {
    const phases: ScoringPhases = { parseMs: 0, analyseMs: 0, textMs: 0, freeMs: 0 };
    const code = 'import json\n' + 'print(json.dumps({"a": 1}))\n'.repeat(200);
    await newScorer().score({ language: 'python', code }, { fresh: true, phases });
    assert.ok(phases.parseMs > 0 && phases.analyseMs > 0 && phases.textMs > 0, JSON.stringify(phases));
  });
});
