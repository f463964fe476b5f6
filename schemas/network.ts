import { z } from 'zod';

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
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9a-f:]+(?::(?:\d{1,3}\.){3}\d{1,3})?$/;

/** Whether `text` is a dotted-quad IPv4 address. */
export function isIpv4(text: string): boolean {
  return IPV4.test(text);
}

/** A loose but sufficient IPv6 check: hex groups and colons (at most one `::`), optionally ending in IPv4. */
export function isIpv6(text: string): boolean {
  if (!IPV6.test(text) || !text.includes(':')) return false;
  const doubleColons = text.split('::').length - 1;
  if (doubleColons > 1) return false;
  const groups = text.split(':').filter((g) => g.length > 0 && !g.includes('.'));
  return groups.every((g) => g.length <= 4) && groups.length <= 8;
}

function ipv4Octets(text: string): number[] {
  return text.split('.').map(Number);
}

/**
 * Why the proxy must never connect to this literal address, or undefined when it may. Covers link-local (where
 * cloud metadata services live), the metadata addresses themselves, unspecified, broadcast and multicast.
 * Loopback and private addresses are allowed only because an entry must list them explicitly.
 */
export function forbiddenAddressReason(address: string): string | undefined {
  let ip = address.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  if (mapped) ip = mapped[1] as string;
  if (isIpv4(ip)) {
    const [a, b, c, d] = ipv4Octets(ip) as [number, number, number, number];
    if (a === 169 && b === 254) return `${address} is link-local (cloud metadata lives there)`;
    if (a === 100 && b === 100 && c === 100 && d === 200) return `${address} is a cloud metadata address`;
    if (a === 0) return `${address} is an unspecified address`;
    if (a >= 224) return `${address} is multicast, broadcast or reserved`;
    return undefined;
  }
  if (/^fe[89ab][0-9a-f]:/.test(ip)) return `${address} is link-local`;
  if (ip === 'fd00:ec2::254') return `${address} is a cloud metadata address`;
  if (ip === '::' || ip === '0:0:0:0:0:0:0:0') return `${address} is an unspecified address`;
  if (ip.startsWith('ff')) return `${address} is multicast`;
  return undefined;
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

  if (entry.startsWith('[')) {
    if (!isIpv6(host)) return `"${entry}": "${host}" is not an IPv6 address`;
    const forbidden = options.allowForbidden ? undefined : forbiddenAddressReason(host);
    return forbidden ? `"${entry}": ${forbidden} and can never be allowed` : { kind: 'ip', host, family: 6, port };
  }
  if (isIpv4(host)) {
    const forbidden = options.allowForbidden ? undefined : forbiddenAddressReason(host);
    return forbidden ? `"${entry}": ${forbidden} and can never be allowed` : { kind: 'ip', host, family: 4, port };
  }
  if (host.includes('*')) {
    if (!host.startsWith('*.') || host.indexOf('*', 1) >= 0) {
      return `"${entry}": a wildcard may only replace the leftmost label, as in *.example.com:443`;
    }
    const domain = host.slice(2);
    const problem = nameProblem(domain, entry);
    if (problem) return problem;
    if (!domain.includes('.')) return `"${entry}": a wildcard must sit under a domain of at least two labels`;
    return { kind: 'wildcard', domain, port };
  }
  if (/^[\d.]+$/.test(host)) return `"${entry}": "${host}" is not a valid IPv4 address`;
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

/** What the policy says about network access. */
export const NetworkPolicySchema = z.object({
  /** Destinations no action may list (same syntax as allow entries, port optional); listing one is critical. */
  denyHosts: z.array(
    z.string().superRefine((text, ctx) => {
      const parsed = parseDenyEntry(text);
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
    }),
  ),
  /** Most allowlist entries one action may carry; more is critical. */
  maxHosts: z.number().int().min(1).max(MAX_ALLOW_ENTRIES),
});
export type NetworkPolicy = z.infer<typeof NetworkPolicySchema>;
