import { hostname as hostName } from 'node:os';
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import { hasDockerStatus } from './docker-errors.js';
import { LABELS, MANAGED_LABEL_FILTER, parseDeadline, parseOwner } from './labels.js';
import { removeStaleHostGuards } from './network/host-guard.js';
import { interfaceExists, removeOrphanNetworks } from './network/network-reaper.js';
import type { OwnerLiveness, WorkerLeases } from './worker-instance.js';

/** Why an object counts as an orphan. */
export type OrphanReason = 'deadline-passed' | 'owner-gone' | 'unreadable-labels' | 'unused';

/**
 * A code volume is made by the container create that uses it, in the same engine call; one that no container has
 * used for this long was left by a create the engine cut short (it stopped during the call), whoever its owner is.
 */
export const UNUSED_VOLUME_GRACE_MS = 60_000;

/** Whether a volume that no container uses (`dangling`) was made long enough ago to be a leftover. */
export function unusedLongEnough(createdAt: string | undefined, now: number): boolean {
  const created = createdAt ? Date.parse(createdAt) : Number.NaN;
  return Number.isFinite(created) && now - created >= UNUSED_VOLUME_GRACE_MS;
}

export interface OrphanCheck {
  now: number;
  /** This host's name: legacy `host:pid` owners on other hosts cannot be checked here, only their deadline. */
  host: string;
  isProcessAlive: (pid: number) => boolean;
  /** What the leases say of a worker instance; `unknown` (deadline only) when absent. */
  instanceLiveness?: (instanceId: string) => OwnerLiveness;
}

/** Whether an object with these labels is abandoned, and why; undefined while its owner may still need it. */
export function orphanReason(labels: Record<string, string> | undefined, check: OrphanCheck): OrphanReason | undefined {
  const deadline = parseDeadline(labels?.[LABELS.deadline]);
  const owner = parseOwner(labels?.[LABELS.owner]);
  if (deadline === undefined || owner === undefined) return 'unreadable-labels';
  if (deadline < check.now) return 'deadline-passed';
  if ('instance' in owner) return check.instanceLiveness?.(owner.instance) === 'gone' ? 'owner-gone' : undefined;
  if (owner.host === check.host && !check.isProcessAlive(owner.pid)) return 'owner-gone';
  return undefined;
}

/** Signal 0 checks existence only; EPERM means the process exists but belongs to someone else. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface RemovedOrphans {
  containers: { id: string; name: string; reason: OrphanReason }[];
  volumes: { name: string; reason: OrphanReason }[];
  /** Egress networks (actions with an allowlist); swept after the containers that used them. */
  networks: { name: string; reason: OrphanReason }[];
}

export interface RemoveOrphansOptions {
  docker: Docker;
  logger: Logger;
  check?: Partial<OrphanCheck>;
  /** Where owners' leases are; without them only legacy owners and deadlines are checked. */
  leases?: WorkerLeases;
  /** The sweeping worker's own instance: always alive. */
  self?: string;
}

/** Reads the lease of every instance that owns one of these objects, once. */
async function livenessOf(labels: readonly (Record<string, string> | undefined)[], leases: WorkerLeases | undefined, self: string | undefined, now: number) {
  const known = new Map<string, OwnerLiveness>();
  for (const set of labels) {
    const owner = parseOwner(set?.[LABELS.owner]);
    if (!owner || !('instance' in owner) || known.has(owner.instance)) continue;
    known.set(owner.instance, owner.instance === self ? 'alive' : leases ? await leases.liveness(owner.instance, now) : 'unknown');
  }
  return (instance: string): OwnerLiveness => known.get(instance) ?? 'unknown';
}

/**
 * Removes sandbox containers and code volumes left behind by a crashed worker: those carrying Airlock's managed
 * label whose owner process on this host is gone or whose deadline has passed. Returns what it removed.
 */
export async function removeOrphans(options: RemoveOrphansOptions): Promise<RemovedOrphans> {
  const { docker, logger } = options;
  const check: OrphanCheck = {
    now: options.check?.now ?? Date.now(),
    host: options.check?.host ?? hostName(),
    isProcessAlive: options.check?.isProcessAlive ?? isProcessAlive,
  };
  const filters = { label: [MANAGED_LABEL_FILTER] };
  const removed: RemovedOrphans = { containers: [], volumes: [], networks: [] };

  const containers = await docker.listContainers({ all: true, filters });
  const { Volumes: volumes } = await docker.listVolumes({ filters });
  const { Volumes: unusedVolumes } = await docker.listVolumes({ filters: { ...filters, dangling: ['true'] } });
  const unused = new Set((unusedVolumes ?? []).map((v) => v.Name));
  // Networks too: an egress network can outlive its container by a sweep.
  const networks = await docker.listNetworks({ filters });
  check.instanceLiveness ??= await livenessOf(
    [...containers.map((c) => c.Labels), ...(volumes ?? []).map((v) => v.Labels ?? undefined), ...networks.map((n) => n.Labels ?? undefined)],
    options.leases,
    options.self,
    check.now,
  );
  for (const info of containers) {
    const reason = orphanReason(info.Labels, check);
    if (!reason) continue;
    const name = info.Names[0]?.replace(/^\//, '') ?? info.Id;
    try {
      await docker.getContainer(info.Id).remove({ force: true, v: true });
      removed.containers.push({ id: info.Id, name, reason });
      logger.info({ containerId: info.Id, containerName: name, reason }, 'removed orphaned sandbox container');
    } catch (err) {
      if (!hasDockerStatus(err, 404)) logger.warn({ err, containerId: info.Id }, 'could not remove orphaned container');
    }
  }

  for (const volume of volumes ?? []) {
    const createdAt = (volume as { CreatedAt?: string }).CreatedAt;
    const reason = orphanReason(volume.Labels ?? undefined, check) ?? (unused.has(volume.Name) && unusedLongEnough(createdAt, check.now) ? 'unused' : undefined);
    if (!reason) continue;
    try {
      await docker.getVolume(volume.Name).remove();
      removed.volumes.push({ name: volume.Name, reason });
      logger.info({ volume: volume.Name, reason }, 'removed orphaned sandbox volume');
    } catch (err) {
      // 409: still attached to a container that is not an orphan (yet); 404: removed meanwhile.
      if (!hasDockerStatus(err, 404) && !hasDockerStatus(err, 409)) {
        logger.warn({ err, volume: volume.Name }, 'could not remove orphaned volume');
      }
    }
  }
  removed.networks = await removeOrphanNetworks({ docker, logger, orphanReason: (labels) => orphanReason(labels, check) });
  await removeStaleHostGuards({ bridgeExists: interfaceExists, logger });
  return removed;
}
