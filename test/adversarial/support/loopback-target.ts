import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type Docker from 'dockerode';

const run = promisify(execFile);

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
  /** Connections accepted since the last reset, with their remote addresses. */
  accepted: string[];
  reset(): void;
  /** Proves the server answers on an address from the host itself (so "unreachable" from a sandbox means something). */
  reachableFromHost(address: string): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * An address of a host interface. `ip` is asked because Node lists only interfaces that have a carrier, and the
 * bridge has none while no container is attached to it.
 */
async function firstAddress(iface: string, family: 'inet' | 'inet6'): Promise<string | undefined> {
  const { stdout } = await run('ip', ['-json', 'address', 'show', 'dev', iface]).catch(() => ({ stdout: '[]' }));
  const links = JSON.parse(stdout) as { addr_info?: { family: string; local: string }[] }[];
  return links.flatMap((link) => link.addr_info ?? []).find((a) => a.family === family)?.local;
}

/** Starts the target; the bridge addresses come from the engine's `bridge` network and the host's interfaces. */
export async function startLoopbackTarget(docker: Docker): Promise<LoopbackTarget> {
  const bridge = await docker.getNetwork('bridge').inspect();
  const bridgeInterface: string = bridge.Options?.['com.docker.network.bridge.name'] ?? 'docker0';
  const ipam = (bridge.IPAM?.Config ?? []) as { Gateway?: string; Subnet?: string }[];
  const gatewayIpv4 = ipam.find((c) => c.Gateway && !c.Gateway.includes(':'))?.Gateway ?? (await firstAddress(bridgeInterface, 'inet'));
  const gatewayIpv6 = ipam.find((c) => c.Gateway?.includes(':'))?.Gateway ?? (await firstAddress(bridgeInterface, 'inet6'));
  if (!gatewayIpv4 || !gatewayIpv6) {
    throw new Error(`the Docker bridge ${bridgeInterface} has no ${gatewayIpv4 ? 'IPv6' : 'IPv4'} address on this host`);
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
  });
  const port = (server.address() as { port: number }).port;
  return {
    port,
    gatewayIpv4,
    gatewayIpv6,
    bridgeInterface,
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
      }),
  };
}
