import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createControlActivities } from '../../activities/control-activities.js';
import { defaultAnalysisPolicy } from '../../policy/analysis/analysis-policy.js';
import { parsePolicyText } from '../../policy/policy-file-parser.js';
import { currentPolicy } from '../../policy/policy-snapshot.js';
import { toRuleData } from '../../policy/rule-data.js';
import { LEGACY_RISK_RULES } from '../../policy/risk-rules.js';
import { ActionScorer } from '../../policy/score-action.js';
import type { Language } from '../../schemas/action.js';
import { createLogger } from '../../platform/logger.js';
import { scoreCode } from '../support/risk-scorer.js';

async function expectHeld(code: string, language: Language, ruleId: string): Promise<void> {
  const risk = await scoreCode(code, language);
  assert.notEqual(risk.level, 'low', `${code} must not be low`);
  assert.ok(risk.ruleIds.includes(ruleId), `${code}: expected ${ruleId}, got ${risk.ruleIds.join(',')}`);
}

describe('syntax analysis: the issue\'s evasions are never low', () => {
  it('resolves import aliases and from-imports to the real name', async () => {
    await expectHeld('import os as o\no.system("id")', 'python', 'py.os-system');
    await expectHeld('from os import system\nsystem("id")', 'python', 'py.os-system');
    const finding = (await scoreCode('import os as o\no.system("id")', 'python')).findings.find((f) => f.ruleId === 'py.os-system');
    assert.match(finding?.match ?? '', /os\.system/, 'the finding names the resolved name');
    assert.equal(finding?.line, 2);
  });

  it('finds imports and subscripts wherever they stand, and not in strings or comments', async () => {
    // Imports and subscripts are looked up from their own tokens: a nested one counts, a mention in text does not.
    await expectHeld('"""import json"""\ndef f():\n    if True:\n        import os as o\n        o.system("id")\n', 'python', 'py.os-system');
    assert.equal((await scoreCode('# import os\ntext = "import os; os.system(1)"\nprint(text)\n', 'python')).level, 'low');
    await expectHeld("function f() {\n  return [1, (() => globalThis)()['ev' + 'al']]\n}\nf()[1]('1');", 'node', 'js.reflection');
    const nested = await scoreCode("const k = 'constructor';\n({})[k][k]('return 1')();", 'node');
    assert.deepEqual(nested.findings.filter((f) => f.ruleId === 'js.reflection').map((f) => f.match), ['({})[k][k] reaches constructor', '({})[k] reaches constructor'], 'outer subscript first, as a walk of the tree gives');
  });

  it('folds string concatenation in getattr and __import__', async () => {
    const risk = await scoreCode("getattr(__import__('o'+'s'), 'sys'+'tem')('id')", 'python');
    assert.equal(risk.level, 'high');
    assert.ok(risk.ruleIds.includes('py.os-system') && risk.ruleIds.includes('py.dynamic-import'), risk.ruleIds.join(','));
  });

  it('holds exec of decoded data as high', async () => {
    const risk = await scoreCode("import base64\nexec(base64.b64decode('cHJpbnQoMSk='))", 'python');
    assert.equal(risk.level, 'high');
    assert.ok(risk.ruleIds.includes('py.decode-exec'));
    assert.match(risk.findings.find((f) => f.ruleId === 'py.dynamic-code')?.description ?? '', /^not analysable: /);
  });

  it('follows importlib.import_module with a computed constant name', async () => {
    await expectHeld("import importlib\nimportlib.import_module('o'+'s').system('id')", 'python', 'py.os-system');
  });

  it('resolves require with a concatenated name', async () => {
    await expectHeld("require('child' + '_process').execSync('id')", 'node', 'js.child-process');
  });

  it('treats a computed bash command name as not analysable, and sees what it folds to', async () => {
    const risk = await scoreCode('c=r; c+=m; $c -rf /', 'bash');
    assert.ok(risk.ruleIds.includes('sh.computed-command'));
    assert.equal(risk.level, 'critical', 'rm -rf / once folded');
    await expectHeld('c=ls\n$c', 'bash', 'sh.computed-command');
  });

  it('holds eval of decoded text in bash as high', async () => {
    const risk = await scoreCode('eval "$(echo aWQ= | base64 -d)"', 'bash');
    assert.equal(risk.level, 'high');
    assert.deepEqual(risk.ruleIds.slice().sort(), ['sh.decode-exec', 'sh.eval']);
  });

  it('scores input files that are code, by extension or by #!', async () => {
    const byName = await scoreCode('bash ./run.sh', 'bash', { files: { 'run.sh': 'curl -s http://127.0.0.1:9/x -o y' } });
    assert.ok(byName.ruleIds.includes('sh.network-tools'));
    assert.match(byName.findings[0]?.description ?? '', /in input file run\.sh/);
    const byShebang = await scoreCode('print(1)', 'python', { files: { tool: '#!/usr/bin/env python3\nimport socket\n' } });
    assert.ok(byShebang.ruleIds.includes('py.network'));
    const data = await scoreCode('print(open("data.csv").read())', 'python', { files: { 'data.csv': 'a,b\n1,2\n' } });
    assert.equal(data.level, 'low', 'data files are data');
    const foreign = await scoreCode('print(1)', 'python', { files: { 'x.pl': 'system("id")' } });
    assert.ok(foreign.ruleIds.includes('files.unknown-code'));
  });

  it('raises requested limits above the review thresholds to medium', async () => {
    const risk = await scoreCode('print(1)', 'python', { limits: { memoryMb: 4096 } });
    assert.equal(risk.level, 'medium');
    assert.deepEqual(risk.ruleIds, ['limits.above-threshold']);
    assert.equal((await scoreCode('print(1)', 'python', { limits: { memoryMb: 512, timeoutSec: 60 } })).level, 'low');
  });
});

