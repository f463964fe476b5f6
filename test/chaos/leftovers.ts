/**
 * What a fault left behind, counted by the suite's own labels and folders only: containers, volumes and egress
 * networks of the fault's runs, egress firewall rules whose bridge is gone, and temporary files in the suite's
 * journal and artifact folders. The other helpers' objects on a shared engine are never looked at.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { LABELS, MANAGED_LABEL_FILTER } from '../../sandbox/labels.js';
import { GUARD_COMMENT_PREFIX } from '../../sandbox/network/host-guard.js';

const run = promisify(execFile);
/** The reaper of a live worker removes a dead owner's objects within a pass or two. */
const SETTLE_TIMEOUT_MS = 90_000;

export interface Leftover {
  kind: 'container' | 'volume' | 'network' | 'firewall-rule' | 'temp-file';
  name: string;
}

async function labelledObjects(docker: Docker, runIds: readonly string[]): Promise<Leftover[]> {
  const found: Leftover[] = [];
  for (const runId of runIds) {
    const filters = { label: [MANAGED_LABEL_FILTER, `${LABELS.runId}=${runId}`] };
    const [containers, volumes, networks] = await Promise.all([
      docker.listContainers({ all: true, filters }),
      docker.listVolumes({ filters }),
      docker.listNetworks({ filters }),
    ]);
    found.push(...containers.map((c) => ({ kind: 'container' as const, name: c.Names.join(',') })));
    found.push(...(volumes.Volumes ?? []).map((v) => ({ kind: 'volume' as const, name: v.Name })));
    found.push(...networks.map((n) => ({ kind: 'network' as const, name: n.Name })));
  }
  return found;
}

/** Airlock's egress firewall rules whose bridge no longer exists on this host (none without iptables). */
export async function staleFirewallRules(): Promise<string[]> {
  let listing: string;
  try {
    listing = (await run('iptables', ['-w', '-S', 'INPUT'])).stdout;
  } catch {
    return [];
  }
  const stale: string[] = [];
  for (const line of listing.split('\n')) {
    const bridge = new RegExp(`--comment "?${GUARD_COMMENT_PREFIX}([\\w.-]+)"?`).exec(line)?.[1];
    if (bridge && !existsSync(path.join('/sys/class/net', bridge))) stale.push(line);
  }
  return stale;
}

async function tempFiles(home: string): Promise<Leftover[]> {
  const found: Leftover[] = [];
  for (const folder of ['attempts', 'artifacts']) {
    const names = await readdir(path.join(home, folder)).catch(() => [] as string[]);
    found.push(...names.filter((n) => n.startsWith('.tmp-')).map((n) => ({ kind: 'temp-file' as const, name: `${folder}/${n}` })));
  }
  return found;
}

/**
 * Waits (bounded) until the runs' objects are gone, then returns whatever is still there: an orphan is what
 * outlives the clean-up that a live worker's reaper does. `staleRulesBefore` are rules that were stale before the
 * fault began (somebody else's), not counted.
 */
export async function leftoversOf(input: {
  docker: Docker;
  runIds: readonly string[];
  home: string;
  staleRulesBefore: readonly string[];
  timeoutMs?: number;
}): Promise<Leftover[]> {
  const deadline = Date.now() + (input.timeoutMs ?? SETTLE_TIMEOUT_MS);
  for (;;) {
    const rules = (await staleFirewallRules()).filter((rule) => !input.staleRulesBefore.includes(rule));
    const found = [
      ...(await labelledObjects(input.docker, input.runIds)),
      ...rules.map((rule) => ({ kind: 'firewall-rule' as const, name: rule })),
      ...(await tempFiles(input.home)),
    ];
    if (found.length === 0 || Date.now() > deadline) return found;
    await sleep(1_000);
  }
}
