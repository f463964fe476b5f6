import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parsePolicyText } from '../../policy/policy-file-parser.js';
import { SHIPPED_POLICY_PATH } from '../../policy/policy-loader.js';
import { lintPolicy } from '../../policy/policy-lint.js';
import { LEGACY_RISK_RULES } from '../../policy/risk-rules.js';
import { runCli } from '../support/cli.js';

function policyFile(text: string): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'airlock-policy-')), 'p.yaml');
  writeFileSync(file, text);
  return file;
}

const lint = (text: string) => lintPolicy(text, parsePolicyText(text, { source: 'p.yaml' }));

describe('airlock policy check', () => {
  it('accepts the shipped policy with no warnings', async () => {
    const result = await runCli(['policy', 'check', SHIPPED_POLICY_PATH], process.env);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /valid \(version [0-9a-f]{12}\), 0 warnings/);
  });

  it('reports schema problems with their line and exits 2', async () => {
    const file = policyFile('levels:\n  low:\n    mode: auto\n  high:\n    mode: human\n    quorum: 0\n');
    const result = await runCli(['policy', 'check', file, '--json'], process.env);
    assert.equal(result.code, 2);
    const report = JSON.parse(result.stdout) as { valid: boolean; errors: { line: number; field: string }[] };
    assert.equal(report.valid, false);
    assert.deepEqual(report.errors.map((e) => [e.line, e.field]), [[6, 'levels.high.quorum']]);
  });

  it('refuses weights for analyser rules that do not exist', async () => {
    const file = policyFile('analysis:\n  rules:\n    py.no-such-rule:\n      level: high\n');
    const result = await runCli(['policy', 'check', file], process.env);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /p\.yaml:3:\d+: analysis\.rules\.py\.no-such-rule: no analyser rule has the id/);
  });

  it('warns, with lines, about rules that can never match or take effect', async () => {
    const text = [
      'additionalRules:',
      '  - id: org.never',
      '    description: anchored in the middle',
      "    pattern: 'foo$bar'",
      '    score: 50',
      '    level: high',
      '  - id: org.fine',
      '    description: fine',
      "    pattern: 'db-prod\\.internal$'",
      '    score: 50',
      '    level: high',
      'analysis:',
      '  rules:',
      '    py.dynamic-code:',
      '      level: low',
      '  additionalSafe:',
      '    python: [subprocess, numpy]',
      '',
    ].join('\n');
    const warnings = lint(text);
    assert.deepEqual(
      warnings.map((w) => [w.line, w.field]),
      [
        [4, 'additionalRules[0].pattern'],
        [15, 'analysis.rules.py.dynamic-code.level'],
        [17, 'analysis.additionalSafe.python[0]'],
      ],
    );
    const result = await runCli(['policy', 'check', policyFile(text), '--strict'], process.env);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /p\.yaml:4: warning: additionalRules\[0\]\.pattern: can never match/);
  });

  it('raises no false alarm on any built-in or legacy pattern', () => {
    const rules = LEGACY_RISK_RULES.map((r, i) => `  - id: t.r${i}\n    description: d\n    pattern: ${JSON.stringify(r.pattern.source)}\n    score: 1\n    level: low\n`).join('');
    assert.deepEqual(lint(`additionalRules:\n${rules}`), []);
  });
});
