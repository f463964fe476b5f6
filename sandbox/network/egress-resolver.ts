import { Resolver } from 'node:dns/promises';
import { isLoopbackName } from '../../schemas/network.js';

/** Resolves a listed name to addresses; injectable so tests can see which names were looked up. */
export type ResolveHost = (host: string) => Promise<{ address: string; family: number }[]>;

/** A name did not resolve within the proxy's deadline: the code gets a 504, not a hung request. */
export class ResolveTimeoutError extends Error {
  override readonly name = 'ResolveTimeoutError';
  constructor(
    readonly host: string,
    readonly timeoutMs: number,
  ) {
    super(`${host} did not resolve within ${timeoutMs} ms`);
  }
}

export interface EgressResolverOptions {
  /** DNS servers (`address` or `address:port`); the host's resolv.conf servers when absent. */
  servers?: readonly string[];
  /** Deadline of one lookup, both families together. */
  timeoutMs?: number;
  /** Longest time an answer is reused (shorter when the record's TTL is shorter). */
  cacheTtlMs?: number;
  /** Names remembered at most; the oldest is dropped first. */
  maxCacheEntries?: number;
}

const DEFAULT_TIMEOUT_MS = 3_000;
const DEFAULT_CACHE_TTL_MS = 30_000;
const DEFAULT_MAX_CACHE_ENTRIES = 256;
/** c-ares' own per-try timeout; the overall deadline above bounds the retries. */
const TRY_TIMEOUT_MS = 1_000;
const LOOPBACK = [
  { address: '127.0.0.1', family: 4 },
  { address: '::1', family: 6 },
];

/**
 * The egress proxy's resolver: c-ares (`dns.Resolver`), which does its own socket I/O, so a slow or hostile
 * name never occupies libuv's shared thread pool (where file writes, artifact uploads and every other action's
 * lookups wait), with a deadline per lookup and a small cache of answers. Loopback names are answered without
 * asking anyone; the proxy decides whether they may be reached.
 */
export function createEgressResolver(options: EgressResolverOptions = {}): ResolveHost {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const cacheTtlMs = options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
  const maxEntries = options.maxCacheEntries ?? DEFAULT_MAX_CACHE_ENTRIES;
  const resolver = new Resolver({ timeout: Math.min(TRY_TIMEOUT_MS, timeoutMs), tries: 2 });
  if (options.servers) resolver.setServers([...options.servers]);
  const cache = new Map<string, { expires: number; addresses: { address: string; family: number }[] }>();

  const query = async (host: string) => {
    const settle = <T>(p: Promise<T>) => p.then((value) => ({ value }), (error: unknown) => ({ error }));
    const [v4, v6] = await Promise.all([settle(resolver.resolve4(host, { ttl: true })), settle(resolver.resolve6(host, { ttl: true }))]);
    const records = [
      ...('value' in v4 ? v4.value.map((r) => ({ address: r.address, family: 4, ttl: r.ttl })) : []),
      ...('value' in v6 ? v6.value.map((r) => ({ address: r.address, family: 6, ttl: r.ttl })) : []),
    ];
    if (records.length === 0) throw 'error' in v4 ? v4.error : new Error(`${host} has no addresses`);
    const ttlMs = Math.min(cacheTtlMs, ...records.map((r) => r.ttl * 1000));
    const addresses = records.map(({ address, family }) => ({ address, family }));
    if (ttlMs > 0) {
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
      cache.set(host, { expires: Date.now() + ttlMs, addresses });
    }
    return addresses;
  };

  return async (host) => {
    if (isLoopbackName(host)) return LOOPBACK.map((a) => ({ ...a }));
    const cached = cache.get(host);
    if (cached && cached.expires > Date.now()) return cached.addresses.map((a) => ({ ...a }));
    cache.delete(host);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ResolveTimeoutError(host, timeoutMs)), timeoutMs);
    });
    const answer = query(host);
    // A late answer or failure after the deadline is nobody's concern any more.
    answer.catch(() => undefined);
    try {
      return await Promise.race([answer, deadline]);
    } catch (err) {
      if ((err as { code?: string }).code === 'ETIMEOUT') throw new ResolveTimeoutError(host, timeoutMs);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  };
}
