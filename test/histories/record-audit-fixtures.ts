/**
 * Writes test/histories/audit/<name>.txt: today's audit output of every recorded history. Run it only when the
 * audit's output changes on purpose (the fixtures exist to catch changes that are not):
 *
 *   npx tsc -p . && node dist/test/histories/record-audit-fixtures.js
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { auditFixtureOf } from './audit-fixture.js';
import { AUDIT_FIXTURES_DIR, HISTORY_FIXTURES_DIR } from './fixture-dirs.js';

async function main(): Promise<void> {
  await mkdir(AUDIT_FIXTURES_DIR, { recursive: true });
  for (const name of (await readdir(HISTORY_FIXTURES_DIR)).filter((file) => file.endsWith('.json')).sort()) {
    const target = path.join(AUDIT_FIXTURES_DIR, `${path.basename(name, '.json')}.txt`);
    await writeFile(target, await auditFixtureOf(path.join(HISTORY_FIXTURES_DIR, name)));
    process.stdout.write(`wrote ${target}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
