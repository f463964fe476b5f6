/** Secrets: the store, the policy bindings, the proxy's way of applying one, the output masking, the CA. */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CREDENTIAL_RULE_IDS, resolveCredentials, withCredentialRisk } from '../../policy/credential-binding.js';
import { EncryptedSecretFile, SecretFileError } from '../../platform/encrypted-secret-file.js';
import { defaultSecretStore, EnvSecretStore, secretEnvName } from '../../platform/secret-store.js';
import { ActionInputSchema } from '../../schemas/action.js';
import { CredentialPolicySchema, secretMask } from '../../schemas/credentials.js';
import { parseAllowList } from '../../schemas/network.js';
import type { RiskAssessment } from '../../schemas/risk.js';
import { ActionCertificateAuthority } from '../../sandbox/network/action-ca.js';
import { applyCredential, credentialFor, type InjectedCredential } from '../../sandbox/network/credential-injection.js';
import { maskCapture, maskSecrets } from '../../sandbox/output-masking.js';
import { CappedOutputCollector } from '../../sandbox/output-capture.js';

const POLICY = CredentialPolicySchema.parse({
  secrets: {
    stripe: { destinations: ['api.stripe.com:443'] },
    maps: { destinations: ['*.maps.example.com:443'], apply: { as: 'query', param: 'key' } },
    internal: { destinations: ['10.0.0.5:8080'], apply: { as: 'header', header: 'X-Api-Key', prefix: 'Token ' } },
  },
});

