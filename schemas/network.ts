import { z } from 'zod';
import { canonicalIp, classifyIp, connectAddress, formatIp, looksNumeric, parseIp, parseIpv4, parseIpv6, type AddressVerdict } from './ip-address.js';

/**
 * Network access an action asks for. Without it the sandbox has no network at all; with it the container may
 * reach exactly the listed destinations, through Airlock's egress proxy and nothing else.
 */

/** Most entries one action may list, whatever the policy says (the policy may cap lower). */
export const MAX_ALLOW_ENTRIES = 64;

/** One parsed allowlist entry. `host` is lower-case, without a trailing dot, IPv6 without brackets. */
export type AllowEntry =
  | { kind: 'name'; host: string; port: number }
  /** `*.example.com`: one extra leftmost label (`api.example.com`), never the bare domain or deeper names. */
  | { kind: 'wildcard'; domain: string; port: number }
  | { kind: 'ip'; host: string; family: 4 | 6; port: number };

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** Whether `text` is a dotted-quad IPv4 address. */
export function isIpv4(text: string): boolean {
  return parseIpv4(text) !== undefined;
}

/** Whether `text` is an IPv6 address (without brackets). */
export function isIpv6(text: string): boolean {
  return parseIpv6(text) !== undefined;
}

/**
 * Why the proxy must never connect to this literal address, or undefined when it may. Decided on the address's
 * bytes (every IPv6 spelling of an IPv4 address is judged as that address): link-local (where cloud metadata
 * services live), the metadata addresses themselves, unspecified, multicast, broadcast and reserved ranges.
 * Loopback and private addresses are not forbidden here: see {@link privateAddressReason}.
 */
export function forbiddenAddressReason(address: string): string | undefined {
  const parsed = parseIp(address);
  if (!parsed) return `${address} is not an IP address`;
  const verdict = classifyIp(parsed);
  return verdict.class === 'forbidden' ? `${address} is ${describeVerdict(verdict)}` : undefined;
}

/**
 * Why this literal address is private (loopback, RFC 1918, CGNAT, ULA, ...), or undefined when it is public or
 * forbidden. A private address is a destination only when the policy names it under `network.privateDestinations`.
 */
export function privateAddressReason(address: string): string | undefined {
  const parsed = parseIp(address);
  if (!parsed) return undefined;
  const verdict = classifyIp(parsed);
  return verdict.class === 'private' ? `${address} is ${describeVerdict(verdict)}` : undefined;
}

function describeVerdict(verdict: AddressVerdict): string {
  return verdict.embeddedIpv4 ? `${verdict.range} (it stands for ${verdict.embeddedIpv4})` : verdict.range;
}

/** Names every resolver answers with loopback itself, without asking DNS. */
export function isLoopbackName(host: string): boolean {
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === 'localhost.localdomain' ||
    host === 'ip6-localhost' ||
    host === 'ip6-loopback'
  );
}

function parsePort(text: string, entry: string): number | string {
  if (!/^\d{1,5}$/.test(text)) return `"${entry}": the port must be a number from 1 to 65535`;
  const port = Number(text);
  if (port < 1 || port > 65_535) return `"${entry}": the port must be a number from 1 to 65535`;
  return port;
}

function nameProblem(name: string, entry: string): string | undefined {
  if (name.length === 0) return `"${entry}": the host is empty`;
  if (name.length > 253) return `"${entry}": the host name is longer than 253 characters`;
  if (!name.split('.').every((label) => LABEL.test(label))) {
    return `"${entry}": "${name}" is not a valid host name (letters, digits, - and _ in dot-separated labels)`;
  }
  return undefined;
}

/**
 * Parses one allowlist entry: `host:port`, `*.domain:port` or `ip:port` (IPv6 as `[addr]:port`). Returns the
 * entry, or a message that says what is wrong with it.
 */
