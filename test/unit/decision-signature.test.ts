/** Signed decisions as pure logic: encoding, verification, the workflow's refusals, the key file and the policy's signers. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { PolicyFileError } from '../../policy/policy-file-error.js';
import { parsePolicyText } from '../../policy/policy-file-parser.js';
import { readPolicyFile } from '../../policy/policy-loader.js';
import type { DecisionInput } from '../../schemas/decision.js';
import type { PolicySnapshot } from '../../schemas/policy.js';
import type { ActionState } from '../../schemas/run.js';
import { DecisionSigner, ensureSigningKey, SIGNING_KEY_FILE } from '../../server/decision-signer.js';
import { actionContentSha256 } from '../../workflows/action-digest.js';
import { SIGNATURE_MAX_AGE_MS, verificationRefusal } from '../../workflows/decision-checks.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const signer = DecisionSigner.fromSecretKey(new Uint8Array(32).fill(3));
const LIMITS = { timeoutSec: 30, memoryMb: 256, cpus: 1, pids: 64, outputBytes: 65536 };
const CONTENT = actionContentSha256({ language: 'python', code: 'print(1)', limits: LIMITS });
const action = {
  actionId: 'a1',
  status: 'awaiting_approval',
  contentSha256: CONTENT,
  approvalDeadline: new Date(NOW + 60_000).toISOString(),
  decisions: [],
} as unknown as ActionState;
const policy = { version: 'v'.repeat(64), gates: {}, approvers: null, signers: [{ keyId: signer.keyId, publicKey: signer.publicKey, name: 'api' }] } as unknown as PolicySnapshot;
const context = { runId: 'run-1', executionId: 'exec-1', action, policy, nowMs: NOW };
const base = { actionId: 'a1', decision: 'approve', approver: 'bob', channel: 'ui' } as const;

function signed(overrides: Partial<Parameters<DecisionSigner['sign']>[0]> = {}, at = new Date(NOW)): DecisionInput {
  const signature = signer.sign(
    { runId: 'run-1', executionId: 'exec-1', actionId: 'a1', contentSha256: CONTENT, decision: 'approve', principal: 'bob', channel: 'ui', ...overrides },
    at,
  );
  return { ...base, signature };
}

describe('signed decisions', () => {
  it('counts a decision signed by a listed key for this run, action and content', () => {
    assert.equal(verificationRefusal(signed(), context), undefined);
  });

  it('refuses unsigned decisions, unknown keys and tampered fields', () => {
    assert.equal(verificationRefusal(base, context)?.type, 'unsigned');
    const stranger = DecisionSigner.fromSecretKey(randomBytes(32));
    const foreign = stranger.sign({ runId: 'run-1', executionId: 'exec-1', actionId: 'a1', contentSha256: CONTENT, decision: 'approve', principal: 'bob', channel: 'ui' }, new Date(NOW));
    assert.equal(verificationRefusal({ ...base, signature: foreign }, context)?.type, 'unknown_signer');
    const good = signed();
    assert.equal(verificationRefusal({ ...good, approver: 'mallory' }, context)?.type, 'bad_signature');
    assert.equal(verificationRefusal({ ...good, channel: 'slack' }, context)?.type, 'bad_signature');
    assert.equal(verificationRefusal({ ...good, decision: 'deny' }, context)?.type, 'bad_signature');
    assert.equal(verificationRefusal({ ...good, reason: 'later' }, context)?.type, 'bad_signature');
    assert.equal(verificationRefusal(good, { ...context, runId: 'run-2' })?.type, 'bad_signature');
  });

  it('refuses a signature replayed on another action, another execution or changed content', () => {
    const forA1 = signed();
    const a2 = { ...action, actionId: 'a2' } as ActionState;
    assert.equal(verificationRefusal({ ...forA1, actionId: 'a2' }, { ...context, action: a2 })?.type, 'bad_signature');
    assert.equal(verificationRefusal(forA1, { ...context, executionId: 'exec-2' })?.type, 'signature_mismatch');
    const changed = { ...action, contentSha256: actionContentSha256({ language: 'python', code: 'print(2)', limits: LIMITS }) } as ActionState;
    assert.equal(verificationRefusal(forA1, { ...context, action: changed })?.type, 'signature_mismatch');
  });

  it('refuses old signatures, ones from the future, and anything after the deadline', () => {
    assert.equal(verificationRefusal(signed({}, new Date(NOW - SIGNATURE_MAX_AGE_MS - 1)), context)?.type, 'signature_expired');
    assert.equal(verificationRefusal(signed({}, new Date(NOW + 10 * 60_000)), context)?.type, 'signature_expired');
    const late = verificationRefusal(signed(), { ...context, nowMs: Date.parse(action.approvalDeadline!) });
    assert.equal(late?.type, 'past_deadline');
    assert.match(late?.message ?? '', /deadline of action a1 passed/);
  });

  it('binds the content hash to code, files, limits and allowlist', () => {
    const variants = [
      { language: 'python', code: 'print(1)', limits: LIMITS, files: { 'in.csv': 'a' } },
      { language: 'python', code: 'print(1)', limits: { ...LIMITS, memoryMb: 512 } },
      { language: 'python', code: 'print(1)', limits: LIMITS, network: { allow: ['example.test:443'] } },
      { language: 'bash', code: 'print(1)', limits: LIMITS },
    ] as const;
    const hashes = new Set(variants.map((v) => actionContentSha256(v)));
    assert.equal(hashes.size, variants.length);
    assert.equal(hashes.has(CONTENT), false);
  });

  it('creates the key file once with mode 0600, with the public key beside it', () => {
    const home = mkdtempSync(path.join(tmpdir(), 'airlock-key-'));
    const first = ensureSigningKey(home);
    const again = ensureSigningKey(home);
    assert.equal(first.keyId, again.keyId);
    assert.equal(statSync(path.join(home, SIGNING_KEY_FILE)).mode & 0o777, 0o600);
    assert.equal(readFileSync(path.join(home, 'signing-key.pub'), 'utf8').trim(), first.publicKey);
    assert.equal(DecisionSigner.load({ home, env: {} }).keyId, first.keyId);
    const fromEnv = DecisionSigner.load({ home, env: { AIRLOCK_SIGNING_KEY: Buffer.alloc(32, 3).toString('hex') } });
    assert.equal(fromEnv.keyId, signer.keyId);
  });

  it('reads signers from the policy: inline keys, key files under AIRLOCK_HOME, clear errors otherwise', () => {
    const home = mkdtempSync(path.join(tmpdir(), 'airlock-signers-'));
    const local = ensureSigningKey(home);
    const base64 = Buffer.from(signer.publicKey, 'hex').toString('base64');
    const file = path.join(home, 'policy.yaml');
    writeFileSync(file, `signers:\n  - name: api-2026\n    publicKey: ${base64}\n  - name: local\n    publicKeyFile: signing-key.pub\n`);
    const snapshot = readPolicyFile(file, null, home);
    assert.deepEqual(snapshot.signers?.map((s) => [s.name, s.keyId]), [['api-2026', signer.keyId], ['local', local.keyId]]);
    assert.throws(
      () => parsePolicyText('signers:\n  - name: bad\n    publicKey: nope\n', { source: 'p.yaml' }),
      (err: unknown) => err instanceof PolicyFileError && /p\.yaml:3:\d+: signers\[0\]\.publicKey: not an Ed25519 public key/.test(err.message),
    );
    assert.throws(() => parsePolicyText('signers:\n  - name: both\n', { source: 'p.yaml' }), /either publicKey or publicKeyFile/);
    // A key file that is not there yet leaves that signer out: nobody can sign with it, which only refuses more.
    writeFileSync(file, 'signers:\n  - name: later\n    publicKeyFile: missing.pub\n');
    assert.deepEqual(readPolicyFile(file, null, home).signers, []);
  });
});
