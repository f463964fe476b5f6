import { lookup } from 'node:dns/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ResolveHost } from '../../sandbox/network/egress-proxy.js';

/** A local HTTP server that answers `<label> <method> <path>` and counts what it served. */
export interface LocalServer {
  host: string;
  port: number;
  label: string;
  requests: string[];
  close(): Promise<void>;
}

/** Starts a server on a loopback address of this machine: reachable by the worker's proxy, not by a container. */
export async function startLocalServer(label: string, host = '127.0.0.1'): Promise<LocalServer> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url}${body ? ` ${body}` : ''}`);
      const text = `${label} ${req.method} ${req.url}${body ? ` ${body}` : ''}`;
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: 0 }, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    host,
    port,
    label,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A resolver for the proxy that records every name it is asked, and answers only for names of this machine
 * (`localhost` and the fixed map): a name it does not know fails without any query leaving the machine.
 */
export function recordingResolver(fixed: Record<string, string> = {}): { resolve: ResolveHost; asked: string[] } {
  const asked: string[] = [];
  const resolve: ResolveHost = async (host) => {
    asked.push(host);
    const address = fixed[host];
    if (address) return [{ address, family: address.includes(':') ? 6 : 4 }];
    if (host === 'localhost') return (await lookup('localhost', { all: true })).filter((a) => a.family === 4);
    throw new Error(`test resolver knows no ${host}`);
  };
  return { resolve, asked };
}
