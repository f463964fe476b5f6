import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { guardRules } from '../../sandbox/network/host-guard.js';

void describe('egress host guard rules', () => {
  const rules = guardRules('alkabc', '172.30.0.1', 40000).map(({ table, rule }) => `${table} ${rule.join(' ')}`);

  void it('refuses the proxy port from every interface but the action\'s bridge', () => {
    assert.ok(rules.some((r) => r.startsWith('iptables INPUT ! -i alkabc -p tcp -d 172.30.0.1 --dport 40000 ') && r.endsWith('-j REJECT')));
  });

  void it('lets the bridge reach the proxy port and nothing else on the host, on both families', () => {
    assert.ok(rules.some((r) => r.startsWith('iptables INPUT -i alkabc -p tcp -d 172.30.0.1 --dport 40000 ') && r.endsWith('-j ACCEPT')));
    assert.ok(rules.some((r) => r.startsWith('iptables INPUT -i alkabc -m comment') && r.endsWith('-j REJECT')));
    assert.ok(rules.some((r) => r.startsWith('ip6tables INPUT -i alkabc -m comment') && r.endsWith('-j REJECT')));
    assert.ok(rules.every((r) => r.includes('--comment airlock-egress:alkabc')), 'every rule is marked for the reaper');
  });
});
