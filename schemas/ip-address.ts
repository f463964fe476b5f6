/**
 * IP addresses as numbers. Every decision about a destination (the allowlist's risk, the egress proxy's verdict)
 * parses the address to bytes first and compares ranges, never text: `::ffff:7f00:1`, `::ffff:127.0.0.1`,
 * `::127.0.0.1` and `64:ff9b::7f00:1` are all 127.0.0.1 here. Pure (no Node built-ins), so the workflow's risk
 * rules and the sandbox worker's proxy share one implementation.
 */

/** An address as bytes: 4 for IPv4, 16 for IPv6. */
export interface IpAddress {
  family: 4 | 6;
  bytes: readonly number[];
}

/** What a range means for egress. */
export type AddressClass =
  /** Never a destination, whatever the policy says (metadata services, link-local, multicast, unspecified, reserved). */
  | 'forbidden'
  /** Loopback, RFC 1918, CGNAT, ULA and other non-public ranges: only as a private destination the policy names. */
  | 'private'
  | 'public';

/** The class of an address and the name of the range that decided it. */
export interface AddressVerdict {
  class: AddressClass;
  range: string;
  /** The IPv4 address an IPv6 form carries (mapped, compatible, NAT64, 6to4), which is what was classified. */
  embeddedIpv4?: string;
}

const DECIMAL_OCTET = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const HEX_GROUP = /^[0-9a-f]{1,4}$/i;

/** Strict dotted-quad IPv4 (no octal, hex or shortened forms: those are refused, not guessed at). */
export function parseIpv4(text: string): IpAddress | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => DECIMAL_OCTET.test(p))) return undefined;
  return { family: 4, bytes: parts.map(Number) };
}

/** IPv6 text (RFC 4291: hex groups, one `::`, an optional dotted IPv4 tail); no zone ids, no brackets. */
export function parseIpv6(text: string): IpAddress | undefined {
  if (!text.includes(':') || text.length > 45) return undefined;
  let head = text;
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (!v4) return undefined;
    tail = [...v4.bytes];
    head = text.slice(0, lastColon + 1);
    // `::1.2.3.4` leaves `::`, `a::1.2.3.4` leaves `a::`; `a:1.2.3.4` leaves `a:`, which needs its colon back off.
    if (!head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups = part.split(':');
    if (!groups.every((g) => HEX_GROUP.test(g))) return undefined;
    return groups.map((g) => parseInt(g, 16));
  };
  const left = groupsOf(halves[0] as string);
  const right = halves.length === 2 ? groupsOf(halves[1] as string) : [];
  if (!left || !right) return undefined;
  const tailGroups = tail.length / 2;
  const given = left.length + right.length + tailGroups;
  if (halves.length === 1 ? given !== 8 : given > 7) return undefined;
  const groups = [...left, ...new Array<number>(8 - given).fill(0), ...right];
  const bytes = groups.flatMap((g) => [g >> 8, g & 0xff]);
  return { family: 6, bytes: [...bytes, ...tail] };
}

/** Either family; brackets around IPv6 are accepted. Undefined when the text is not a literal address. */
export function parseIp(text: string): IpAddress | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  return parseIpv4(bare) ?? parseIpv6(bare);
}

/** Canonical text: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run compressed). */
export function formatIp(address: IpAddress): string {
  const b = address.bytes;
  if (address.family === 4) return b.join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i] as number) << 8) | (b[i + 1] as number));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/**
 * The canonical text of a literal address, or undefined when `text` is none. An IPv6 form that carries an IPv4
 * address (mapped, compatible, NAT64, 6to4) is written as that IPv4 address: it is where a connection goes.
 */
export function canonicalIp(text: string): string | undefined {
  const parsed = parseIp(text);
  return parsed ? formatIp(embeddedIpv4(parsed) ?? parsed) : undefined;
}

interface Range {
  prefix: IpAddress;
  bits: number;
  class: AddressClass;
  name: string;
}

function range(cidr: string, cls: AddressClass, name: string): Range {
  const [text, bits] = cidr.split('/') as [string, string];
  const prefix = parseIp(text);
  if (!prefix) throw new Error(`bad built-in range ${cidr}`);
  return { prefix, bits: Number(bits), class: cls, name };
}

/** Whether `address` lies in `prefix/bits` (same family). */
export function inRange(address: IpAddress, prefix: IpAddress, bits: number): boolean {
  if (address.family !== prefix.family) return false;
  for (let bit = 0; bit < bits; bit += 8) {
    const take = Math.min(8, bits - bit);
    const mask = (0xff << (8 - take)) & 0xff;
    const i = bit / 8;
    if (((address.bytes[i] as number) & mask) !== ((prefix.bytes[i] as number) & mask)) return false;
  }
  return true;
}