export function parseAllowEntry(raw: string, options: { allowForbidden?: boolean } = {}): AllowEntry | string {
  const entry = raw.trim();
  if (entry.length === 0) return 'an allowlist entry is empty: use host:port';
  let hostPart: string;
  let portPart: string;
  if (entry.startsWith('[')) {
    const close = entry.indexOf(']');
    if (close < 0 || entry[close + 1] !== ':') return `"${entry}": write an IPv6 destination as [address]:port`;
    hostPart = entry.slice(1, close);
    portPart = entry.slice(close + 2);
  } else {
    const colon = entry.lastIndexOf(':');
    if (colon < 0) return `"${entry}": the port is missing (use host:port, e.g. api.example.com:443)`;
    hostPart = entry.slice(0, colon);
    portPart = entry.slice(colon + 1);
    if (hostPart.includes(':')) return `"${entry}": write an IPv6 destination as [address]:port`;
  }
  if (portPart.length === 0) return `"${entry}": the port is missing (use host:port, e.g. api.example.com:443)`;
  const port = parsePort(portPart, entry);
  if (typeof port === 'string') return port;
  const host = hostPart.toLowerCase().replace(/\.$/, '');
  if (host.length === 0) return `"${entry}": the host is empty`;

  if (entry.startsWith('[') || isIpv4(host)) {
    const address = parseIp(host);
    if (!address) return `"${entry}": "${host}" is not an IPv6 address`;
    const forbidden = options.allowForbidden ? undefined : forbiddenAddressReason(host);
    if (forbidden) return `"${entry}": ${forbidden} and can never be allowed`;
    // Canonical text, so that two spellings of one address are one entry (an IPv4 address in IPv6 form is IPv4).
    const target = connectAddress(address);
    return { kind: 'ip', host: formatIp(target), family: target.family, port };
  }
  if (host.includes('*')) {
    if (!host.startsWith('*.') || host.indexOf('*', 1) >= 0) {
      return `"${entry}": a wildcard may only replace the leftmost label, as in *.example.com:443`;
    }
    const domain = host.slice(2);
    const problem = nameProblem(domain, entry);
    if (problem) return problem;
    if (!domain.includes('.')) return `"${entry}": a wildcard must sit under a domain of at least two labels`;
    if (looksNumeric(domain)) return `"${entry}": "${domain}" ends in a numeric label, which no domain does`;
    return { kind: 'wildcard', domain, port };
  }
  if (/^[\d.]+$/.test(host)) return `"${entry}": "${host}" is not a valid IPv4 address`;
  // A resolver reads `0x7f.1` or `2130706433` as an address: refused, so an address is never written as a name.
  if (looksNumeric(host)) return `"${entry}": "${host}" is a numeric address in disguise; write it as a dotted quad`;
  const problem = nameProblem(host, entry);
  return problem ?? { kind: 'name', host, port };
}

/** The canonical text of an entry (lower-case host, IPv6 in brackets). */
export function formatAllowEntry(entry: AllowEntry): string {
  if (entry.kind === 'wildcard') return `*.${entry.domain}:${entry.port}`;
  if (entry.kind === 'ip' && entry.family === 6) return `[${entry.host}]:${entry.port}`;
  return `${entry.host}:${entry.port}`;
}

/** One entry as written by the agent; parsed, validated and put in canonical form. */
export const AllowEntrySchema = z
  .string({ error: 'an allowlist entry must be a string host:port' })
  .describe('a destination the code may reach: host:port, *.domain:port, ip:port or [ipv6]:port')
  .transform((raw, ctx) => {
    const parsed = parseAllowEntry(raw);
    if (typeof parsed === 'string') {
      ctx.addIssue({ code: 'custom', message: parsed });
      return z.NEVER;
    }
    return formatAllowEntry(parsed);
  });

export const NetworkRequestSchema = z
  .object({
    allow: z
      .array(AllowEntrySchema)
      .min(1, 'network.allow must list at least one host:port (leave network out for no network)')
      .max(MAX_ALLOW_ENTRIES, `network.allow may list at most ${MAX_ALLOW_ENTRIES} entries`)
      .transform((entries) => [...new Set(entries)]),
  })
  .strict();
export type NetworkRequest = z.infer<typeof NetworkRequestSchema>;

/** Parses entries that already passed the schema (the canonical strings); throws on anything else. */
export function parseAllowList(entries: readonly string[]): AllowEntry[] {
  return entries.map((text) => {
    const parsed = parseAllowEntry(text);
    if (typeof parsed === 'string') throw new Error(`invalid allowlist entry: ${parsed}`);
    return parsed;
  });
}

export const EGRESS_VERDICTS = ['allowed', 'denied'] as const;
export const EgressVerdictSchema = z.enum(EGRESS_VERDICTS);
export type EgressVerdict = z.infer<typeof EgressVerdictSchema>;

/** One attempt of the sandboxed code to reach something through the egress proxy, allowed or not. */
export const EgressAttemptSchema = z.object({
  /** ISO time the proxy received the request. */
  at: z.string(),
  /** `CONNECT` for tunnels, otherwise the HTTP method of a forwarded request. */
  method: z.string(),
  /** The destination as the code named it (lower-case). */
  host: z.string(),
  port: z.number().int(),
  verdict: EgressVerdictSchema,
  /** Why it was denied, or why an allowed attempt failed upstream. */
  reason: z.string().optional(),
  /** The address the proxy connected to, when it did. */
  address: z.string().optional(),
  /** HTTP status the proxy answered with (403 for denials, 502 when the destination failed). */
  status: z.number().int().optional(),
  /** Bytes the proxy sent to the destination and received from it. */
  bytesSent: z.number().int(),
  bytesReceived: z.number().int(),
  durationMs: z.number(),
  /** The secret (by name, never its value) the proxy added to this request. */
  credential: z.string().optional(),
  /** The proxy terminated this tunnel's TLS to add a credential; the requests inside are recorded after it. */
  intercepted: z.boolean().optional(),
});
export type EgressAttempt = z.infer<typeof EgressAttemptSchema>;

