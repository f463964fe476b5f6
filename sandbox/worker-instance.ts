/**
 * Who owns a sandbox: a random id per worker process (not `host:pid`, which is `…:1` for every worker that runs as
 * pid 1 in a container, and the same for two workers on hosts with one name), and a lease that says whether that
 * worker still lives. A worker renews its lease file while it runs; a reaper that sees a fresh lease leaves the
 * owner's containers alone, one that sees a stale lease removes them, and one that sees no lease at all (a worker
 * that shares the engine but not the folder) waits for the deadline.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, readlink, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** `w-` and 24 hex digits. */
const INSTANCE_ID = /^w-[0-9a-f]{24}$/;

/** A new instance id. */
export function newWorkerInstanceId(): string {
  return `w-${randomBytes(12).toString('hex')}`;
}

export function isWorkerInstanceId(value: string): boolean {
  return INSTANCE_ID.test(value);
}

/** How often a worker renews its lease. */
export const LEASE_RENEW_MS = 10_000;
/**
 * After this long without renewal the owner is taken as gone. Longer than the sandbox heartbeat timeout (20 s), so
 * an owner counted gone has had its attempts given up on by Temporal already.
 */
export const LEASE_TTL_MS = 60_000;

/** What a reaper knows about an owner: alive, gone, or nothing (no lease where it can look). */
export type OwnerLiveness = 'alive' | 'gone' | 'unknown';

/** A process as the kernel names it: pid, pid namespace and start time (so a reused pid is a different process). */
interface ProcessIdentity {
  pid: number;
  pidNamespace: string;
  startTicks: string;
}

async function identityOf(pid: number | 'self'): Promise<ProcessIdentity | undefined> {
  try {
    const statText = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (start time), counted after the command name, which may itself hold spaces and parentheses.
    const fields = statText.slice(statText.lastIndexOf(')') + 2).split(' ');
    const pidNamespace = pid === 'self' ? await readlink('/proc/self/ns/pid') : '';
    return { pid: pid === 'self' ? process.pid : pid, pidNamespace, startTicks: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}

const LeaseContent = (value: unknown): Partial<ProcessIdentity> =>
  typeof value === 'object' && value !== null ? (value as Partial<ProcessIdentity>) : {};

/** Leases in one folder, shared by the workers that share a home (and so, usually, an engine). */
export class WorkerLeases {
  constructor(
    private readonly dir: string,
    private readonly ttlMs = LEASE_TTL_MS,
  ) {}

  private fileOf(instanceId: string): string {
    if (!isWorkerInstanceId(instanceId)) throw new Error(`not a worker instance id: ${JSON.stringify(instanceId)}`);
    return path.join(this.dir, `${instanceId}.lease`);
  }

  /** Takes the lease and renews it until the returned function is called (which also gives it up). */
  async hold(instanceId: string, renewMs = LEASE_RENEW_MS): Promise<() => Promise<void>> {
    const file = this.fileOf(instanceId);
    await mkdir(this.dir, { recursive: true });
    const content = JSON.stringify({ ...(await identityOf('self')), since: new Date().toISOString() });
    await writeFile(file, content, { mode: 0o600 });
    const timer = setInterval(() => {
      const now = new Date();
      void utimes(file, now, now).catch(() => writeFile(file, content, { mode: 0o600 }).catch(() => undefined));
    }, renewMs);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await rm(file, { force: true });
    };
  }

  /**
   * Whether the owner lives. In this reaper's own pid namespace the kernel answers at once (the process with that pid
   * and start time exists or not); elsewhere (a worker in another container) the age of its lease does.
   */
  async liveness(instanceId: string, nowMs = Date.now()): Promise<OwnerLiveness> {
    let mtimeMs: number;
    let lease: Partial<ProcessIdentity>;
    try {
      const file = this.fileOf(instanceId);
      mtimeMs = (await stat(file)).mtimeMs;
      lease = LeaseContent(JSON.parse(await readFile(file, 'utf8')));
    } catch {
      return 'unknown';
    }
    if (nowMs - mtimeMs > this.ttlMs) return 'gone';
    const self = await identityOf('self');
    if (self && lease.pidNamespace === self.pidNamespace && typeof lease.pid === 'number') {
      const owner = await identityOf(lease.pid);
      return owner && owner.startTicks === lease.startTicks ? 'alive' : 'gone';
    }
    return 'alive';
  }

  /** Removes leases stale for ten times the TTL (their containers are long gone). */
  async sweep(nowMs = Date.now()): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return;
    }
    for (const name of names) {
      const file = path.join(this.dir, name);
      try {
        if (nowMs - (await stat(file)).mtimeMs > 10 * this.ttlMs) await rm(file, { force: true });
      } catch {
        // Removed meanwhile.
      }
    }
  }
}
