/**
 * Issue 15 item 4: removing a finished sandbox never holds the execution's slot. The engine's removal of the
 * execution's own container is held back (as a slow engine under load would) and `execute` must still return its
 * result; the container is gone once the removal may proceed. Cold and pooled paths alike.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type Docker from 'dockerode';
import pino from 'pino';
import { FileArtifactStore } from '../../platform/artifact-store.js';
import { assertDockerReachable, createDockerClient } from '../../sandbox/docker-client.js';
import { DockerSandbox } from '../../sandbox/docker-sandbox.js';
import { ensureSandboxImage } from '../../sandbox/image/ensure-sandbox-image.js';
import { resolveLimits } from '../../schemas/action.js';

const RUN_ID = `it-cleanup-slot-${process.pid}-${Date.now()}`;

/**
 * The real engine, except that removing a container named in `held` waits until `letGo()`: every other call goes
 * straight through. `requested` lists the held removals that were asked for.
 */
function holdingRemovals(docker: Docker) {
  const held = new Set<string>();
  const requested = new Set<string>();
  let letGo!: () => void;
  const gate = new Promise<void>((resolve) => (letGo = resolve));
  const bound = <T extends object>(target: T, prop: string | symbol) => {
    const value = Reflect.get(target, prop) as unknown;
    return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
  };
  const engine = new Proxy(docker, {
    get(target, prop) {
      if (prop !== 'getContainer') return bound(target, prop);
      return (id: string) => {
        const container = target.getContainer(id);
        return new Proxy(container, {
          get(c, p) {
            if (p !== 'remove' || !held.has(id)) return bound(c, p);
            return async (options: object) => {
              requested.add(id);
              await gate;
              return c.remove(options);
            };
          },
        });
      };
    },
  });
  return { engine, held, requested, letGo: () => letGo() };
}

async function exists(docker: Docker, id: string): Promise<boolean> {
  return docker
    .getContainer(id)
    .inspect()
    .then(() => true)
    .catch(() => false);
}

async function eventually(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

void describe('sandbox clean-up off the execution slot', { timeout: 240_000 }, () => {
  let docker: Docker;
  let image: string;
  let artifactDir: string;
  let counter = 0;

  before(async () => {
    docker = createDockerClient();
    await assertDockerReachable(docker);
    ({ image } = await ensureSandboxImage({ docker }));
    artifactDir = await mkdtemp(path.join(tmpdir(), 'airlock-it-cleanup-'));
  });

  after(async () => {
    await rm(artifactDir, { recursive: true, force: true });
  });

  for (const pooled of [false, true]) {
    void it(`returns the result while the ${pooled ? 'pooled' : 'cold'} container's removal is still held`, async () => {
      const removals = holdingRemovals(docker);
      const sandbox = new DockerSandbox({
        docker: removals.engine,
        image,
        artifactStore: new FileArtifactStore(artifactDir),
        logger: pino({ level: 'warn' }),
        ...(pooled ? { warmPool: { perClass: { standard: 1, strong: 0 }, maxClasses: 1, idleSec: 60, acquireWaitMs: 60_000 } } : {}),
      });
      let containerId: string | undefined;
      try {
        const result = await sandbox.execute(
          { runId: RUN_ID, actionId: `a${++counter}`, language: 'python', code: 'print(6 * 7)', limits: resolveLimits({ timeoutSec: 30 }) },
          {
            onContainer: ({ containerId: id }) => {
              containerId = id;
              removals.held.add(id);
            },
          },
        );
        assert.equal(result.stdout.text, '42\n');
        assert.equal(result.sandbox.pooled === true, pooled, 'ran on the path under test');
        assert.ok(containerId, 'the execution reported its container');
        const id = containerId;
        // The removal was asked for but cannot finish: the result did not wait for it.
        await eventually('the removal to be asked for', () => removals.requested.has(id));
        assert.equal(await exists(docker, id), true, 'the container is still there while its removal is held');
        removals.letGo();
        await sandbox.close();
        assert.equal(await exists(docker, id), false, 'the container is gone once its removal may proceed');
      } finally {
        removals.letGo();
        await sandbox.close();
      }
    });
  }
});