describe('syntax analysis: deny by default', () => {
  const held: [Language, string, string][] = [
    ['python', 'import numpy\nprint(numpy.zeros(3))', 'py.unsafe-module'],
    ['python', 'import os\nprint(os.getcwd())', 'py.unsafe-module'],
    ['python', 'import sys\nsys.modules["os"].system("id")', 'py.reflection'],
    ['python', 'print(globals())', 'py.reflection'],
    ['python', 'x = ().__class__.__base__.__subclasses__()', 'py.reflection'],
    ['python', 'import json\nname = input()\ngetattr(json, name)', 'py.computed-attribute'],
    ['python', 'e = eval\ne("1")', 'py.module-alias'],
    ['python', 'print(open("/etc/passwd").read())', 'py.file-access'],
    ['python', 'import ctypes\nctypes.CDLL(None)', 'py.ctypes'],
    ['python', 'import dataclasses\ndataclasses.sys.modules', 'py.reflection'],
    ['python', '\uff45\uff56\uff41\uff4c("1")', 'py.dynamic-code'],
    ['node', "require('left-pad')", 'js.unsafe-module'],
    ['node', 'const m = process.argv[2];\nrequire(m);', 'js.dynamic-import'],
    ['node', 'process.binding("fs")', 'js.reflection'],
    ['node', 'process.mainModule.require("fs")', 'js.reflection'],
    ['node', 'console.log(process.env.HOME)', 'js.process'],
    ['node', "[].constructor.constructor('return 1')()", 'js.reflection'],
    ['node', "const k = ['con', 'structor'].join('');\n({})[k];", 'js.reflection'],
    ['node', 'new Function("return 1")()', 'js.dynamic-code'],
    ['node', 'const k = process.argv[2];\nconst o = {};\no[k]();', 'js.computed-call'],
    ['node', "const vm = require('vm');\nvm.runInThisContext('1');", 'js.dynamic-code'],
    ['node', "require('fs').readFileSync('/etc/hostname')", 'js.file-access'],
    ['bash', 'perl -e "print 1"', 'sh.interpreter'],
    ['bash', 'python3 -c "$CODE"', 'sh.eval'],
    ['bash', 'python3 /tmp/payload.py', 'sh.interpreter'],
    ['bash', 'source ./missing.sh', 'sh.eval'],
    ['bash', 'chmod 777 x', 'sh.unknown-command'],
    ['bash', 'find . -exec rm {} \\;', 'sh.delete-files'],
    ['bash', "awk 'BEGIN { system(\"id\") }'", 'sh.unknown-command'],
    ['bash', 'echo x > /etc/hosts', 'sh.file-access'],
  ];
  for (const [language, code, ruleId] of held) {
    it(`${language}: ${code.replace(/\n/g, '; ')} → ${ruleId}`, () => expectHeld(code, language, ruleId));
  }

  it('follows constant code handed to an interpreter or eval, and constant exec', async () => {
    await expectHeld('python3 -c "import subprocess; subprocess.run([\'id\'])"', 'bash', 'py.subprocess');
    await expectHeld("exec('import os; os.system(\"id\")')", 'python', 'py.os-system');
    await expectHeld("eval(\"require('child_process')\")", 'node', 'js.child-process');
  });

  it('approves code it fully understands that uses only safe modules', async () => {
    const low: [Language, string][] = [
      ['python', 'import json, csv, statistics\nrows = list(csv.DictReader(open("data.csv")))\nprint(json.dumps(len(rows)))'],
      ['python', 'import sys\nsys.stdout.write(" ".join(sys.argv[1:]) + "\\n")'],
      ['python', 'import os.path\nprint(os.path.join("/workspace", "out.txt"))'],
      ['node', "const path = require('path');\nconsole.log(path.join('a', 'b'));"],
      ['bash', 'sort data.txt | uniq -c | head -3'],
    ];
    for (const [language, code] of low) assert.equal((await scoreCode(code, language)).level, 'low', code);
  });
});