/** First match wins: specific ranges come before the ranges that contain them. */
const IPV4_RANGES: readonly Range[] = [
  range('100.100.100.200/32', 'forbidden', 'a cloud metadata address'),
  range('169.254.0.0/16', 'forbidden', 'link-local (cloud metadata lives there)'),
  range('0.0.0.0/8', 'forbidden', 'an unspecified ("this network") address'),
  range('224.0.0.0/4', 'forbidden', 'multicast'),
  range('240.0.0.0/4', 'forbidden', 'reserved or broadcast'),
  range('192.88.99.0/24', 'forbidden', 'the deprecated 6to4 relay anycast range'),
  range('127.0.0.0/8', 'private', 'loopback'),
  range('10.0.0.0/8', 'private', 'private (RFC 1918)'),
  range('172.16.0.0/12', 'private', 'private (RFC 1918)'),
  range('192.168.0.0/16', 'private', 'private (RFC 1918)'),
  range('100.64.0.0/10', 'private', 'shared address space (CGNAT)'),
  range('192.0.0.0/24', 'private', 'IETF protocol assignments'),
  range('198.18.0.0/15', 'private', 'benchmarking'),
  range('192.0.2.0/24', 'private', 'documentation'),
  range('198.51.100.0/24', 'private', 'documentation'),
  range('203.0.113.0/24', 'private', 'documentation'),
];

const IPV6_RANGES: readonly Range[] = [
  range('fd00:ec2::254/128', 'forbidden', 'a cloud metadata address'),
  range('::/128', 'forbidden', 'the unspecified address'),
  range('::1/128', 'private', 'loopback'),
  range('fe80::/10', 'forbidden', 'link-local'),
  range('ff00::/8', 'forbidden', 'multicast'),
  // Teredo carries an obfuscated IPv4 client address: refused rather than decoded.
  range('2001::/32', 'forbidden', 'a Teredo tunnel address'),
  range('fc00::/7', 'private', 'unique local (ULA)'),
  range('fec0::/10', 'private', 'site-local (deprecated)'),
  range('100::/64', 'private', 'discard-only'),
  range('2001:db8::/32', 'private', 'documentation'),
  range('2001:10::/28', 'private', 'ORCHID'),
  range('2001:20::/28', 'private', 'ORCHIDv2'),
  range('64:ff9b:1::/48', 'private', 'local-use NAT64'),
  range('5f00::/16', 'private', 'SRv6 SIDs'),
  range('::/8', 'forbidden', 'reserved (IETF)'),
];

/** The IPv4 address an IPv6 address stands for, when it embeds one. */
export function embeddedIpv4(address: IpAddress): IpAddress | undefined {
  if (address.family !== 6) return undefined;
  const b = address.bytes;
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  const v4 = (from: number): IpAddress => ({ family: 4, bytes: b.slice(from, from + 4) });
  // ::ffff:a.b.c.d (mapped) and ::ffff:0:a.b.c.d (SIIT translated)
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return v4(12);
  if (zeros(0, 8) && b[8] === 0xff && b[9] === 0xff && b[10] === 0 && b[11] === 0) return v4(12);
  // ::a.b.c.d (compatible, deprecated); :: and ::1 are themselves
  if (zeros(0, 12) && !(zeros(12, 15) && (b[15] === 0 || b[15] === 1))) return v4(12);
  // 64:ff9b::a.b.c.d (NAT64, well-known prefix)
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) return v4(12);
  // 2002:AABB:CCDD::/48 (6to4)
  if (b[0] === 0x20 && b[1] === 0x02) return v4(2);
  return undefined;
}

/**
 * Classifies an address by range. An IPv6 form that carries an IPv4 address is judged as that IPv4 address, so
 * no spelling of loopback or metadata is ever public.
 */
export function classifyIp(address: IpAddress): AddressVerdict {
  const inner = embeddedIpv4(address);
  const subject = inner ?? address;
  const table = subject.family === 4 ? IPV4_RANGES : IPV6_RANGES;
  const hit = table.find((r) => inRange(subject, r.prefix, r.bits));
  const verdict: AddressVerdict = hit ? { class: hit.class, range: hit.name } : { class: 'public', range: 'public' };
  return inner ? { ...verdict, embeddedIpv4: formatIp(inner) } : verdict;
}

/** The address the proxy should connect to: an embedded IPv4 address as itself, anything else unchanged. */
export function connectAddress(address: IpAddress): IpAddress {
  return embeddedIpv4(address) ?? address;
}

/** Whether the text is a name that a resolver would read as a numeric address (`0x7f.1`, `2130706433`, `127.1`). */
export function looksNumeric(name: string): boolean {
  const last = name.split('.').pop() ?? '';
  return /^(?:0x[0-9a-f]*|\d+)$/i.test(last);
}
