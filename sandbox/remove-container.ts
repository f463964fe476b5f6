import type Docker from 'dockerode';
import { delay } from '../platform/delay.js';
import { hasDockerStatus } from './docker-errors.js';

/**
 * How long a removal keeps trying. Under gVisor a container left full of processes (a fork bomb) can take tens of
 * seconds to die, and the engine answers 409 (removal in progress) or 500 (no exit event yet) meanwhile; giving up
 * early would leave it to the reaper's next pass, minutes later.
 */
const REMOVE_BUDGET_MS = 90_000;
const RETRY_STEP_MS = 250;
const MAX_RETRY_MS = 2_000;

/**
 * Force-removes a container (and its anonymous volumes), retrying every failure but "no such container" until it is
 * gone or the budget is spent. Resolves once it is gone; rejects with the engine's last error otherwise.
 */
export async function removeContainerPatiently(docker: Docker, idOrName: string, budgetMs = REMOVE_BUDGET_MS): Promise<void> {
  const deadline = Date.now() + budgetMs;
  for (let attempt = 1; ; attempt++) {
    try {
      await docker.getContainer(idOrName).remove({ force: true, v: true });
      return;
    } catch (err) {
      if (hasDockerStatus(err, 404)) return;
      if (Date.now() >= deadline) throw err;
      await delay(Math.min(MAX_RETRY_MS, RETRY_STEP_MS * attempt));
    }
  }
}

/**
 * Removes the code volumes with these labels that no container uses, retrying while the engine does not answer,
 * until none is left or the budget is spent. For a container create that failed half way (the engine stopping
 * during the call can leave the anonymous code volume behind without its container); a volume still in use (409)
 * is not this call's to remove.
 */
export async function removeUnusedVolumesPatiently(docker: Docker, labels: readonly string[], budgetMs = REMOVE_BUDGET_MS): Promise<void> {
  const deadline = Date.now() + budgetMs;
  for (let attempt = 1; ; attempt++) {
    try {
      const { Volumes: volumes } = await docker.listVolumes({ filters: { label: [...labels], dangling: ['true'] } });
      for (const volume of volumes ?? []) {
        await docker.getVolume(volume.Name).remove().catch((err: unknown) => {
          if (!hasDockerStatus(err, 404) && !hasDockerStatus(err, 409)) throw err;
        });
      }
      return;
    } catch (err) {
      if (Date.now() >= deadline) throw err;
      await delay(Math.min(MAX_RETRY_MS, RETRY_STEP_MS * attempt));
    }
  }
}
