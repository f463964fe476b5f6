import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { FileArtifactStore } from '../../platform/artifact-store.js';
import { startArtifactTempSweep } from '../../workers/artifact-temp-sweep.js';

const HOUR_MS = 60 * 60 * 1000;

/** A temporary file as a write interrupted by a crash leaves it, last touched `ageMs` ago. */
async function leftBehind(dir: string, name: string, ageMs: number): Promise<void> {
  const file = path.join(dir, name);
  await writeFile(file, 'half an output');
  const then = new Date(Date.now() - ageMs);
  await utimes(file, then, then);
}

void describe('abandoned temporary artifact files', () => {
  let dir: string;
  let store: FileArtifactStore;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'airlock-artifact-temp-'));
    store = new FileArtifactStore(dir);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  void it('are removed at start and then periodically, while artifacts and writes in progress stay', async () => {
    const stored = await store.put(Buffer.from('a finished output'));
    await leftBehind(dir, '.tmp-0123456789abcdef-aaaaaaaaaaaaaaaa', 2 * HOUR_MS);
    await leftBehind(dir, '.tmp-0123456789abcdef-bbbbbbbbbbbbbbbb', 1_000);
    const messages: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => messages.push((JSON.parse(line) as { msg: string }).msg) });
    const stop = startArtifactTempSweep({ store, logger, maxAgeMs: HOUR_MS, intervalMs: 50 });
    try {
      await until(async () => !(await readdir(dir)).includes('.tmp-0123456789abcdef-aaaaaaaaaaaaaaaa'));
      // One left behind after start goes at a later sweep.
      await leftBehind(dir, '.tmp-fedcba9876543210-cccccccccccccccc', 3 * HOUR_MS);
      await until(async () => !(await readdir(dir)).includes('.tmp-fedcba9876543210-cccccccccccccccc'));
    } finally {
      await stop();
    }
    assert.deepEqual((await readdir(dir)).sort(), ['.tmp-0123456789abcdef-bbbbbbbbbbbbbbbb', stored.sha256].sort());
    assert.equal((await store.get(stored.sha256))?.toString(), 'a finished output');
    assert.equal(messages.filter((m) => m.startsWith('removed 1 abandoned temporary artifact file')).length, 2);
  });

  void it('finds nothing to do in a store that has no folder yet', async () => {
    assert.deepEqual(await new FileArtifactStore(path.join(dir, 'not-yet')).sweepTemporaryFiles(0), []);
  });
});

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.fail('condition not reached');
}
