import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';

const run = promisify(execFile);

/** How long the kernel may take to configure (and finish duplicate address detection on) a link-local address. */
const IPV6_READY_TIMEOUT_MS = 20_000;
const IPV6_POLL_MS = 200;
/**
 * Marks the throwaway container with the pid of the test process that owns it, so one left by a killed test run is
 * recognised and removed by the next, and one of a test file running alongside is left alone.
 */
export const BRIDGE_CARRIER_LABEL = 'dev.airlock.test.bridge-carrier';

interface InterfaceAddress {
  family: string;
  local: string;
  tentative?: boolean;
  dadfailed?: boolean;
}

/**
 * The usable addresses of a host interface. `ip` is asked because Node lists only interfaces that have a carrier,
 * and a bridge has none while no container is attached to it. Tentative addresses (duplicate address detection
 * still running) cannot be bound or reached yet, so they do not count.
 */
export async function interfaceAddresses(iface: string, family: 'inet' | 'inet6'): Promise<string[]> {
  const { stdout } = await run('ip', ['-json', 'address', 'show', 'dev', iface]).catch(() => ({ stdout: '[]' }));
  const links = JSON.parse(stdout || '[]') as { addr_info?: InterfaceAddress[] }[];
  return links
    .flatMap((link) => link.addr_info ?? [])
    .filter((a) => a.family === family && !a.tentative && !a.dadfailed)
    .map((a) => a.local);
}

/** What keeps a bridge's IPv6 address in place; release it when the addresses are no longer needed. */
export interface BridgeCarrier {
  /** Whether a throwaway container had to be attached (the bridge had no IPv6 address of its own). */
  attached: boolean;
  release(): Promise<void>;
}

/**
 * Makes sure the bridge behind a Docker network has an IPv6 address on the host. Linux gives a bridge its
 * link-local address only once the bridge has a carrier, that is once some container is attached to it, so on a
 * freshly installed engine docker0 has none. When that is the case, a throwaway container (the sandbox image,
 * sleeping, no capabilities) is attached until {@link BridgeCarrier.release}, and this waits until the address is
 * usable. Containers left by an earlier, killed run are removed first.
 */
export async function ensureBridgeIpv6(options: {
  docker: Docker;
  network: string;
  bridgeInterface: string;
  image: string;
}): Promise<BridgeCarrier> {
  const { docker, network, bridgeInterface, image } = options;
  await removeStaleCarriers(docker);
  if ((await interfaceAddresses(bridgeInterface, 'inet6')).length > 0) {
    return { attached: false, release: async () => undefined };
  }
  const container = await docker.createContainer({
    name: `airlock-test-bridge-carrier-${randomBytes(4).toString('hex')}`,
    Image: image,
    Cmd: ['sleep', '3600'],
    User: '65534:65534',
    Labels: { [BRIDGE_CARRIER_LABEL]: String(process.pid) },
    HostConfig: {
      NetworkMode: network,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      ReadonlyRootfs: true,
      Init: true,
      AutoRemove: true,
      LogConfig: { Type: 'none', Config: {} },
    },
  });
  const release = async () => {
    await container.remove({ force: true }).catch(() => undefined);
  };
  try {
    await container.start();
    const deadline = Date.now() + IPV6_READY_TIMEOUT_MS;
    while ((await interfaceAddresses(bridgeInterface, 'inet6')).length === 0) {
      if (Date.now() > deadline) {
        throw new Error(
          `the Docker bridge ${bridgeInterface} got no usable IPv6 address within ${IPV6_READY_TIMEOUT_MS / 1000}s ` +
            'of a container being attached (is IPv6 disabled on this host? see `sysctl net.ipv6.conf.all.disable_ipv6`)',
        );
      }
      await sleep(IPV6_POLL_MS);
    }
  } catch (err) {
    await release();
    throw err;
  }
  return { attached: true, release };
}

async function removeStaleCarriers(docker: Docker): Promise<void> {
  const carriers = await docker.listContainers({ all: true, filters: { label: [BRIDGE_CARRIER_LABEL] } });
  const stale = carriers.filter((c) => !processAlive(Number(c.Labels[BRIDGE_CARRIER_LABEL])));
  await Promise.all(stale.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
