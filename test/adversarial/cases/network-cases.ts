import assert from 'node:assert/strict';
import type { AdversarialCase } from '../support/adversarial-case.js';
import { assertRefused, PY_PROBE_PRELUDE, probeRecord } from '../support/python-probe.js';

/**
 * Python that lists the interfaces the sandbox has; a probe that could reach anything stops before trying. Every
 * address these probes use belongs to this machine (the Docker bridge's host side); nothing is aimed elsewhere.
 */
const PY_INTERFACES = `
def interfaces():
    try:
        return sorted(n for _, n in socket.if_nameindex())
    except OSError:
        lines = open('/proc/net/dev').read().splitlines()[2:]
        return sorted(l.split(':')[0].strip() for l in lines)
`;

function connectProbe(family: 'AF_INET' | 'AF_INET6', address: string, port: number): string {
  const target = family === 'AF_INET' ? `('${address}', ${port})` : `('${address}', ${port}, 0, 0)`;
  return `
def connect():
    s = socket.socket(socket.${family}, socket.SOCK_STREAM)
    s.settimeout(3)
    try:
        s.connect(${target})
        return s.recv(100)
    finally:
        s.close()
def datagram():
    s = socket.socket(socket.${family}, socket.SOCK_DGRAM)
    try:
        return s.sendto(b'airlock', ${target})
    finally:
        s.close()
attempt('tcp connect', connect)
attempt('udp send', datagram)
`;
}

/** Network reach: the sandbox has loopback only, no route, no resolver, and cannot reach a server on the host. */
export const NETWORK_CASES: AdversarialCase[] = [
  {
    id: 'net-interfaces-routes',
    tries: 'lists interfaces and routes (from /proc/net) to find a way out',
    async attack(ctx) {
      const result = await ctx.run({
        language: 'python',
        code: `${PY_PROBE_PRELUDE}${PY_INTERFACES}
def table(path):
    try:
        return [l for l in open(path).read().splitlines()[1:] if l.strip()]
    except OSError as e:
        return 'absent: ' + errno.errorcode.get(e.errno, str(e.errno))
v6 = table('/proc/net/ipv6_route')
report(interfaces=interfaces(), routes=table('/proc/net/route'),
       ipv6_routes=v6 if isinstance(v6, str) else [l for l in v6 if not l.rstrip().endswith(' lo')])
`,
      });
      const record = probeRecord(result);
      assert.deepEqual(record.interfaces, ['lo'], 'only loopback may exist');
      for (const key of ['routes', 'ipv6_routes']) {
        const value = record[key];
        assert.ok(Array.isArray(value) ? value.length === 0 : String(value).startsWith('absent'), `${key}: ${JSON.stringify(value)}`);
      }
      return `interfaces: lo only; IPv4 routes: ${Array.isArray(record.routes) ? 'none' : String(record.routes)}; IPv6 routes beyond lo: ${Array.isArray(record.ipv6_routes) ? 'none' : String(record.ipv6_routes)}`;
    },
  },
  {
    id: 'net-gateway-ipv4',
    tries: 'connects to a server on the host through the Docker bridge gateway (IPv4)',
    async attack(ctx) {
      const { loopback } = ctx;
      assert.ok(await loopback.reachableFromHost(loopback.gatewayIpv4), 'the target must answer on the gateway address from the host');
      loopback.reset();
      const result = await ctx.run({
        language: 'python',
        code: `${PY_PROBE_PRELUDE}${connectProbe('AF_INET', loopback.gatewayIpv4, loopback.port)}report()\n`,
      });
      const outcome = assertRefused(probeRecord(result), ['tcp connect', 'udp send']);
      assert.deepEqual(loopback.accepted, [], 'the host server accepted a connection from the sandbox');
      return `bridge gateway (IPv4): ${outcome}; the host server saw nothing`;
    },
  },
  {
    id: 'net-gateway-ipv6',
    tries: 'connects to a server on the host through the Docker bridge (IPv6, and IPv4-mapped)',
    async attack(ctx) {
      const { loopback } = ctx;
      assert.ok(await loopback.reachableFromHost(loopback.gatewayIpv6), 'the target must answer on the bridge IPv6 address from the host');
      loopback.reset();
      const result = await ctx.run({
        language: 'python',
        code: `${PY_PROBE_PRELUDE}${connectProbe('AF_INET6', loopback.gatewayIpv6, loopback.port)}
results['tcp connect (ipv6)'] = results.pop('tcp connect')
results['udp send (ipv6)'] = results.pop('udp send')
${connectProbe('AF_INET6', `::ffff:${loopback.gatewayIpv4}`, loopback.port)}
results['tcp connect (mapped)'] = results.pop('tcp connect')
results['udp send (mapped)'] = results.pop('udp send')
report()
`,
      });
      const outcome = assertRefused(probeRecord(result), ['tcp connect (ipv6)', 'udp send (ipv6)', 'tcp connect (mapped)', 'udp send (mapped)']);
      assert.deepEqual(loopback.accepted, [], 'the host server accepted a connection from the sandbox');
      return `bridge address (IPv6${loopback.gatewayIpv6.startsWith('fe80:') ? ', link-local' : ''}): ${outcome}; the host server saw nothing`;
    },
  },
  {
    id: 'dns-no-resolver',
    tries: 'resolves a name',
    async attack(ctx) {
      const result = await ctx.run({
        language: 'python',
        code: `${PY_PROBE_PRELUDE}${PY_INTERFACES}
if interfaces() != ['lo']:
    report(lookup='not attempted: the sandbox has a network interface')
else:
    try:
        results['lookup'] = 'allowed: ' + str(socket.getaddrinfo('${ctx.marker}.invalid', 80))
    except socket.gaierror as e:
        results['lookup'] = 'gaierror: ' + str(e)
    report()
`,
      });
      const record = probeRecord(result);
      assert.match(String(record.lookup), /^gaierror/, `lookup: ${String(record.lookup)}`);
      return `lookup failed (${String(record.lookup).slice(0, 60)}): no interface but loopback to send a query on`;
    },
  },
  {
    id: 'raw-sockets',
    tries: 'opens raw IP and packet sockets',
    async attack(ctx) {
      const result = await ctx.run({
        language: 'python',
        code: `${PY_PROBE_PRELUDE}
attempt('raw ipv4', lambda: socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP).close())
attempt('raw ipv6', lambda: socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6).close())
attempt('packet', lambda: socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3)).close())
report()
`,
      });
      return assertRefused(probeRecord(result), ['raw ipv4', 'raw ipv6', 'packet']);
    },
  },
];
