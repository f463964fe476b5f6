import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import pino from 'pino';
import { FileArtifactStore } from '../../../platform/artifact-store.js';
import { assertDockerReachable, createDockerClient } from '../../../sandbox/docker-client.js';
import { DockerSandbox } from '../../../sandbox/docker-sandbox.js';
import { ensureSandboxImage } from '../../../sandbox/image/ensure-sandbox-image.js';
import { STRONG_RUNTIME } from '../../../sandbox/isolation.js';
import { LABELS, MANAGED_LABEL_FILTER } from '../../../sandbox/labels.js';
import { resolveLimits, type IsolationLevel } from '../../../schemas/action.js';
import type { AdversarialCase, CaseContext, Program, SandboxPath } from './adversarial-case.js';
import { hostProcessesWithMarker, hostTmpFilesWithMarker } from './host-watch.js';
import { startLoopbackTarget, type LoopbackTarget } from './loopback-target.js';

/** Wall-clock limit of a program unless the case sets its own. */
const DEFAULT_PROGRAM_TIMEOUT_SEC = 20;
/**
 * How long removal of a case's containers may lag behind its last execution (it runs in the background); under
 * gVisor a container left full of processes by a fork bomb has taken over 30 seconds to go (the removal keeps
 * trying for 90, sandbox/remove-container.ts).
 */
const CLEANUP_WAIT_MS = 90_000;
/**
 * Warm pool of the pooled path: small, and every program waits for a warm container rather than run cold, so that
 * the pooled variant of a case really ran pooled (asserted per program).
 */
const POOL = { perClass: { standard: 2, strong: 2 }, maxClasses: 6, idleSec: 300, acquireWaitMs: 120_000 };

/** Everything the cases share: one engine, one image, one artifact folder, one loopback target. */
export interface AdversarialHarness {
  docker: Docker;
  /** Isolation levels this engine can run: `standard` always, `strong` when runsc is registered. */
  isolations: IsolationLevel[];
  /** Runs one case on one path (cold: a container per program; pooled: a leased warm container per program). */
  runCase(testCase: AdversarialCase, isolation: IsolationLevel, path?: SandboxPath): Promise<string>;
  close(): Promise<void>;
}

/** Sets up the shared pieces against the real engine (building the sandbox image if needed). */
export async function createAdversarialHarness(): Promise<AdversarialHarness> {
  const docker = createDockerClient();
  await assertDockerReachable(docker);
  const { image } = await ensureSandboxImage({ docker });
  const artifactDir = await mkdtemp(path.join(tmpdir(), 'airlock-adversarial-'));
  const artifacts = new FileArtifactStore(artifactDir);
  const sandboxes: Record<SandboxPath, DockerSandbox> = {
    cold: new DockerSandbox({ docker, image, artifactStore: artifacts, logger: pino({ level: 'silent' }) }),
    pooled: new DockerSandbox({ docker, image, artifactStore: artifacts, logger: pino({ level: 'silent' }), warmPool: POOL }),
  };
  const info = (await docker.info()) as { Runtimes?: Record<string, unknown> };
  const isolations: IsolationLevel[] = Object.keys(info.Runtimes ?? {}).includes(STRONG_RUNTIME)
    ? ['standard', 'strong']
    : ['standard'];
  const loopback: LoopbackTarget = await startLoopbackTarget(docker, { image });

  /** Pooled containers carry no run id (they exist before the run): they are found by the ids the results name. */
  async function assertNothingLeft(runId: string, marker: string, usedIds: readonly string[]): Promise<void> {
    const filters = { label: [MANAGED_LABEL_FILTER, `${LABELS.runId}=${runId}`] };
    const deadline = Date.now() + CLEANUP_WAIT_MS;
    let containers: string[];
    let volumes: string[];
    do {
      const all = await docker.listContainers({ all: true, filters: { label: [MANAGED_LABEL_FILTER] } });
      containers = all
        .filter((c) => c.Labels[LABELS.runId] === runId || usedIds.includes(c.Id))
        .map((c) => c.Names.join(','));
      volumes = ((await docker.listVolumes({ filters })).Volumes ?? []).map((v) => v.Name);
      if (containers.length === 0 && volumes.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    } while (Date.now() < deadline);
    assert.deepEqual(containers, [], 'no sandbox container may outlive its execution');
    assert.deepEqual(volumes, [], 'no code volume may outlive its execution');
    assert.deepEqual(await hostProcessesWithMarker(marker), [], 'no sandboxed process may survive on the host');
    assert.deepEqual(await hostTmpFilesWithMarker(marker), [], 'nothing written in a sandbox may appear in the host /tmp');
  }

  return {
    docker,
    isolations,
    async runCase(testCase, isolation, path = 'cold') {
      const suffix = randomBytes(4).toString('hex');
      const runId = `adv-${isolation}-${path}-${testCase.id}-${suffix}`;
      const marker = `airlockmark${suffix}`;
      let programs = 0;
      const usedIds: string[] = [];
      const started: string[] = [];
      const ctx: CaseContext = {
        isolation,
        path,
        runId,
        marker,
        artifacts,
        loopback,
        containers: () => started,
        run: async (program: Program) => {
          const result = await sandboxes[path].execute({
            runId,
            actionId: `p${++programs}`,
            language: program.language,
            code: program.code,
            limits: resolveLimits({ timeoutSec: DEFAULT_PROGRAM_TIMEOUT_SEC, ...program.limits }),
            isolation,
            whenStrongUnavailable: 'fail',
            ...(program.outputs ? { outputs: program.outputs } : {}),
          }, { onContainer: ({ containerId }) => started.push(containerId) });
          usedIds.push(result.sandbox.containerId);
          assert.equal(result.sandbox.pooled === true, path === 'pooled', `the program must run on the ${path} path`);
          return result;
        },
      };
      let observed: string;
      try {
        observed = await testCase.attack(ctx);
      } catch (err) {
        // The attack's own failure says more than a clean-up complaint it may have caused.
        await assertNothingLeft(runId, marker, usedIds).catch(() => undefined);
        throw err;
      }
      await assertNothingLeft(runId, marker, usedIds);
      return observed;
    },
    async close() {
      await Promise.all([sandboxes.cold.close(), sandboxes.pooled.close()]);
      await loopback.close();
      await rm(artifactDir, { recursive: true, force: true });
    },
  };
}
