import { canonicalIp } from '../../schemas/ip-address.js';
import type { AllowEntry } from '../../schemas/network.js';

/** A destination as the sandboxed code named it in a proxy request. */
export interface Destination {
  /** Lower-case, no trailing dot, IPv6 without brackets; a literal address in canonical form. */
  host: string;
  port: number;
}

/**
 * Puts a host from a request line or Host header in the form allowlist entries use: a literal address in its
 * canonical text (so `::FFFF:7f00:1` and `::ffff:7f00:0001` are one address), a name lower-cased without its
 * trailing dot.
 */
export function normaliseHost(host: string): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return canonicalIp(bare) ?? bare.toLowerCase().replace(/\.$/, '');
}

function entryMatches(entry: AllowEntry, destination: Destination): boolean {
  if (entry.port !== destination.port) return false;
  switch (entry.kind) {
    case 'name':
      return entry.host === destination.host;
    case 'ip':
      // Both sides are canonical text of the address's bytes.
      return entry.host === canonicalIp(destination.host);
    case 'wildcard': {
      // Exactly one label in front of the domain: `*.example.com` covers `api.example.com` only.
      const suffix = `.${entry.domain}`;
      if (!destination.host.endsWith(suffix)) return false;
      const label = destination.host.slice(0, -suffix.length);
      return label.length > 0 && !label.includes('.');
    }
  }
}

/**
 * The entry that lets this destination through, or undefined. Decided on the name alone: nothing is resolved
 * here, so an unlisted name is never looked up. A name entry never admits an IP literal and vice versa.
 */
export function findAllowEntry(entries: readonly AllowEntry[], destination: Destination): AllowEntry | undefined {
  return entries.find((entry) => entryMatches(entry, destination));
}
