import os from 'node:os';
import type Docker from 'dockerode';
import { ConfigError, parseEnv } from '../platform/config.js';
import { SandboxHostEnvSchema } from '../schemas/sandbox-host-env.js';
import { STRONG_RUNTIME } from '../sandbox/isolation.js';
import { sandboxTaskQueueFor, strongSandboxTaskQueueFor } from '../workflows/task-queues.js';

/** Sandboxes at once when neither the setting nor the host's sizing says (pure callers such as unit tests). */
const FALLBACK_CAPACITY = 4;

/** One queue a sandbox host polls, with how many of its tasks the host runs at once. */
export interface SandboxQueue {
  taskQueue: string;
  capacity: number;
  kind: 'standard' | 'strong';
}

/** What a sandbox host can run, derived once at start from its settings and its Docker engine. */
export interface SandboxHostPlan {
  runtimes: Array<'runc' | 'runsc'>;
  /** The sandbox image's id on this engine, or undefined when it is not built yet (executions then fail clearly). */
  imageId: string | undefined;
  queues: SandboxQueue[];
  /** Temporal worker identity: the name plus the advertised capabilities, visible in each queue's pollers. */
  identity: string;
}

/**
 * Decides which sandbox queues this host polls. The common queue needs runc; the strong-isolation queue needs gVisor
 * (runsc) on this engine, checked here, so a strong action can only ever reach a host that can run it as asked.
 * Pure apart from the inputs it is given.
 */
export function planSandboxHost(input: {
  controlTaskQueue: string;
  env: NodeJS.ProcessEnv;
  engineRuntimes: readonly string[];
  imageId: string | undefined;
  /** Sandboxes at once when AIRLOCK_SANDBOX_CAPACITY is unset: what the host's cores and memory allow. */
  defaultCapacity?: number;
  hostname?: string;
}): SandboxHostPlan {
  const settings = parseEnv(SandboxHostEnvSchema, input.env);
  const engineHasStrong = input.engineRuntimes.includes(STRONG_RUNTIME);
  let runtimes: Array<'runc' | 'runsc'>;
  if (settings.AIRLOCK_SANDBOX_RUNTIMES === 'auto') {
    runtimes = engineHasStrong ? ['runc', 'runsc'] : ['runc'];
  } else {
    runtimes = [...new Set(settings.AIRLOCK_SANDBOX_RUNTIMES)];
    if (runtimes.includes('runsc') && !engineHasStrong) {
      throw new ConfigError(
        `AIRLOCK_SANDBOX_RUNTIMES lists runsc but this Docker engine has only ${input.engineRuntimes.join(', ') || 'no runtimes'}: install gVisor or leave runsc out`,
      );
    }
  }
  const capacity = settings.AIRLOCK_SANDBOX_CAPACITY ?? input.defaultCapacity ?? FALLBACK_CAPACITY;
  const queues: SandboxQueue[] = [];
  if (runtimes.includes('runc')) queues.push({ taskQueue: sandboxTaskQueueFor(input.controlTaskQueue), capacity, kind: 'standard' });
  if (runtimes.includes('runsc')) {
    queues.push({
      taskQueue: strongSandboxTaskQueueFor(input.controlTaskQueue),
      capacity: settings.AIRLOCK_SANDBOX_STRONG_CAPACITY ?? capacity,
      kind: 'strong',
    });
  }
  const name = settings.AIRLOCK_WORKER_IDENTITY ?? `${process.pid}@${input.hostname ?? os.hostname()}`;
  const image = input.imageId ? input.imageId.replace(/^sha256:/, '').slice(0, 12) : 'none';
  return { runtimes, imageId: input.imageId, queues, identity: `${name} sandbox runtimes=${runtimes.join(',')} image=${image}` };
}

/** Asks the engine what it has: its OCI runtimes and the sandbox image's id. */
export async function inspectSandboxEngine(docker: Docker, imageName: string): Promise<{ engineRuntimes: string[]; imageId: string | undefined }> {
  const info = (await docker.info()) as { Runtimes?: Record<string, unknown> };
  const imageId = await docker
    .getImage(imageName)
    .inspect()
    .then((image) => image.Id)
    .catch(() => undefined);
  return { engineRuntimes: Object.keys(info.Runtimes ?? {}), imageId };
}
