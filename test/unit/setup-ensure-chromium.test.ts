import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { findChromium } from '../../workers/setup/ensure-chromium.js';

describe('findChromium', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  async function fakeBrowser(name: string): Promise<{ dir: string; file: string }> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-chromium-'));
    dirs.push(dir);
    const file = path.join(dir, name);
    await writeFile(file, '#!/bin/sh\n');
    await chmod(file, 0o755);
    return { dir, file };
  }

  it('prefers AIRLOCK_CHROMIUM_PATH, and reports nothing when it is not executable', async () => {
    const { file } = await fakeBrowser('my-chromium');
    assert.equal(await findChromium({ PATH: '', AIRLOCK_CHROMIUM_PATH: file }), file);
    assert.equal(await findChromium({ PATH: '', AIRLOCK_CHROMIUM_PATH: `${file}-missing` }), undefined);
  });

  it('finds chromium or chromium-browser on PATH', async () => {
    const { dir, file } = await fakeBrowser('chromium-browser');
    assert.equal(await findChromium({ PATH: dir }), file);
  });
});
