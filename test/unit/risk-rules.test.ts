import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assessRisk } from '../../policy/assess-risk.js';
import { BUILT_IN_RULES, LEGACY_RISK_RULES } from '../../policy/risk-rules.js';
import { scoreCode as score } from '../support/risk-scorer.js';

describe('risk rules', () => {
  it('rates plain arithmetic as low with no findings', async () => {
    const risk = await score('print(sum(range(10)))', 'python');
    assert.equal(risk.level, 'low');
    assert.equal(risk.score, 0);
    assert.deepEqual(risk.findings, []);
  });

  it('rates os.system as high and names the rule and the matched text', async () => {
    const risk = await score('import os\nos.system("ls -la")\n', 'python');
    assert.equal(risk.level, 'high');
    const finding = risk.findings.find((f) => f.ruleId === 'py.os-system');
    assert.ok(finding, 'py.os-system finding expected');
    assert.match(finding.match, /os\.system/);
    assert.equal(finding.line, 2);
  });

  it('rates subprocess as medium', async () => {
    const risk = await score('import subprocess\nprint(subprocess.run(["echo", "hi"]).returncode)', 'python');
    assert.equal(risk.level, 'medium');
    assert.deepEqual(risk.ruleIds, ['py.subprocess']);
  });

  for (const code of ['rm -rf /', 'rm -rf / ', 'rm -fr /*', 'sudo rm --no-preserve-root -rf /', 'rm -rf ~', 'rm -r -f /']) {
    it(`rates bash "${code}" as critical`, async () => {
      const risk = await score(code, 'bash');
      assert.equal(risk.level, 'critical');
      assert.ok(risk.ruleIds.includes('any.rm-rf-root'), `rules: ${risk.ruleIds.join(',')}`);
    });
  }

  it('does not mistake deleting a relative folder for deleting the root', async () => {
    const risk = await score('rm -rf ./build /tmp/cache', 'bash');
    assert.notEqual(risk.level, 'critical');
    assert.ok(!risk.ruleIds.includes('any.rm-rf-root'));
  });

  it('rates the shell fork bomb as critical, also with other names and spacing', async () => {
    assert.equal((await score(':(){ :|:& };:', 'bash')).level, 'critical');
    assert.equal((await score('bomb() { bomb | bomb & }; bomb', 'bash')).level, 'critical');
    assert.ok((await score(':(){ :|:& };:', 'bash')).ruleIds.includes('sh.fork-bomb'));
  });

  it('catches rm -rf / hidden in python as critical', async () => {
    assert.equal((await score('import os\nos.system("rm -rf /")', 'python')).level, 'critical');
    assert.equal((await score('import os\nos.system("rm -rf" + " /")', 'python')).level, 'critical', 'folded string');
  });

  it('rates a python fork loop as critical', async () => {
    assert.equal((await score('import os\nwhile True:\n    os.fork()\n', 'python')).level, 'critical');
  });

  it('adds scores: two medium findings make the action high', async () => {
    const risk = await score('import subprocess, socket\nsubprocess.run(["id"])\n', 'python');
    assert.equal(risk.level, 'high');
    assert.ok(risk.score >= 70);
  });

  it('applies language-specific rules only to their language', async () => {
    assert.equal((await score('echo "os.system(x)"', 'bash')).findings.filter((f) => f.ruleId === 'py.os-system').length, 0);
    assert.equal((await score("require('child_process').execSync('id')", 'node')).level, 'medium');
  });

  it('is deterministic and caps findings per rule', async () => {
    const code = 'import subprocess\nsubprocess.run(["id"])\n'.repeat(50);
    const a = await score(code, 'python');
    const b = await score(code, 'python');
    assert.deepEqual(a, b);
    assert.ok(a.findings.length <= 5);
  });

  it('gives every text rule a unique id and a pattern with the global flag', () => {
    for (const rules of [BUILT_IN_RULES, LEGACY_RISK_RULES]) {
      const ids = rules.map((r) => r.id);
      assert.equal(new Set(ids).size, ids.length);
      for (const rule of rules) assert.match(rule.pattern.flags, /g/, rule.id);
    }
  });

  it('keeps the legacy regex rules for runs pinned before the analyser', () => {
    assert.equal(assessRisk('import os\nos.system("ls")', 'python', LEGACY_RISK_RULES).level, 'high');
    assert.equal(assessRisk('import os as o\no.system("ls")', 'python', LEGACY_RISK_RULES).level, 'low', 'the regex engine is what the analyser replaces');
  });
});