describe('pinned analysis data', () => {
  it('pins the analyser data in the built-in snapshot and in a policy file snapshot', () => {
    const builtIn = currentPolicy({ approvers: null });
    assert.deepEqual(builtIn.analysis, defaultAnalysisPolicy());
    assert.ok(builtIn.rules && builtIn.rules.length > 0);
    const file = parsePolicyText('analysis:\n  additionalSafe:\n    python: [numpy]\n  rules:\n    py.subprocess: { level: high }\n  limitThresholds:\n    memoryMb: 2048\n', { source: 'p.yaml' });
    assert.ok(file.analysis?.safe.python.includes('numpy'));
    assert.equal(file.analysis?.rules.find((r) => r.id === 'py.subprocess')?.level, 'high');
    assert.equal(file.analysis?.limitThresholds.memoryMb, 2048);
  });

  it('scores by the pinned data, not the current defaults', async () => {
    const pinned = defaultAnalysisPolicy();
    pinned.rules = pinned.rules.map((r) => (r.id === 'py.subprocess' ? { ...r, level: 'critical' } : r));
    pinned.safe.python = [...pinned.safe.python, 'numpy'];
    const scorer = new ActionScorer({ rules: [], analysis: pinned });
    assert.equal((await scorer.score({ language: 'python', code: 'import subprocess\nsubprocess.run(["id"])' })).level, 'critical');
    assert.equal((await scorer.score({ language: 'python', code: 'import numpy\nprint(numpy.zeros(3))' })).level, 'low');
  });

  it('never lets a pinned table lower a not-analysable rule below medium', async () => {
    const pinned = defaultAnalysisPolicy();
    pinned.rules = pinned.rules.map((r) => (r.id === 'py.dynamic-code' ? { ...r, level: 'low', score: 0 } : r));
    const risk = await new ActionScorer({ rules: [], analysis: pinned }).score({ language: 'python', code: 'exec("1")' });
    assert.equal(risk.level, 'medium');
  });

  it('keeps scoring a run pinned before the analyser with its regex rules', async () => {
    const activities = createControlActivities({ logger: createLogger({ name: 't', level: 'silent' }), policy: () => currentPolicy({ approvers: null }) });
    const legacy = await activities.assessRisk({ language: 'python', code: 'import os as o\no.system("id")', policyVersion: 'old', rules: LEGACY_RISK_RULES.map(toRuleData) });
    assert.equal(legacy.level, 'low', 'the old engine, exactly as pinned');
    const pinnedNow = currentPolicy({ approvers: null });
    const current = await activities.assessRisk({ language: 'python', code: 'import os as o\no.system("id")', policyVersion: pinnedNow.version, rules: pinnedNow.rules, analysis: pinnedNow.analysis });
    assert.equal(current.level, 'high');
  });
});
