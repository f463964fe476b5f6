import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { approverRefusalOf } from '../../policy/gate.js';
import { PolicyFileError } from '../../policy/policy-file-error.js';
import { parsePolicyText } from '../../policy/policy-file-parser.js';
import { readPolicyFile, SHIPPED_POLICY_PATH } from '../../policy/policy-loader.js';
import { BUILT_IN_RULES } from '../../policy/risk-rules.js';
import { ensureSigningKey } from '../../server/decision-signer.js';

const parse = (text: string) => parsePolicyText(text, { source: 'p.yaml' });

function issuesOf(text: string): PolicyFileError {
  try {
    parse(text);
  } catch (err) {
    assert.ok(err instanceof PolicyFileError, String(err));
    return err;
  }
  throw new Error('expected a PolicyFileError');
}

describe('policy file', () => {
  it('ships a default that parses, with the DESIGN defaults and the built-in rules', () => {
    const text = readFileSync(SHIPPED_POLICY_PATH, 'utf8');
    // A home without a signing key yet: the file's own text is then all the version covers.
    const policy = readPolicyFile(SHIPPED_POLICY_PATH, null, mkdtempSync(path.join(tmpdir(), 'airlock-nokey-')));
    assert.equal(policy.version, createHash('sha256').update(text).digest('hex'), 'the version is the sha256 of the file');
    assert.deepEqual(policy.signers, [], 'the local signer is named, its key not created yet');
    const home = mkdtempSync(path.join(tmpdir(), 'airlock-key-'));
    const key = ensureSigningKey(home);
    const withKey = readPolicyFile(SHIPPED_POLICY_PATH, null, home);
    assert.deepEqual(withKey.signers?.map((s) => [s.name, s.keyId]), [['local', key.keyId]]);
    assert.notEqual(withKey.version, policy.version, 'a key read from a file is part of the version');
    assert.deepEqual(
      Object.fromEntries(Object.entries(policy.gates).map(([level, gate]) => [level, [gate.mode, gate.quorum, gate.timeoutMs]])),
      { low: ['auto', 1, undefined], medium: ['human', 1, 900_000], high: ['human', 2, 900_000], critical: ['deny', 1, undefined] },
    );
    assert.deepEqual(policy.rules?.map((r) => r.id), BUILT_IN_RULES.map((r) => r.id));
    assert.equal(policy.principals, undefined);
  });

  it('names the line and field of a schema problem', () => {
    const err = issuesOf('levels:\n  high:\n    mode: human\n    quorum: 0\n');
    assert.equal(err.issues.length, 1);
    assert.deepEqual([err.issues[0]!.line, err.issues[0]!.field], [4, 'levels.high.quorum']);
    assert.match(err.message, /p\.yaml:4:\d+: levels\.high\.quorum: /);
  });

  it('points at a misspelt key, a bad duration, a bad regular expression and a YAML syntax error', () => {
    const typo = issuesOf('levels:\n  medium:\n    mode: human\n    qourum: 2\n');
    assert.deepEqual([typo.issues[0]!.line, typo.issues[0]!.message], [4, 'unknown key "qourum"']);
    const duration = issuesOf('levels:\n  medium:\n    mode: human\n    timeout: soon\n');
    assert.equal(duration.issues[0]!.line, 4);
    assert.match(duration.issues[0]!.message, /not a duration/);
    const regex = issuesOf('additionalRules:\n  - id: x.bad\n    description: d\n    pattern: "(unclosed"\n    score: 1\n    level: low\n');
    assert.deepEqual([regex.issues[0]!.line, regex.issues[0]!.field], [4, 'additionalRules[0].pattern']);
    const yaml = issuesOf('levels: [\n');
    assert.ok((yaml.issues[0]!.line ?? 0) >= 1);
  });

  it('refuses an escalation step at or after the timeout, and duplicate rule ids', () => {
    const late = issuesOf('levels:\n  high:\n    mode: human\n    timeout: 10m\n    escalation:\n      - after: 10m\n        notify: [slack]\n');
    assert.deepEqual([late.issues[0]!.line, late.issues[0]!.field], [6, 'levels.high.escalation[0].after']);
    const duplicate = issuesOf('additionalRules:\n  - id: py.subprocess\n    description: d\n    pattern: x\n    score: 1\n    level: low\n');
    assert.match(duplicate.issues[0]!.message, /already in use/);
  });

  it('turns the file into a snapshot: durations, sorted ladder, replaced and added rules', () => {
    const policy = parse(`levels:
  high:
    mode: human
    quorum: 3
    timeout: 1h
    notify: [slack]
    escalation:
      - { after: 30m, notify: [webhook] }
      - { after: 10m, roles: [security] }
rules:
  - { id: only.rule, description: d, pattern: danger, score: 80, level: high }
additionalRules:
  - { id: extra.rule, description: e, languages: [bash], pattern: boom, flags: i, score: 5, level: low }
`);
    assert.deepEqual(policy.gates.high, {
      mode: 'human',
      quorum: 3,
      timeoutMs: 3_600_000,
      notify: ['slack'],
      escalation: [
        { afterMs: 600_000, channels: [], roles: ['security'] },
        { afterMs: 1_800_000, channels: ['webhook'], roles: [] },
      ],
    });
    assert.deepEqual(policy.rules?.map((r) => [r.id, r.flags]), [['only.rule', 'gm'], ['extra.rule', 'igm']]);
    assert.notEqual(parse('thresholds: { medium: 20, high: 60 }\n').version, parse('thresholds: { medium: 30, high: 70 }\n').version);
    const sandbox = parse('isolation: { strongAtOrAbove: high, whenStrongUnavailable: fallback }\nlimitBounds: { memoryMb: 512 }\n');
    assert.deepEqual([sandbox.isolation, sandbox.limitBounds], [{ strongAtOrAbove: 'high', whenStrongUnavailable: 'fallback' }, { memoryMb: 512 }]);
    assert.equal(issuesOf('limitBounds: { memory: 512 }\n').issues[0]!.message, 'unknown key "memory"');
  });

  it('lets only listed principals with a level role decide, and never the requester approve', () => {
    const policy = parse(`principals:
  - { id: alice, roles: [approver] }
  - { id: bob, roles: [approver] }
  - { id: dave, roles: [developer] }
levels:
  high: { mode: human, roles: [approver], quorum: 2 }
`);
    assert.equal(approverRefusalOf(policy, 'bob', 'approve', 'alice', 'high'), undefined);
    assert.equal(approverRefusalOf(policy, 'alice', 'approve', 'alice', 'high')?.type, 'self_approval');
    assert.equal(approverRefusalOf(policy, 'dave', 'approve', 'alice', 'high')?.type, 'not_authorised');
    assert.equal(approverRefusalOf(policy, 'dave', 'deny', 'alice', 'high')?.type, 'not_authorised', 'a deny also needs the role');
    assert.equal(approverRefusalOf(policy, 'zed', 'approve', 'alice', 'high')?.type, 'not_authorised');
    assert.equal(approverRefusalOf(policy, 'dave', 'approve', 'alice', 'medium'), undefined, 'medium names no roles');
  });
});
