import { access } from 'node:fs/promises';
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import { MANAGED_LABEL_FILTER } from '../labels.js';
import { removeEgressNetwork } from './egress-network.js';

/**
 * Removes Airlock's egress networks whose owner is gone (per `isOrphan`, the reaper's label rules). Run after the
 * containers are reaped: a network still holding a live container is disconnected only when it is itself an orphan.
 */
export async function removeOrphanNetworks<Reason extends string>(options: {
  docker: Docker;
  logger: Logger;
  orphanReason: (labels: Record<string, string> | undefined) => Reason | undefined;
}): Promise<{ name: string; reason: Reason }[]> {
  const { docker, logger } = options;
  const removed: { name: string; reason: Reason }[] = [];
  const networks = await docker.listNetworks({ filters: { label: [MANAGED_LABEL_FILTER] } });
  for (const network of networks) {
    const reason = options.orphanReason(network.Labels ?? undefined);
    if (!reason) continue;
    try {
      if (await removeEgressNetwork(docker, network.Id, logger)) {
        removed.push({ name: network.Name, reason });
        logger.info({ network: network.Name, reason }, 'removed orphaned egress network');
      }
    } catch (err) {
      logger.warn({ err, network: network.Name }, 'could not remove orphaned egress network');
    }
  }
  return removed;
}

/** Whether a network interface of this name exists on this host (Linux). */
export async function interfaceExists(name: string): Promise<boolean> {
  try {
    await access(`/sys/class/net/${name}`);
    return true;
  } catch {
    return false;
  }
}
