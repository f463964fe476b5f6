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
import type { AdversarialCase, CaseContext, Program } from './adversarial-case.js';
import { hostProcessesWithMarker, hostTmpFilesWithMarker } from './host-watch.js';
import { startLoopbackTarget, type LoopbackTarget } from './loopback-target.js';

/** Wall-clock limit of a program unless the case sets its own. */
const DEFAULT_PROGRAM_TIMEOUT_SEC = 20;
/** How long removal of a case's containers may lag behind its last execution. */
const CLEANUP_WAIT_MS = 5_000;

/** Everything the cases share: one engine, one image, one artifact folder, one loopback target. */
export interface AdversarialHarness {
  docker: Docker;
  /** Isolation levels this engine can run: `standard` always, `strong` when runsc is registered. */
  isolations: IsolationLevel[];
  runCase(testCase: AdversarialCase, isolation: IsolationLevel): Promise<string>;
  close(): Promise<void>;
}

/** Sets up the shared pieces against the real engine (building the sandbox image if needed). */
export async function createAdversarialHarness(): Promise<AdversarialHarness> {
  const docker = createDockerClient();
  await assertDockerReachable(docker);
  const { image } = await ensureSandboxImage({ docker });
  const artifactDir = await mkdtemp(path.join(tmpdir(), 'airlock-adversarial-'));
  const artifacts = new FileArtifactStore(artifactDir);
  const sandbox = new DockerSandbox({ docker, image, artifactStore: artifacts, logger: pino({ level: 'silent' }) });
  const info = (await docker.info()) as { Runtimes?: Record<string, unknown> };
  const isolations: IsolationLevel[] = Object.keys(info.Runtimes ?? {}).includes(STRONG_RUNTIME)
    ? ['standard', 'strong']
    : ['standard'];
  const loopback: LoopbackTarget = await startLoopbackTarget(docker, { image });

  async function assertNothingLeft(runId: string, marker: string): Promise<void> {
    const filters = { label: [MANAGED_LABEL_FILTER, `${LABELS.runId}=${runId}`] };
    const deadline = Date.now() + CLEANUP_WAIT_MS;
    let containers: string[];
    let volumes: string[];
    do {
      containers = (await docker.listContainers({ all: true, filters })).map((c) => c.Names.join(','));
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
    async runCase(testCase, isolation) {
      const suffix = randomBytes(4).toString('hex');
      const runId = `adv-${isolation}-${testCase.id}-${suffix}`;
      const marker = `airlockmark${suffix}`;
      let programs = 0;
      const ctx: CaseContext = {
        isolation,
        runId,
        marker,
        artifacts,
        loopback,
        run: (program: Program) =>
          sandbox.execute({
            runId,
            actionId: `p${++programs}`,
            language: program.language,
            code: program.code,
            limits: resolveLimits({ timeoutSec: DEFAULT_PROGRAM_TIMEOUT_SEC, ...program.limits }),
            isolation,
            whenStrongUnavailable: 'fail',
            ...(program.outputs ? { outputs: program.outputs } : {}),
          }),
      };
      let observed: string;
      try {
        observed = await testCase.attack(ctx);
      } catch (err) {
        // The attack's own failure says more than a clean-up complaint it may have caused.
        await assertNothingLeft(runId, marker).catch(() => undefined);
        throw err;
      }
      await assertNothingLeft(runId, marker);
      return observed;
    },
    async close() {
      await loopback.close();
      await rm(artifactDir, { recursive: true, force: true });
    },
  };
}
