import type Docker from 'dockerode';
import type { Logger } from 'pino';
import { removeContainerPatiently } from '../remove-container.js';
import { LABELS, type LabelOwner } from '../labels.js';
import type { SandboxUidAllocator } from '../uid-allocator.js';
import type { PoolClass } from './pool-class.js';
import { startWarmContainer, warmCodeArchive, type WarmContainer } from './warm-container.js';

export interface WarmPoolOptions {
  docker: Docker;
  logger: Logger;
  /** Shared with the cold path: a pooled container holds its uid from creation until it is removed. */
  uids: SandboxUidAllocator;
  owner: LabelOwner;
  /** Warm containers kept per class, by isolation level. */
  perClass: { standard: number; strong: number };
  /** Classes kept warm at once; the least recently used one is dropped for a new one. */
  maxClasses: number;
  /** Lifetime of an unused warm container; it stops by itself after that. */
  idleSec: number;
  /** Containers created at once across all classes (creation is what costs the host CPU). */
  fillConcurrency?: number;
  /** How long an acquire waits for a container that is being started before the caller runs cold. */
  acquireWaitMs?: number;
}

/** Retired this long before its zygote would stop by itself, so a lease never races the idle deadline. */
const RETIRE_MARGIN_MS = 15_000;
/** How long an acquire waits, by default, for a container that is being started before it takes the cold path. */
const ACQUIRE_WAIT_MS = 3_000;
/** After a failed start, the class waits this long before it tries again (a broken engine is not hammered). */
const FILL_BACKOFF_MS = 5_000;

interface Waiter {
  resolve: (warm: WarmContainer | undefined) => void;
  timer: NodeJS.Timeout;
}

interface ClassPool {
  poolClass: PoolClass;
  target: number;
  ready: WarmContainer[];
  filling: number;
  waiters: Waiter[];
  lastUsed: number;
  backoffUntil: number;
}

/**
 * Warm single-use sandboxes: per pool class, a few started containers whose zygote waits for its code. A lease takes
 * one out for good; the pool starts a replacement in the background and the used container is removed by
 * `release`, off the caller's critical path. Nothing is ever handed out twice.
 */
