import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assessRisk } from '../../policy/assess-risk.js';
import { BUILT_IN_RULES } from '../../policy/risk-rules.js';
import type { Language } from '../../schemas/action.js';

const score = (code: string, language: Language) => assessRisk(code, language, BUILT_IN_RULES);

describe('risk rules', () => {
  it('rates plain arithmetic as low with no findings', () => {
    const risk = score('print(sum(range(10)))', 'python');
    assert.equal(risk.level, 'low');
    assert.equal(risk.score, 0);
    assert.deepEqual(risk.findings, []);
  });

  it('rates os.system as high and names the rule and the matched text', () => {
    const risk = score('import os\nos.system("ls -la")\n', 'python');
    assert.equal(risk.level, 'high');
    const finding = risk.findings.find((f) => f.ruleId === 'py.os-system');
    assert.ok(finding, 'py.os-system finding expected');
    assert.equal(finding.match, 'os.system(');
    assert.equal(finding.line, 2);
  });

  it('rates subprocess as medium', () => {
    const risk = score('import subprocess\nprint(subprocess.run(["echo", "hi"]).returncode)', 'python');
    assert.equal(risk.level, 'medium');
    assert.deepEqual(risk.ruleIds, ['py.subprocess']);
  });

  for (const code of ['rm -rf /', 'rm -rf / ', 'rm -fr /*', 'sudo rm --no-preserve-root -rf /', 'rm -rf ~', 'rm -r -f /']) {
    it(`rates bash "${code}" as critical`, () => {
      const risk = score(code, 'bash');
      assert.equal(risk.level, 'critical');
      assert.ok(risk.ruleIds.includes('any.rm-rf-root'), `rules: ${risk.ruleIds.join(',')}`);
    });
  }

  it('does not mistake deleting a relative folder for deleting the root', () => {
    const risk = score('rm -rf ./build /tmp/cache', 'bash');
    assert.notEqual(risk.level, 'critical');
    assert.ok(!risk.ruleIds.includes('any.rm-rf-root'));
  });

  it('rates the shell fork bomb as critical, also with other names and spacing', () => {
    assert.equal(score(':(){ :|:& };:', 'bash').level, 'critical');
    assert.equal(score('bomb() { bomb | bomb & }; bomb', 'bash').level, 'critical');
    assert.ok(score(':(){ :|:& };:', 'bash').ruleIds.includes('sh.fork-bomb'));
  });

  it('catches rm -rf / hidden in python as critical', () => {
    const risk = score('import os\nos.system("rm -rf /")', 'python');
    assert.equal(risk.level, 'critical');
  });

  it('rates a python fork loop as critical', () => {
    assert.equal(score('import os\nwhile True:\n    os.fork()\n', 'python').level, 'critical');
  });

  it('adds scores: two medium findings make the action high', () => {
    const risk = score('import subprocess, socket\nsubprocess.run(["id"])\n', 'python');
    assert.equal(risk.level, 'high');
    assert.ok(risk.score >= 70);
  });

  it('applies language-specific rules only to their language', () => {
    assert.equal(score('os.system("x")', 'bash').findings.filter((f) => f.ruleId === 'py.os-system').length, 0);
    assert.equal(score("require('child_process').execSync('id')", 'node').level, 'medium');
  });

  it('is deterministic and caps matches per rule', () => {
    const code = 'import subprocess\n'.repeat(50);
    const a = score(code, 'python');
    const b = score(code, 'python');
    assert.deepEqual(a, b);
    assert.ok(a.findings.length <= 5);
  });

  it('gives every rule a unique id and a pattern with the global and multiline flags', () => {
    const ids = BUILT_IN_RULES.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const rule of BUILT_IN_RULES) assert.match(rule.pattern.flags, /g/, rule.id);
  });
});
