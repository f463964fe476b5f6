import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { PolicyTestReport } from '../../cli/policy-test.js';
import { SHIPPED_POLICY_PATH } from '../../policy/policy-loader.js';
import { runCli } from '../support/cli.js';

/** The corpus lives in the source tree (it is data, not compiled). */
const CORPUS = fileURLToPath(new URL('../../../test/risk-corpus', import.meta.url));

describe('airlock policy test on the project corpus', () => {
  it('holds every evasion for a human, approves the benign cases, and exits 0', async () => {
    const result = await runCli(['policy', 'test', SHIPPED_POLICY_PATH, '--cases', CORPUS, '--json'], process.env);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const report = JSON.parse(result.stdout) as PolicyTestReport;
    const failed = report.cases.filter((c) => !c.passed).map((c) => `${c.name}: ${c.level} ${c.outcome}`);
    assert.deepEqual(failed, []);
    assert.ok(report.held.total >= 40, `at least 40 evasions, got ${report.held.total}`);
    assert.equal(report.held.rate, 1, 'every evasion is held or denied');
    assert.ok(report.approved.total >= 30, `at least 30 benign cases, got ${report.approved.total}`);
    assert.ok(report.approved.rate >= 0.95, `benign approval rate ${report.approved.rate}`);
    for (const prefix of ['evasive/py-', 'evasive/js-', 'evasive/sh-']) {
      assert.ok(report.cases.filter((c) => c.name.startsWith(prefix)).length >= 10, `evasions for ${prefix}`);
    }
  });

  it('prints a table and exits 1 when a case does not get the level it states', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-cases-'));
    writeFileSync(path.join(dir, 'mislabelled.py'), '# expect: not-low\nprint(sum(range(10)))\n');
    writeFileSync(path.join(dir, 'right.sh'), '# expect: low\necho hello | tr a-z A-Z\n');
    const result = await runCli(['policy', 'test', SHIPPED_POLICY_PATH, '--cases', dir], process.env);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /^FAIL\s+mislabelled\.py\s+python\s+not-low\s+low\s+auto/m);
    assert.match(result.stdout, /^ok\s+right\.sh\s+bash\s+low\s+low\s+auto/m);
    assert.match(result.stdout, /1 passed, 1 failed/);
  });

  it('refuses a case without an expectation, naming it (exit 2)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-cases-'));
    writeFileSync(path.join(dir, 'silent.js'), 'console.log(1);\n');
    const result = await runCli(['policy', 'test', SHIPPED_POLICY_PATH, '--cases', dir], process.env);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /silent\.js: no "expect:" header/);
  });
});
