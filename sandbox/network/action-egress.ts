import type Docker from 'dockerode';
import type { Logger } from 'pino';
import { canonicalIp } from '../../schemas/ip-address.js';
import { parseAllowList, parseDenyEntry, type DenyEntry } from '../../schemas/network.js';
import type { CredentialApply } from '../../schemas/credentials.js';
import { ActionCertificateAuthority } from './action-ca.js';
import { controlPlaneFromEnv, type ControlPlane } from './control-plane.js';
import type { InjectedCredential } from './credential-injection.js';
import type { AddressContext } from './destination-verdict.js';
import { containerAddressOn, createEgressNetwork, egressNetworkNameFor, removeEgressNetwork } from './egress-network.js';
import { EgressProxy, type EgressLog } from './egress-proxy.js';
import { createEgressResolver, type ResolveHost } from './egress-resolver.js';
import { hostAddressBlockList } from './host-addresses.js';
import { installHostGuard } from './host-guard.js';

/** What the container needs to use its egress path, and the way to tear it down. */
export interface ActionEgress {
  /** The internal network the container joins (instead of `none`). */
  networkName: string;
  /** The proxy URL for HTTP_PROXY and HTTPS_PROXY. */
  proxyUrl: string;
  /** With credentials: the action's CA certificate, for the container's trust store (its key stays here). */
  caCertPem?: string;
  /** The attempts so far. */
  log(): EgressLog;
  /**
   * Stops the proxy and removes the network; returns the final record. Call after the container is removed
   * (a network with a container attached is disconnected by force). Safe to call more than once.
   */
  close(): Promise<EgressLog>;
}

export interface OpenActionEgressOptions {
  docker: Docker;
  /** The container that will join the network; the only source the proxy serves. */
  containerName: string;
  /** Canonical allowlist entries (already validated by NetworkRequestSchema). */
  allow: readonly string[];
  /** The sandbox labels (managed, run, action, owner, deadline): the reaper finds a stray network by them. */
  labels: Record<string, string>;
  logger: Logger;
  /** The pinned policy's `network.privateDestinations` (validated by the policy schema). */
  privateDestinations?: readonly string[];
  /** Never a destination; this process's environment describes it when absent. */
  controlPlane?: ControlPlane;
  resolve?: ResolveHost;
  /** Secrets to add for their destinations (canonical allowlist entries, within `allow`), with their values. */
  credentials?: readonly { name: string; destinations: readonly string[]; apply: CredentialApply; value: string }[];
  /** How long the action's CA is valid (the execution's timeout and some margin). */
  authorityLifetimeMs?: number;
  /** Trusted for destinations whose TLS the proxy terminates; Node's bundled roots when absent. */
  upstreamCa?: readonly string[];
}

const DEFAULT_AUTHORITY_LIFETIME_MS = 2 * 3_600_000;

/** The control plane's endpoints as addresses: literals as they are, names through the proxy's resolver. */
async function controlPlaneAddresses(controlPlane: ControlPlane, resolve: ResolveHost, logger: Logger) {
  const found: { address: string; port: number }[] = [];
  for (const { host, port } of controlPlane.endpoints) {
    const literal = canonicalIp(host);
    if (literal) {
      found.push({ address: literal, port });
      continue;
    }
    try {
      for (const { address } of await resolve(host)) {
        const canonical = canonicalIp(address);
        if (canonical) found.push({ address: canonical, port });
      }
    } catch (err) {
      // Its port is still refused on every local and private address.
      logger.warn({ err, host }, 'could not resolve a control-plane endpoint for the egress proxy');
    }
  }
  return found;
}

function parsePrivateDestinations(entries: readonly string[] | undefined): DenyEntry[] {
  return (entries ?? []).map((text) => {
    const parsed = parseDenyEntry(text);
    if (typeof parsed === 'string') throw new Error(`invalid private destination in the policy: ${parsed}`);
    return parsed;
  });
}

/**
 * Gives one action its egress path: a fresh internal network and a proxy listening on that network's gateway.
 * The proxy serves only the container of this action, as Docker knows it on this network, and a host firewall
 * guard keeps the container from reaching anything else on the host past the proxy.
 */
export async function openActionEgress(options: OpenActionEgressOptions): Promise<ActionEgress> {
  const { docker, containerName, logger } = options;
  const allow = parseAllowList(options.allow);
  const privateDestinations = parsePrivateDestinations(options.privateDestinations);
  const resolve = options.resolve ?? createEgressResolver();
  const controlPlane = options.controlPlane ?? controlPlaneFromEnv();
  const addressContext: AddressContext = {
    hostAddresses: await hostAddressBlockList(docker),
    controlPlane,
    controlPlaneAddresses: await controlPlaneAddresses(controlPlane, resolve, logger),
  };
  const network = await createEgressNetwork(docker, {
    name: egressNetworkNameFor(containerName),
    labels: options.labels,
    logger,
  });
  const credentials: InjectedCredential[] = (options.credentials ?? []).map((c) => ({ ...c, destinations: parseAllowList(c.destinations) }));
  // A fresh authority per action: a certificate it issues is trusted by this action's container only.
  const authority =
    credentials.length > 0
      ? new ActionCertificateAuthority({ label: containerName, lifetimeMs: options.authorityLifetimeMs ?? DEFAULT_AUTHORITY_LIFETIME_MS })
      : undefined;
  const proxy = new EgressProxy({
    listenHost: network.gateway,
    ...(credentials.length > 0 ? { credentials } : {}),
    ...(authority ? { authority } : {}),
    ...(options.upstreamCa ? { upstreamCa: options.upstreamCa } : {}),
    allow,
    logger,
    privateDestinations,
    addressContext,
    resolve,
    isOwnSource: async (address) => (await containerAddressOn(docker, network.id, containerName)) === address,
  });
  let removeGuard: () => Promise<void>;
  try {
    const { port } = await proxy.start();
    removeGuard = await installHostGuard({ bridge: network.bridge, gateway: network.gateway, port, logger });
  } catch (err) {
    await proxy.close();
    await removeEgressNetwork(docker, network.id, logger).catch(() => undefined);
    throw err;
  }
  logger.info(
    { network: network.name, subnet: network.subnet, proxy: proxy.url, allow: options.allow, credentials: credentials.map((c) => c.name) },
    'egress path open',
  );

  let closing: Promise<EgressLog> | undefined;
  return {
    networkName: network.name,
    proxyUrl: proxy.url,
    ...(authority ? { caCertPem: authority.certPem } : {}),
    log: () => proxy.log(),
    close() {
      closing ??= (async () => {
        const final = await proxy.close();
        await removeGuard();
        try {
          await removeEgressNetwork(docker, network.id, logger);
        } catch (err) {
          logger.error({ err, network: network.name }, 'could not remove the egress network; the reaper will retry');
        }
        logger.info({ network: network.name, attempts: final.attempts.length, omitted: final.omitted }, 'egress path closed');
        return final;
      })();
      return closing;
    },
  };
}
