import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import { hasDockerStatus } from '../docker-errors.js';

/** An internal Docker network made for one action: no route out, only that action's container on it. */
export interface EgressNetwork {
  id: string;
  name: string;
  /** The host-side bridge interface (Airlock names it, so the firewall rules can refer to it). */
  bridge: string;
  /** The host's address on the network's bridge: where the egress proxy listens. */
  gateway: string;
  subnet: string;
}

/** The network name for a container: derived from it, so a retried attempt finds the network of the last one. */
export function egressNetworkNameFor(containerName: string): string {
  return `${containerName}-egress`;
}

/** A Linux interface name (at most 15 characters) derived from the network name. */
export function bridgeNameFor(networkName: string): string {
  return `alk${createHash('sha256').update(networkName).digest('hex').slice(0, 12)}`;
}

/** Docker created the network but did not report the address range it chose. */
export class EgressNetworkAddressError extends Error {
  override readonly name = 'EgressNetworkAddressError';
  constructor(readonly network: string) {
    super(`Docker reported no IPv4 subnet and gateway for the egress network ${network}`);
  }
}

/**
 * Creates an internal bridge network (Docker adds no route out of it and no NAT) labelled like the sandbox
 * containers, so the reaper removes it when its worker dies. Any network of the same name (a crashed attempt's)
 * is removed first.
 */
export async function createEgressNetwork(
  docker: Docker,
  input: { name: string; labels: Record<string, string>; logger: Logger },
): Promise<EgressNetwork> {
  await removeEgressNetwork(docker, input.name, input.logger);
  const bridge = bridgeNameFor(input.name);
  const network = await docker.createNetwork({
    Name: input.name,
    Driver: 'bridge',
    Internal: true,
    Attachable: false,
    CheckDuplicate: true,
    EnableIPv6: false,
    Labels: { ...input.labels },
    Options: {
      'com.docker.network.bridge.name': bridge,
      // One container per network anyway; no inter-container traffic even if a second one were attached.
      'com.docker.network.bridge.enable_icc': 'false',
      'com.docker.network.bridge.enable_ip_masquerade': 'false',
    },
  });
  try {
    const info = (await network.inspect()) as { Id: string; IPAM?: { Config?: { Subnet?: string; Gateway?: string }[] } };
    const config = info.IPAM?.Config?.find((c) => c.Subnet && c.Gateway && !c.Subnet.includes(':'));
    if (!config?.Subnet || !config.Gateway) throw new EgressNetworkAddressError(input.name);
    return { id: info.Id, name: input.name, bridge, gateway: config.Gateway, subnet: config.Subnet };
  } catch (err) {
    await removeEgressNetwork(docker, network.id, input.logger);
    throw err;
  }
}

/**
 * The IPv4 address of a named container on the network, from Docker's own view of it; undefined when that
 * container is not attached (yet, or any more).
 */
export async function containerAddressOn(docker: Docker, networkId: string, containerName: string): Promise<string | undefined> {
  const info = (await docker.getNetwork(networkId).inspect()) as {
    Containers?: Record<string, { Name?: string; IPv4Address?: string }>;
  };
  for (const endpoint of Object.values(info.Containers ?? {})) {
    if (endpoint.Name === containerName && endpoint.IPv4Address) return endpoint.IPv4Address.split('/')[0];
  }
  return undefined;
}

/** Removes the network after disconnecting anything still attached; absent is fine. */
export async function removeEgressNetwork(docker: Docker, idOrName: string, logger: Logger): Promise<boolean> {
  const network = docker.getNetwork(idOrName);
  try {
    const info = (await network.inspect()) as { Containers?: Record<string, unknown> };
    for (const containerId of Object.keys(info.Containers ?? {})) {
      await network.disconnect({ Container: containerId, Force: true }).catch((err: unknown) => {
        if (!hasDockerStatus(err, 404)) logger.debug({ err, network: idOrName }, 'could not disconnect from egress network');
      });
    }
    await network.remove();
    logger.debug({ network: idOrName }, 'egress network removed');
    return true;
  } catch (err) {
    if (hasDockerStatus(err, 404)) return false;
    throw err;
  }
}