/** Attempts kept in an action's record; later ones are only counted (and logged), so history stays small. */
export const MAX_RECORDED_EGRESS_ATTEMPTS = 500;

/** A denylist entry: like an allow entry, but the port may be left out (then every port is meant). */
export interface DenyEntry {
  entry: AllowEntry;
  anyPort: boolean;
}

/** Parses a denylist entry (`host`, `host:port`, `*.domain`, `ip`, `[ipv6]`, ...); a message when it is invalid. */
export function parseDenyEntry(text: string): DenyEntry | string {
  const withPort = parseAllowEntry(text, { allowForbidden: true });
  if (typeof withPort !== 'string') return { entry: withPort, anyPort: false };
  // No port: parse it as if it had one, and remember that it covers them all.
  const bare = text.trim();
  const probeText = bare.includes(':') && !bare.startsWith('[') ? `[${bare}]:1` : `${bare}:1`;
  const probe = parseAllowEntry(probeText, { allowForbidden: true });
  if (typeof probe !== 'string') return { entry: probe, anyPort: true };
  // Report what is wrong with the entry as written: the port error when it has a port, else the host's.
  return withPort.includes('the port is missing') ? probe.replace(`"${probeText}"`, `"${bare}"`) : withPort;
}

/**
 * Whether a policy entry (allow syntax, port optional) names this destination: same port unless the entry has
 * none, same address (compared as bytes) or name, or a name one label under a wildcard's domain. Pure.
 */
export function entryCovers(cover: DenyEntry, destination: { host: string; port: number }): boolean {
  if (!cover.anyPort && cover.entry.port !== destination.port) return false;
  const c = cover.entry;
  if (c.kind === 'ip') {
    return canonicalIp(destination.host) === c.host;
  }
  if (c.kind === 'name') return c.host === destination.host;
  const suffix = `.${c.domain}`;
  if (!destination.host.endsWith(suffix)) return false;
  const label = destination.host.slice(0, -suffix.length);
  return label.length > 0 && !label.includes('.');
}

/** Whether an allowlist entry reaches only destinations the policy entry covers (so it may use private addresses). */
export function entryWithin(allow: AllowEntry, cover: DenyEntry): boolean {
  if (!cover.anyPort && cover.entry.port !== allow.port) return false;
  if (allow.kind === 'wildcard') return cover.entry.kind === 'wildcard' && cover.entry.domain === allow.domain;
  return entryCovers(cover, { host: allow.host, port: allow.port });
}

/** Names that lead to cloud instance metadata (credentials); their addresses are refused by the proxy anyway. */
export const DEFAULT_DENY_HOSTS: readonly string[] = ['metadata.google.internal', 'metadata.goog', 'instance-data.ec2.internal'];
export const DEFAULT_MAX_HOSTS = 16;

function policyEntries(what: string) {
  return z.array(
    z.string().superRefine((text, ctx) => {
      const parsed = parseDenyEntry(text);
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: `${what}: ${parsed}` });
    }),
  );
}

/** What the policy says about network access. */
export const NetworkPolicySchema = z.object({
  /** Destinations no action may list (same syntax as allow entries, port optional); listing one is critical. */
  denyHosts: policyEntries('network.denyHosts').default(() => [...DEFAULT_DENY_HOSTS]),
  /** Most allowlist entries one action may carry; more is critical. */
  maxHosts: z.number().int().min(1).max(MAX_ALLOW_ENTRIES).default(DEFAULT_MAX_HOSTS),
  /**
   * Destinations that may be, or resolve to, loopback, private (RFC 1918, CGNAT, ULA) or this host's own
   * addresses (same syntax as allow entries, port optional). Anything else that is or resolves to such an address
   * is denied: a literal entry by policy (critical), a name by the egress proxy. Never covers the control plane.
   */
  privateDestinations: policyEntries('network.privateDestinations').max(MAX_ALLOW_ENTRIES).optional(),
});
export type NetworkPolicy = z.infer<typeof NetworkPolicySchema>;

/**
 * Ports of the control plane that are refused on every loopback, private or host address whatever the policy
 * says: Temporal's frontend and its internal services, the Temporal Web UI, and the Docker API's TCP forms. The
 * sandbox worker adds the deployment's own (Airlock's API, metrics, anything listed in AIRLOCK_CONTROL_PLANE).
 */
export const WELL_KNOWN_CONTROL_PLANE_PORTS: readonly number[] = [7233, 7234, 7235, 7239, 8233, 2375, 2376];
/** The Docker API over TCP: never a destination, on any address. */
export const DOCKER_API_PORTS: readonly number[] = [2375, 2376];
