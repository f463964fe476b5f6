import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type Docker from 'dockerode';
import { ensureBridgeIpv6, interfaceAddresses } from './bridge-address.js';

/**
 * A TCP server on this machine, listening on every address (IPv4 and IPv6), that sandboxes try to reach through
 * the Docker bridge's gateway addresses. Only addresses of this machine are ever used: the point is to prove that
 * no packet leaves the sandbox without sending one anywhere else.
 */
export interface LoopbackTarget {
  port: number;
  /** The bridge gateway's IPv4 address (the host's side of docker0). */
  gatewayIpv4: string;
  /** The bridge's IPv6 address on the host, and the interface that scopes it when it is link-local. */
  gatewayIpv6: string;
  bridgeInterface: string;
  /** Whether a throwaway container had to be attached to give the bridge its IPv6 address. */
  carrierAttached: boolean;
  /** Connections accepted since the last reset, with their remote addresses. */
  accepted: string[];
  reset(): void;
  /** Proves the server answers on an address from the host itself (so "unreachable" from a sandbox means something). */
  reachableFromHost(address: string): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Starts the target; the bridge addresses come from a Docker network (the engine's default `bridge` unless named)
 * and the host's interfaces. A bridge with no IPv6 address yet (a freshly installed engine) gets one by having a
 * throwaway container attached for as long as the target lives.
 */
export async function startLoopbackTarget(docker: Docker, options: { image: string; network?: string }): Promise<LoopbackTarget> {
  const network = options.network ?? 'bridge';
  const bridge = await docker.getNetwork(network).inspect();
  const bridgeInterface: string = bridge.Options?.['com.docker.network.bridge.name'] ?? (network === 'bridge' ? 'docker0' : `br-${String(bridge.Id).slice(0, 12)}`);
  const ipam = (bridge.IPAM?.Config ?? []) as { Gateway?: string; Subnet?: string }[];
  const gatewayIpv4 = ipam.find((c) => c.Gateway && !c.Gateway.includes(':'))?.Gateway ?? (await interfaceAddresses(bridgeInterface, 'inet'))[0];
  if (!gatewayIpv4) throw new Error(`the Docker bridge ${bridgeInterface} has no IPv4 address on this host`);
  const carrier = await ensureBridgeIpv6({ docker, network, bridgeInterface, image: options.image });
  const gatewayIpv6 = ipam.find((c) => c.Gateway?.includes(':'))?.Gateway ?? (await interfaceAddresses(bridgeInterface, 'inet6'))[0];
  if (!gatewayIpv6) {
    await carrier.release();
    throw new Error(`the Docker bridge ${bridgeInterface} has no IPv6 address on this host`);
  }
  const accepted: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    accepted.push(`${socket.remoteAddress}:${socket.remotePort}`);
    sockets.add(socket);
    socket.on('error', () => undefined); // a peer that resets is no concern of the target
    socket.on('close', () => sockets.delete(socket));
    socket.end('airlock-loopback-target\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '::', port: 0, ipv6Only: false }, () => resolve());
  }).catch(async (err: unknown) => {
    await carrier.release();
    throw err;
  });
  const port = (server.address() as { port: number }).port;
  return {
    port,
    gatewayIpv4,
    gatewayIpv6,
    bridgeInterface,
    carrierAttached: carrier.attached,
    accepted,
    reset: () => void accepted.splice(0),
    reachableFromHost: (address) =>
      new Promise((resolve) => {
        const host = address.startsWith('fe80:') ? `${address}%${bridgeInterface}` : address;
        const socket = createConnection({ host, port, timeout: 3_000 });
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
        socket.once('timeout', () => {
          socket.destroy();
          resolve(false);
        });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }).finally(() => carrier.release()),
  };
}
