import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ISOLATION_LEVELS } from '../../schemas/action.js';
import { ADVERSARIAL_CASES } from './cases/index.js';
import type { SandboxPath } from './support/adversarial-case.js';
import { createAdversarialHarness, type AdversarialHarness } from './support/case-runner.js';
import { hostTmpUsedBytes } from './support/host-watch.js';

/**
 * The file system holding the host's /tmp (here also Docker's data): other test files running at the same time move
 * it a little, while a leak from this suite would be large (the stdout flood alone writes 1 GiB, the /tmp filler
 * 64 MiB per runtime, had either reached the host or the engine's log storage).
 */
const TMP_DRIFT_BYTES = 256 * 1024 * 1024;

/** Every case runs in a container made for it and again in one leased from the warm pool (sandbox/warm/). */
const PATHS: readonly SandboxPath[] = ['cold', 'pooled'];

/**
 * The adversarial suite: every case, against the real engine, under each isolation level this engine can run, on
 * both sandbox paths. `strong` is skipped (visibly) where gVisor is not registered. Cases whose programs can never be
 * pooled (an allowlist) are declared on the cold path only.
 */
void describe('adversarial suite', { timeout: 1_500_000 }, () => {
  let harness: AdversarialHarness;
  let tmpBefore: number;
  const ready = (async () => {
    harness = await createAdversarialHarness();
    return harness;
  })();
  // Awaited (and reported) by the before hook; this only keeps an early failure from counting as unhandled.
  ready.catch(() => undefined);

  before(async () => {
    await ready;
    tmpBefore = await hostTmpUsedBytes();
  });

  after(async () => {
    await harness?.close();
  });

  for (const isolation of ISOLATION_LEVELS) {
    for (const path of PATHS) {
      void describe(`${isolation} isolation, ${path} container`, () => {
        for (const testCase of ADVERSARIAL_CASES.filter((c) => path === 'cold' || !c.coldOnly)) {
          // Room for the case and for its cleanup wait (case-runner.ts), which under gVisor can take over a minute.
          void it(`${testCase.id}: ${testCase.tries}`, { timeout: testCase.slow ? 270_000 : 150_000 }, async (t) => {
            const h = await ready;
            if (!h.isolations.includes(isolation)) {
              t.skip(`${isolation} isolation is not available on this Docker engine (runsc not registered)`);
              return;
            }
            const observed = await h.runCase(testCase, isolation, path);
            t.diagnostic(observed);
          });
        }
      });
    }
  }

  // Declared last, so it runs after every case of every isolation level.
  void it('leaves the host /tmp where it was', async () => {
    const drift = (await hostTmpUsedBytes()) - tmpBefore;
    assert.ok(drift < TMP_DRIFT_BYTES, `host /tmp grew by ${Math.round(drift / 1024 / 1024)} MiB`);
  });
});
