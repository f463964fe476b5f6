import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_NETWORK_POLICY, NETWORK_RULE_IDS, networkFindings, withNetworkRisk } from '../../policy/network-risk.js';
import { PRIVATE_DESTINATION_RULE_IDS } from '../../policy/private-destination-risk.js';
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

  void it('makes literal loopback and private entries critical unless the policy names them as private destinations', () => {
    const closed = (allow: string[]) => networkFindings({ allow }, { ...policy, maxHosts: 10 }).map((f) => f.ruleId);
    for (const entry of ['127.0.0.1:8080', 'localhost:8080', 'api.localhost:8080', '[::1]:8080', '192.168.1.10:80', '100.64.0.9:80', '[fd00::9]:80', '127.0.0.1:5000']) {
      assert.ok(closed([entry]).includes(PRIVATE_DESTINATION_RULE_IDS.privateDestination), entry);
    }
    assert.ok(!closed(['api.example.com:443', '93.184.215.14:443']).includes(PRIVATE_DESTINATION_RULE_IDS.privateDestination));
    const opened = { ...policy, maxHosts: 10, privateDestinations: ['127.0.0.1:8080', 'localhost', '*.svc.test:5432'] };
    const open = (allow: string[]) => networkFindings({ allow }, opened).map((f) => `${f.ruleId}:${f.level}`);
    assert.deepEqual(open(['127.0.0.1:8080']), ['net.egress-requested:medium']);
    assert.deepEqual(open(['localhost:9999']), ['net.egress-requested:medium'], 'a private destination without a port covers every port');
    assert.ok(open(['127.0.0.1:8081']).includes('net.private-destination:critical'), 'another port is not opted in');
    assert.ok(open(['127.0.0.2:8080']).includes('net.private-destination:critical'));
    assert.equal(withNetworkRisk(LOW, { allow: ['127.0.0.1:8080'] }).level, 'critical', 'the default policy opts nothing in');
  });

  void it('makes control-plane ports critical on loopback and private entries, opted in or not', () => {
    const opened = { ...policy, maxHosts: 10, privateDestinations: ['127.0.0.1', 'localhost', '10.0.0.0'] };
    for (const entry of ['127.0.0.1:7233', 'localhost:7233', '127.0.0.1:8233', '10.0.0.0:7233', 'docker.example.com:2375', '93.184.215.14:2376']) {
      const ids = networkFindings({ allow: [entry] }, opened).map((f) => f.ruleId);
      assert.ok(ids.includes(PRIVATE_DESTINATION_RULE_IDS.controlPlane), entry);
    }
    assert.ok(!networkFindings({ allow: ['temporal.example.com:7233'] }, opened).some((f) => f.level === 'critical'));
  });

  void it('reads privateDestinations from the policy file, with the other keys defaulted', () => {
    const parsed = NetworkPolicySchema.parse({ privateDestinations: ['127.0.0.1', 'localhost:8080', '*.svc.test:5432'] });
    assert.deepEqual(parsed.denyHosts, DEFAULT_NETWORK_POLICY.denyHosts);
    assert.equal(parsed.maxHosts, DEFAULT_NETWORK_POLICY.maxHosts);
    const bad = NetworkPolicySchema.safeParse({ privateDestinations: ['a.*.test'] });
    assert.ok(!bad.success);
    assert.match(bad.error.issues[0]?.message ?? '', /network\.privateDestinations: .*leftmost label/);
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