void describe('the encrypted secret file', () => {
  void it('seals values with a 0600 key, lists names only, and refuses a wrong key', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'airlock-secrets-unit-'));
    try {
      const store = EncryptedSecretFile.at(home, {});
      await store.set('stripe', 'sk_live_abc123');
      await store.set('maps', 'maps-key');
      assert.deepEqual(await store.list(), ['maps', 'stripe']);
      assert.equal(await store.get('stripe'), 'sk_live_abc123');
      assert.equal(await store.get('absent'), undefined);
      assert.equal((await stat(store.keyFile)).mode & 0o777, 0o600);
      assert.equal((await stat(path.dirname(store.file))).mode & 0o777, 0o700);
      const onDisk = await readFile(store.file, 'utf8');
      assert.ok(!onDisk.includes('sk_live_abc123'));
      // An entry moved under another name does not open (the name is authenticated).
      const parsed = JSON.parse(onDisk) as { secrets: Record<string, unknown> };
      parsed.secrets.maps = parsed.secrets.stripe;
      await writeFile(store.file, JSON.stringify(parsed));
      await assert.rejects(store.get('maps'), SecretFileError);
      // Another key cannot open it either.
      const other = EncryptedSecretFile.at(home, { AIRLOCK_SECRETS_KEY: Buffer.alloc(32, 7).toString('base64') });
      await assert.rejects(other.get('stripe'), /does not open with this key/);
      assert.equal(await store.remove('stripe'), true);
      assert.equal(await store.remove('stripe'), false);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  void it('takes the environment first: AIRLOCK_SECRET_<NAME>', async () => {
    assert.equal(secretEnvName('stripe-live'), 'AIRLOCK_SECRET_STRIPE_LIVE');
    const env = { AIRLOCK_SECRET_STRIPE_LIVE: 'from-env', AIRLOCK_SECRET_EMPTY: '' };
    assert.deepEqual(await new EnvSecretStore(env).list(), ['stripe-live']);
    const home = await mkdtemp(path.join(tmpdir(), 'airlock-secrets-unit-'));
    try {
      await EncryptedSecretFile.at(home, {}).set('stripe-live', 'from-file');
      assert.equal(await defaultSecretStore(home, env).get('stripe-live'), 'from-env');
      assert.equal(await defaultSecretStore(home, {}).get('stripe-live'), 'from-file');
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

void describe('credential bindings', () => {
  void it('gives each secret only the destinations both the binding and the allowlist name', () => {
    const resolved = resolveCredentials(['stripe', 'maps'], ['api.stripe.com:443', 'eu.maps.example.com:443', 'other.example:443'], POLICY);
    assert.ok(!('refused' in resolved));
    assert.deepEqual(resolved.uses, [
      { name: 'stripe', hosts: ['api.stripe.com:443'], applied: 'Authorization: Bearer' },
      { name: 'maps', hosts: ['eu.maps.example.com:443'], applied: 'query parameter key' },
    ]);
    // A listed wildcard gets only the bound name beneath it.
    const wide = resolveCredentials(['stripe'], ['*.stripe.com:443'], POLICY);
    assert.ok(!('refused' in wide));
    assert.deepEqual(wide.execution[0]?.destinations, ['api.stripe.com:443']);
  });

  void it('refuses an unbound name, a host the action does not list, and credentials without network', () => {
    assert.match(JSON.stringify(resolveCredentials(['nope'], ['api.stripe.com:443'], POLICY)), /not bound to any destination/);
    assert.match(JSON.stringify(resolveCredentials(['stripe'], ['api.stripe.com:8443'], POLICY)), /may only be sent to api.stripe.com:443/);
    assert.match(JSON.stringify(resolveCredentials(['stripe'], ['x.example:443'], undefined)), /binds no secrets/);
    const parsed = ActionInputSchema.safeParse({ language: 'python', code: 'print(1)', credentials: ['stripe'] });
    assert.equal(parsed.success, false);
  });

  void it('raises the risk to the policy\'s level, medium by default', () => {
    const low: RiskAssessment = { level: 'low', score: 0, findings: [], ruleIds: [], codeSha256: 'x', policyVersion: 'v' } as unknown as RiskAssessment;
    const uses = [{ name: 'stripe', hosts: ['api.stripe.com:443'], applied: 'Authorization: Bearer' }];
    assert.equal(withCredentialRisk(low, uses, POLICY).level, 'medium');
    assert.ok(withCredentialRisk(low, uses, POLICY).ruleIds.includes(CREDENTIAL_RULE_IDS.used));
    assert.equal(withCredentialRisk(low, uses, { ...POLICY, risk: 'high' }).level, 'high');
    assert.equal(withCredentialRisk(low, [], POLICY), low);
  });
});

void describe('applying a credential', () => {
  const credential = (apply: InjectedCredential['apply'], destinations = ['api.stripe.com:443']): InjectedCredential => ({
    name: 'stripe',
    destinations: parseAllowList(destinations),
    apply,
    value: 'real-value',
  });

  void it('replaces whatever the code sent under the same header or parameter', () => {
    const headers: Record<string, string> = { Authorization: 'Bearer mine', accept: '*/*' };
    assert.equal(applyCredential(credential({ as: 'bearer' }), headers, '/v1/x'), '/v1/x');
    assert.deepEqual(headers, { accept: '*/*', authorization: 'Bearer real-value' });
    const keyed: Record<string, string> = { 'X-API-KEY': 'mine' };
    applyCredential(credential({ as: 'header', header: 'x-api-key', prefix: 'Token ' }), keyed, '/');
    assert.deepEqual(keyed, { 'x-api-key': 'Token real-value' });
    assert.equal(applyCredential(credential({ as: 'query', param: 'key' }), {}, '/p?key=mine&q=1'), '/p?q=1&key=real-value');
  });

  void it('is bound by destination name and port', () => {
    const list = [credential({ as: 'bearer' })];
    assert.equal(credentialFor(list, { host: 'api.stripe.com', port: 443 })?.name, 'stripe');
    assert.equal(credentialFor(list, { host: 'api.stripe.com', port: 80 }), undefined);
    assert.equal(credentialFor(list, { host: 'evil.example', port: 443 }), undefined);
  });
});

void describe('output masking', () => {
  void it('masks every occurrence, longest value first, and rehashes the capture', () => {
    const { bytes, found } = maskSecrets(Buffer.from('a tok-123 b tok-123 tok'), [
      { name: 'short', value: 'tok' },
      { name: 'long', value: 'tok-123' },
    ]);
    assert.equal(bytes.toString(), `a ${secretMask('long')} b ${secretMask('long')} ${secretMask('short')}`);
    assert.deepEqual(found, [
      { name: 'long', occurrences: 2 },
      { name: 'short', occurrences: 1 },
    ]);
    const collector = new CappedOutputCollector(1024);
    collector.write(Buffer.from('the key is tok-123\n'));
    const original = collector.finish();
    const masked = maskCapture(original, [{ name: 'long', value: 'tok-123' }], 'stdout');
    assert.equal(masked.output.text, `the key is ${secretMask('long')}\n`);
    assert.notEqual(masked.output.sha256, original.output.sha256);
    assert.deepEqual(masked.masked, [{ name: 'long', where: 'stdout', occurrences: 1 }]);
  });
});

void describe('the per-action certificate authority', () => {
  void it('issues leaf certificates for names and addresses that verify against it alone', () => {
    const ca = new ActionCertificateAuthority({ label: 'unit', lifetimeMs: 60_000 });
    const root = ca.certificate();
    assert.equal(root.ca, true);
    for (const host of ['api.stripe.com', '127.0.0.1']) {
      const leaf = new X509Certificate(ca.issue(host).certPem);
      assert.equal(leaf.ca, false);
      assert.ok(leaf.verify(root.publicKey), 'signed by the action CA');
      assert.ok(leaf.checkIssued(root));
      assert.equal(host.includes('.com') ? leaf.checkHost(host) : leaf.checkIP(host), host);
      assert.ok(Date.parse(leaf.validTo) <= Date.now() + 61_000);
    }
    const other = new ActionCertificateAuthority({ label: 'other', lifetimeMs: 60_000 });
    assert.equal(new X509Certificate(ca.issue('api.stripe.com').certPem).verify(other.certificate().publicKey), false);
  });
});
