import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Logger } from 'pino';

const run = promisify(execFile);

/** Marks Airlock's firewall rules, so a sweep finds the ones left behind by a crashed worker. */
export const GUARD_COMMENT_PREFIX = 'airlock-egress:';

/** The host firewall could not be set up, so the egress network would expose the host's own services. */
export class HostGuardError extends Error {
  override readonly name = 'HostGuardError';
  constructor(
    readonly bridge: string,
    options: { cause: unknown },
  ) {
    super(
      `could not restrict what the egress network ${bridge} may reach on this host (iptables failed: ` +
        `${(options.cause as Error).message.split('\n')[0]}). Network allowlists need a sandbox worker that may ` +
        'change the host firewall (root, or CAP_NET_ADMIN with iptables installed); actions without network access ' +
        'are not affected.',
      options,
    );
  }
}

/**
 * The rules for one bridge: the proxy's port is the only thing on the host the container may reach, and only the
 * container (through its bridge) may reach the proxy's port.
 */
export function guardRules(bridge: string, gateway: string, port: number): { table: 'iptables' | 'ip6tables'; rule: string[] }[] {
  const comment = ['-m', 'comment', '--comment', `${GUARD_COMMENT_PREFIX}${bridge}`];
  return [
    // The proxy's port from anywhere but the action's bridge (another container, another interface, the host
    // itself): refused before the proxy sees it, so nothing else can fill its connection slots.
    {
      table: 'iptables',
      rule: ['INPUT', '!', '-i', bridge, '-p', 'tcp', '-d', gateway, '--dport', String(port), ...comment, '-j', 'REJECT'],
    },
    // Inserted in this order at position 1, so the ACCEPT ends up in front of the REJECT.
    { table: 'iptables', rule: ['INPUT', '-i', bridge, ...comment, '-j', 'REJECT'] },
    {
      table: 'iptables',
      rule: ['INPUT', '-i', bridge, '-p', 'tcp', '-d', gateway, '--dport', String(port), ...comment, '-j', 'ACCEPT'],
    },
    { table: 'ip6tables', rule: ['INPUT', '-i', bridge, ...comment, '-j', 'REJECT'] },
  ];
}

/**
 * Docker's internal networks have no route out, but the host itself answers on the gateway address: any service
 * of the host listening on all interfaces would be reachable past the proxy. These rules refuse everything that
 * comes in from the bridge except connections to the proxy. Returns the function that removes them again.
 */
export async function installHostGuard(input: {
  bridge: string;
  gateway: string;
  port: number;
  logger: Logger;
}): Promise<() => Promise<void>> {
  const rules = guardRules(input.bridge, input.gateway, input.port);
  const installed: typeof rules = [];
  const remove = async () => {
    for (const { table, rule } of installed.reverse()) {
      await run(table, ['-w', '-D', ...rule]).catch((err: unknown) =>
        input.logger.warn({ err, bridge: input.bridge }, 'could not remove an egress firewall rule; the reaper will'),
      );
    }
    installed.length = 0;
  };
  try {
    for (const entry of rules) {
      const [chain, ...rest] = entry.rule;
      await run(entry.table, ['-w', '-I', chain as string, '1', ...rest]);
      installed.push(entry);
    }
  } catch (err) {
    await remove();
    throw new HostGuardError(input.bridge, { cause: err });
  }
  return remove;
}

/**
 * Deletes guard rules whose bridge no longer exists (their worker crashed before removing them). Best effort:
 * without iptables there is nothing to sweep.
 */
export async function removeStaleHostGuards(input: {
  bridgeExists: (bridge: string) => Promise<boolean>;
  logger: Logger;
}): Promise<number> {
  let removed = 0;
  for (const table of ['iptables', 'ip6tables'] as const) {
    let listing: string;
    try {
      listing = (await run(table, ['-w', '-S', 'INPUT'])).stdout;
    } catch {
      continue;
    }
    for (const line of listing.split('\n')) {
      const match = new RegExp(`--comment "?${GUARD_COMMENT_PREFIX}([\\w.-]+)"?`).exec(line);
      if (!match || !line.startsWith('-A INPUT ')) continue;
      if (await input.bridgeExists(match[1] as string)) continue;
      const args = splitRule(line.slice(3));
      try {
        await run(table, ['-w', '-D', ...args]);
        removed++;
      } catch (err) {
        input.logger.warn({ err, rule: line }, 'could not remove a stale egress firewall rule');
      }
    }
  }
  return removed;
}

/** Splits an `iptables -S` line into arguments (comments may be quoted). */
function splitRule(text: string): string[] {
  const args: string[] = [];
  for (const match of text.matchAll(/"([^"]*)"|(\S+)/g)) args.push(match[1] ?? (match[2] as string));
  return args;
}