export class WarmPool {
  private readonly pools = new Map<string, ClassPool>();
  private readonly cleanups = new Set<Promise<void>>();
  private readonly fills = new Set<Promise<void>>();
  private readonly fillConcurrency: number;
  private filling = 0;
  private closed = false;
  private archive: Promise<Buffer> | undefined;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly options: WarmPoolOptions) {
    this.fillConcurrency = Math.max(1, options.fillConcurrency ?? 2);
    this.sweeper = setInterval(() => this.sweep(), 5_000);
    this.sweeper.unref();
  }

  /** Starts filling a class ahead of any demand (the default class, at worker start). */
  prewarm(poolClass: PoolClass): void {
    this.classPool(poolClass);
    this.refill();
  }

  /**
   * A warm container of this class, or undefined when none can be had quickly (the caller runs cold). The class is
   * remembered, so the next request of the same class finds one.
   */
  async acquire(poolClass: PoolClass): Promise<WarmContainer | undefined> {
    if (this.closed) return undefined;
    const pool = this.classPool(poolClass);
    pool.lastUsed = Date.now();
    const warm = this.takeReady(pool);
    if (warm || pool.target === 0) {
      this.refill();
      return warm;
    }
    this.refill();
    if (pool.filling === 0) return undefined;
    return new Promise((resolve) => {
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => {
          pool.waiters = pool.waiters.filter((w) => w !== waiter);
          resolve(undefined);
        }, this.options.acquireWaitMs ?? ACQUIRE_WAIT_MS),
      };
      pool.waiters.push(waiter);
    });
  }

  /** Ends a leased container: stdin closes (its zygote exits) and it is removed in the background. */
  release(warm: WarmContainer): void {
    this.track(this.destroy(warm, 'used'));
    this.refill();
  }

  /** Removes every idle container and waits for pending removals; no container is started after this. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const pool of this.pools.values()) this.dropClass(pool);
    // A container still starting is removed by its fill once it sees the pool closed.
    while (this.fills.size > 0 || this.cleanups.size > 0) await Promise.allSettled([...this.fills, ...this.cleanups]);
  }

  /** Idle containers by class key (for logs and tests). */
  get idle(): Record<string, number> {
    return Object.fromEntries([...this.pools.entries()].map(([key, pool]) => [key, pool.ready.length]));
  }

  private classPool(poolClass: PoolClass): ClassPool {
    let pool = this.pools.get(poolClass.key);
    if (pool) return pool;
    if (this.pools.size >= this.options.maxClasses) {
      const oldest = [...this.pools.values()].sort((a, b) => a.lastUsed - b.lastUsed)[0];
      if (oldest) {
        this.pools.delete(oldest.poolClass.key);
        this.dropClass(oldest);
      }
    }
    pool = {
      poolClass,
      target: this.options.perClass[poolClass.isolation],
      ready: [],
      filling: 0,
      waiters: [],
      lastUsed: Date.now(),
      backoffUntil: 0,
    };
    this.pools.set(poolClass.key, pool);
    return pool;
  }

  private takeReady(pool: ClassPool): WarmContainer | undefined {
    const now = Date.now();
    while (pool.ready.length > 0) {
      const warm = pool.ready.shift()!;
      if (warm.idleUntil - RETIRE_MARGIN_MS > now) return warm;
      this.track(this.destroy(warm, 'idle lifetime over'));
    }
    return undefined;
  }

  private dropClass(pool: ClassPool): void {
    pool.target = 0;
    for (const warm of pool.ready.splice(0)) this.track(this.destroy(warm, 'pool dropped'));
    for (const waiter of pool.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.resolve(undefined);
    }
  }

  /** Retires containers near their idle deadline; classes nobody asked for within the idle lifetime are not refilled. */
  private sweep(): void {
    const now = Date.now();
    for (const pool of this.pools.values()) {
      const keep: WarmContainer[] = [];
      for (const warm of pool.ready) {
        if (warm.idleUntil - RETIRE_MARGIN_MS > now) keep.push(warm);
        else this.track(this.destroy(warm, 'idle lifetime over'));
      }
      pool.ready = keep;
    }
    this.refill();
  }

  /** Starts containers where a class is below its target, within the fill concurrency. */
  private refill(): void {
    if (this.closed) return;
    const now = Date.now();
    for (const pool of this.pools.values()) {
      const stale = now - pool.lastUsed > this.options.idleSec * 1000 && pool.waiters.length === 0;
      while (
        !stale &&
        this.filling < this.fillConcurrency &&
        pool.backoffUntil <= now &&
        pool.ready.length + pool.filling < pool.target
      ) {
        this.filling++;
        pool.filling++;
        const fill = this.fillOne(pool).finally(() => {
          this.filling--;
          pool.filling--;
          this.fills.delete(fill);
          this.refill();
        });
        this.fills.add(fill);
      }
    }
  }

  private async fillOne(pool: ClassPool): Promise<void> {
    const { docker, logger, uids } = this.options;
    let uid: number | undefined;
    let name: string | undefined;
    try {
      this.archive ??= warmCodeArchive();
      const archive = await this.archive;
      uid = await uids.allocate(async (candidate) => {
        const holders = await docker.listContainers({ all: true, filters: { label: [`${LABELS.uid}=${candidate}`] } });
        return holders.length > 0;
      });
      const warm = await startWarmContainer({
        docker,
        poolClass: pool.poolClass,
        uid,
        owner: this.options.owner,
        idleSec: this.options.idleSec,
        archive,
      });
      name = warm.name;
      uid = undefined; // held by the container from here on
      // It may stop by itself (idle deadline, engine restart): then it is no use and is removed.
      void warm.ended.then(() => {
        const index = pool.ready.indexOf(warm);
        if (index >= 0) {
          pool.ready.splice(index, 1);
          this.track(this.destroy(warm, 'stopped while idle'));
        }
      });
      if (this.closed || pool.target === 0) {
        this.track(this.destroy(warm, 'pool closed'));
        return;
      }
      const waiter = pool.waiters.shift();
      if (waiter) {
        clearTimeout(waiter.timer);
        waiter.resolve(warm);
      } else {
        pool.ready.push(warm);
      }
      logger.debug({ containerName: warm.name, pool: pool.poolClass.key, ms: Date.now() - warm.createdAt }, 'warm sandbox ready');
    } catch (err) {
      pool.backoffUntil = Date.now() + FILL_BACKOFF_MS;
      logger.warn({ err, pool: pool.poolClass.key }, 'could not start a warm sandbox; actions of this class run cold meanwhile');
      if (uid !== undefined) uids.release(uid);
      if (name) await this.removeQuietly(name);
      // Let the waiters go cold at once rather than after their timeout.
      for (const waiter of pool.waiters.splice(0)) {
        clearTimeout(waiter.timer);
        waiter.resolve(undefined);
      }
      setTimeout(() => this.refill(), FILL_BACKOFF_MS).unref();
    }
  }

  private async destroy(warm: WarmContainer, why: string): Promise<void> {
    // Closing stdin ends an idle zygote (and a finished one) by itself; the removal below kills whatever is left.
    try {
      warm.stream.end();
    } catch {
      // already closed
    }
    warm.stream.destroy();
    await this.removeQuietly(warm.id);
    this.options.uids.release(warm.uid);
    this.options.logger.debug({ containerName: warm.name, why }, 'warm sandbox removed');
  }

  private async removeQuietly(idOrName: string): Promise<void> {
    try {
      await removeContainerPatiently(this.options.docker, idOrName);
    } catch (err) {
      this.options.logger.warn({ err, container: idOrName }, 'could not remove a warm sandbox; the reaper will');
    }
  }

  private track(cleanup: Promise<void>): void {
    this.cleanups.add(cleanup);
    void cleanup.finally(() => this.cleanups.delete(cleanup));
  }
}
