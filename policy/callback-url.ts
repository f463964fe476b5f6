/**
 * Whether the policy lets a run call back to a URL. The agent names the URL, so it could point the workers at any
 * address of the deployment's network: only hosts the admin lists are called, addresses that are never a
 * destination (link-local, metadata, multicast) are refused even if listed, and plain http is for loopback or
 * policies that allow it. Pure: the API checks it at start for a clear 400, the workflow against its pinned policy.
 */
import { callbackUrlShapeProblem, type CallbackPolicy } from '../schemas/callback.js';
import { classifyIp, parseIp } from '../schemas/ip-address.js';
import { entryCovers, forbiddenAddressReason, isIpv4, isLoopbackName, parseDenyEntry, WELL_KNOWN_CONTROL_PLANE_PORTS } from '../schemas/network.js';

const DEFAULT_PORTS: Record<string, number> = { 'https:': 443, 'http:': 80 };

function isLoopback(host: string): boolean {
  const address = parseIp(host);
  return isLoopbackName(host) || (address !== undefined && classifyIp(address).range === 'loopback');
}

/** Why the policy refuses `text` as a callback URL, or undefined when the run may call it. */
export function callbackUrlRefusal(text: string, policy: CallbackPolicy | undefined): string | undefined {
  const shape = callbackUrlShapeProblem(text);
  if (shape) return shape;
  const url = new URL(text);
  // URL keeps IPv6 hosts in brackets; the network helpers take them bare.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  const port = url.port === '' ? (DEFAULT_PORTS[url.protocol] as number) : Number(url.port);
  const literal = isIpv4(host) || host.includes(':');
  const forbidden = literal ? forbiddenAddressReason(host) : undefined;
  if (forbidden) return `callbacks may never go to ${forbidden}`;
  // A POST to Temporal or the Docker API is an attack, not a callback, whatever host the policy lists.
  if (WELL_KNOWN_CONTROL_PLANE_PORTS.includes(port)) return `port ${port} belongs to the control plane (Temporal, Docker) and is never a callback destination`;
  const entries = policy?.allowHosts ?? [];
  if (entries.length === 0) return 'the policy allows no callback hosts (callbacks.allowHosts): ask an admin to list the agent service';
  const listed = entries.some((text) => {
    const entry = parseDenyEntry(text);
    return typeof entry !== 'string' && entryCovers(entry, { host, port });
  });
  if (!listed) return `${host}:${port} is not a callback host the policy lists (callbacks.allowHosts: ${entries.join(', ')})`;
  if (url.protocol === 'http:' && !policy?.allowHttp && !isLoopback(host)) {
    return `plain http to ${host} is not allowed: use https, or set callbacks.allowHttp in the policy`;
  }
  return undefined;
}
