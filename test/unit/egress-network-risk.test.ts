import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_NETWORK_POLICY, NETWORK_RULE_IDS, networkFindings, withNetworkRisk } from '../../policy/network-risk.js';
import { NetworkPolicySchema } from '../../schemas/network.js';
import type { RiskAssessment } from '../../schemas/risk.js';

const LOW: RiskAssessment = { level: 'low', score: 0, findings: [], ruleIds: [], policyVersion: 'v', codeSha256: 'c' };
const policy = { denyHosts: ['secrets.corp.example', '*.internal.example:443', '10.0.0.5'], maxHosts: 3 };
const ids = (allow: string[]) => networkFindings({ allow }, policy).map((f) => `${f.ruleId}:${f.level}`);

void describe('network risk', () => {
  void it('leaves an action without network untouched', () => {
    assert.equal(withNetworkRisk(LOW, undefined), LOW);
  });

  void it('makes any allowlist at least medium, and never lowers a higher level', () => {
    const raised = withNetworkRisk(LOW, { allow: ['api.example.com:443'] });
    assert.equal(raised.level, 'medium');
    assert.deepEqual(raised.ruleIds, [NETWORK_RULE_IDS.egressRequested]);
    const high = withNetworkRisk({ ...LOW, level: 'high', ruleIds: ['py.os-system'] }, { allow: ['api.example.com:443'] });
    assert.equal(high.level, 'high');
    assert.deepEqual(high.ruleIds, ['py.os-system', NETWORK_RULE_IDS.egressRequested]);
  });

  void it('makes a denylisted destination critical, however it is reached', () => {
    assert.deepEqual(ids(['api.example.com:443']), ['net.egress-requested:medium']);
    assert.ok(ids(['secrets.corp.example:80']).includes('net.denied-host:critical'), 'deny without port covers every port');
    assert.ok(ids(['*.corp.example:443']).includes('net.denied-host:critical'), 'a wildcard that covers a denied name');
    assert.ok(ids(['db.internal.example:443']).includes('net.denied-host:critical'), 'a name under a denied wildcard');
    assert.ok(ids(['a.b.internal.example:443']).includes('net.denied-host:critical'), 'denied wildcards cover every depth');
    assert.ok(!ids(['db.internal.example:80']).includes('net.denied-host:critical'), 'the denied wildcard names port 443 only');
    assert.ok(ids(['10.0.0.5:5432']).includes('net.denied-host:critical'));
    assert.ok(!ids(['*.example:443']).includes('net.denied-host:critical'), '*.example reaches one label only');
  });

  void it('caps the number of hosts', () => {
    assert.ok(!ids(['a.example.com:1', 'b.example.com:1', 'c.example.com:1']).includes('net.too-many-hosts:critical'));
    assert.ok(ids(['a.example.com:1', 'b.example.com:1', 'c.example.com:1', 'd.example.com:1']).includes('net.too-many-hosts:critical'));
    const assessed = withNetworkRisk(LOW, { allow: ['secrets.corp.example:1'] }, policy);
    assert.equal(assessed.level, 'critical');
    assert.equal(assessed.ruleIds[0], NETWORK_RULE_IDS.deniedHost);
  });

  void it('ships a default denylist for metadata names', () => {
    assert.equal(withNetworkRisk(LOW, { allow: ['metadata.google.internal:80'] }, DEFAULT_NETWORK_POLICY).level, 'critical');
  });

  void it('validates a policy denylist: ports optional, metadata addresses accepted, nonsense refused', () => {
    const ok = NetworkPolicySchema.safeParse({ denyHosts: ['evil.example', '*.corp.example:443', '169.254.169.254', '[fe80::1]'], maxHosts: 4 });
    assert.ok(ok.success, ok.success ? '' : ok.error.message);
    const bad = NetworkPolicySchema.safeParse({ denyHosts: ['a.*.example'], maxHosts: 4 });
    assert.ok(!bad.success);
    assert.match(bad.error.issues[0]?.message ?? '', /leftmost label/);
    assert.ok(!NetworkPolicySchema.safeParse({ denyHosts: [], maxHosts: 0 }).success);
  });
});
