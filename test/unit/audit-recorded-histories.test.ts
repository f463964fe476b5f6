/**
 * The audit of every recorded history stays what it was: each test/histories/*.json has a fixture in
 * test/histories/audit/ with the audit output it gave when it was recorded, and today's code must give the same
 * bytes. Old runs keep their audit whatever the workflow's activity inputs look like now.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { auditFixtureOf } from '../histories/audit-fixture.js';
import { AUDIT_FIXTURES_DIR, HISTORY_FIXTURES_DIR } from '../histories/fixture-dirs.js';

describe('audit of recorded histories', async () => {
  const histories = (await readdir(HISTORY_FIXTURES_DIR)).filter((file) => file.endsWith('.json')).sort();

  it('has a history for each of the recorded paths', () => {
    assert.ok(histories.length >= 7, `expected the recorded histories, found ${histories.join(', ')}`);
  });

  for (const file of histories) {
    const name = path.basename(file, '.json');
    it(`gives the recorded audit of ${name}`, async () => {
      const expected = await readFile(path.join(AUDIT_FIXTURES_DIR, `${name}.txt`), 'utf8').catch(() => undefined);
      assert.ok(expected !== undefined, `test/histories/audit/${name}.txt is missing: record it from the code the history was recorded with`);
      const actual = await auditFixtureOf(path.join(HISTORY_FIXTURES_DIR, file));
      assert.equal(actual, expected);
    });
  }
});
