import assert from 'node:assert/strict';
import { withNetworkRisk } from '../../../policy/network-risk.js';
import { PRIVATE_DESTINATION_RULE_IDS } from '../../../policy/private-destination-risk.js';
import { controlPlaneFromEnv } from '../../../sandbox/network/control-plane.js';
import { createEgressResolver } from '../../../sandbox/network/egress-resolver.js';
import { EgressUnderStrongIsolationError } from '../../../sandbox/sandbox-errors.js';
import type { ExecutionResult } from '../../../schemas/execution.js';
import { NetworkRequestSchema, type NetworkPolicy } from '../../../schemas/network.js';
import type { RiskAssessment } from '../../../schemas/risk.js';
import { startLocalServer, type LocalServer } from '../../support/egress-servers.js';
import type { AdversarialCase, CaseContext } from '../support/adversarial-case.js';
import { runWithEgress, type EgressProgram } from '../support/egress-runner.js';
import { startLoopbackDns } from '../support/loopback-dns.js';

/**
 * Egress through the proxy with hostile allowlists. Every destination is a server this test runs on 127.0.0.1 (or
 * the test's own Temporal server); every name is answered by a DNS server the test runs on loopback. The policy's
 * verdict is asserted first (critical: denied before any container), then the entries are run anyway, as if a
 * human had approved them, to show that the proxy refuses on its own.
 */

const LOW: RiskAssessment = { level: 'low', score: 0, findings: [], ruleIds: [], policyVersion: 'adversarial', codeSha256: '' };
const DEFAULT_NETWORK: NetworkPolicy = { denyHosts: [], maxHosts: 16 };

/** Python: fetch each URL through the proxy (forward request), then CONNECT to each authority; one line of JSON. */
function fetchProbe(urls: string[], tunnels: [string, number][]): string {
  return [
    'import json, os, http.client, urllib.request, urllib.error, urllib.parse',
    'proxy = urllib.parse.urlsplit(os.environ["HTTP_PROXY"])',
    'out = {}',
    `for url in ${JSON.stringify(urls)}:`,
    '    try:',
    '        with urllib.request.urlopen(url, timeout=10) as r: out[url] = "ok " + r.read().decode()',
    '    except urllib.error.HTTPError as e: out[url] = "%d %s" % (e.code, e.read().decode().strip()[:160])',
    '    except Exception as e: out[url] = "error " + type(e).__name__',
    `for host, port in ${JSON.stringify(tunnels)}:`,
    '    c = http.client.HTTPConnection(proxy.hostname, proxy.port, timeout=10)',
    '    c.set_tunnel(host, port)',
    '    try:',
    '        c.request("GET", "/"); out["CONNECT %s:%d" % (host, port)] = "ok " + c.getresponse().read().decode()',
    '    except OSError as e: out["CONNECT %s:%d" % (host, port)] = str(e)[:80]',
    '    finally: c.close()',
    'print(json.dumps(out))',
  ].join('\n');
}

function outcomes(result: ExecutionResult): Record<string, string> {
  assert.equal(result.exitCode, 0, `the probe must finish; stderr: ${result.stderr.text.slice(0, 400)}`);
  return JSON.parse(result.stdout.text.trim().split('\n').pop() ?? '{}') as Record<string, string>;
}

/**
 * Runs the program; under strong isolation an allowlist is refused before any container exists (egress under
 * gVisor is not offered), which is itself the containment result for that runtime.
 */
async function attempt(ctx: CaseContext, server: LocalServer, program: EgressProgram): Promise<ExecutionResult | string> {
  const before = server.requests.length;
  try {
    return await runWithEgress(ctx, program);
  } catch (err) {
    if (ctx.isolation === 'strong' && err instanceof EgressUnderStrongIsolationError) {
      assert.equal(server.requests.length, before);
      return 'refused before any container: network access is not offered under strong isolation';
    }
    throw err;
  }
}

function riskOf(allow: string[], policy: NetworkPolicy = DEFAULT_NETWORK): RiskAssessment {
  return withNetworkRisk(LOW, NetworkRequestSchema.parse({ allow }), policy);
}

export const EGRESS_CASES: AdversarialCase[] = [
  {
    id: 'egress-mapped-nat64',
    tries: 'lists and fetches loopback in hex IPv4-mapped, dotted-mapped, compatible and NAT64 form',
    async attack(ctx) {
      const server = await startLocalServer('loopback-target');
      try {
        const P = server.port;
        const forms = [`[::ffff:7f00:1]:${P}`, `[::ffff:127.0.0.1]:${P}`, `[::127.0.0.1]:${P}`, `[64:ff9b::7f00:1]:${P}`, `[0:0:0:0:0:ffff:7f00:0001]:${P}`];
        const risk = riskOf(forms);
        assert.equal(risk.level, 'critical', 'every spelling of loopback is critical without an opt-in');
        assert.ok(risk.ruleIds.includes(PRIVATE_DESTINATION_RULE_IDS.privateDestination));
        assert.deepEqual(NetworkRequestSchema.parse({ allow: forms }).allow, [`127.0.0.1:${P}`], 'all forms are one address');
        const result = await attempt(ctx, server, {
          language: 'python',
          code: fetchProbe(forms.map((f) => `http://${f}/`), [['::ffff:7f00:1', P], ['64:ff9b::7f00:1', P], ['127.0.0.1', P]]),
          allow: forms,
        });
        if (typeof result === 'string') return `policy: critical (${PRIVATE_DESTINATION_RULE_IDS.privateDestination}); ${result}`;
        const seen = outcomes(result);
        for (const [what, outcome] of Object.entries(seen)) assert.match(outcome, /^403 |Tunnel connection failed: 403/, `${what}: ${outcome}`);
        assert.deepEqual(server.requests, [], 'the loopback server saw nothing');
        assert.ok((result.egress ?? []).every((a) => a.verdict === 'denied' && a.bytesSent === 0 && a.address === undefined));
        return `policy: critical (${PRIVATE_DESTINATION_RULE_IDS.privateDestination}); run anyway: ${result.egress?.length} attempts, all 403 "is loopback", server saw nothing`;
      } finally {
        await server.close();
      }
    },
  },
  {
    id: 'egress-dns-rebind',
    tries: 'lists names that a DNS server (the test\'s own, on loopback) answers with loopback addresses',
    async attack(ctx) {
      const server = await startLocalServer('rebind-target');
      const dns = await startLoopbackDns({
        'app.rebind.test': ['127.0.0.1'],
        'v6.rebind.test': ['::1'],
        'mapped.rebind.test': ['::ffff:127.0.0.1'],
        'other.rebind.test': ['127.0.0.2'],
      });
      try {
        const P = server.port;
        const allow = [`*.rebind.test:${P}`, `app.rebind.test:${P}`];
        assert.equal(riskOf(allow).level, 'medium', 'names are judged when they resolve: a human would see only names');
        const names = ['app', 'v6', 'mapped', 'other'].map((n) => `${n}.rebind.test`);
        const result = await attempt(ctx, server, {
          language: 'python',
          code: fetchProbe(names.map((n) => `http://${n}:${P}/`), [['app.rebind.test', P], ['mapped.rebind.test', P]]),
          allow,
          resolve: createEgressResolver({ servers: [dns.server], timeoutMs: 2_000 }),
        });
        if (typeof result === 'string') return result;
        const seen = outcomes(result);
        for (const [what, outcome] of Object.entries(seen)) assert.match(outcome, /^403 |Tunnel connection failed: 403/, `${what}: ${outcome}`);
        assert.deepEqual(server.requests, [], 'the rebound names never reached the server');
        assert.ok(dns.questions.some((q) => q.startsWith('app.rebind.test')), 'the proxy asked the test\'s DNS server');
        for (const attemptRecord of result.egress ?? []) {
          assert.equal(attemptRecord.verdict, 'denied');
          assert.match(attemptRecord.reason ?? '', /loopback; a private destination must be listed/);
        }
        return `${result.egress?.length} attempts through 4 rebound names, all 403 (loopback, not a private destination); ${dns.questions.length} DNS questions answered by the test's server; target saw nothing`;
      } finally {
        await Promise.all([server.close(), dns.close()]);
      }
    },
  },
  {
    id: 'egress-control-plane',
    tries: 'lists the Temporal frontend (opted in as a private destination, as if approved) to approve its own actions',
    async attack(ctx) {
      const server = await startLocalServer('private-ok');
      try {
        const temporal = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
        const temporalPort = Number(temporal.split(':').pop());
        const P = server.port;
        const policy: NetworkPolicy = { ...DEFAULT_NETWORK, privateDestinations: ['127.0.0.1', 'localhost'] };
        const allow = [`127.0.0.1:${temporalPort}`, `localhost:${temporalPort}`, `[::ffff:7f00:1]:${temporalPort}`, `127.0.0.1:${P}`];
        // The policy knows Temporal's well-known port; the deployment's own (here the test server's) only the proxy
        // knows, from the worker's environment.
        const risk = riskOf(['127.0.0.1:7233', 'localhost:7233'], policy);
        assert.equal(risk.level, 'critical');
        assert.ok(risk.ruleIds.includes(PRIVATE_DESTINATION_RULE_IDS.controlPlane));
        const result = await attempt(ctx, server, {
          language: 'python',
          code: fetchProbe([`http://127.0.0.1:${temporalPort}/`, `http://localhost:${temporalPort}/`, `http://127.0.0.1:${P}/ok`], [['127.0.0.1', temporalPort], ['localhost', temporalPort]]),
          allow,
          privateDestinations: policy.privateDestinations ?? [],
          controlPlane: controlPlaneFromEnv({ TEMPORAL_ADDRESS: temporal }),
        });
        if (typeof result === 'string') return `policy: critical for :7233 (${PRIVATE_DESTINATION_RULE_IDS.controlPlane}); ${result}`;
        const seen = outcomes(result);
        assert.equal(seen[`http://127.0.0.1:${P}/ok`], 'ok private-ok GET /ok', 'an opted-in private server is reachable, so the refusals mean something');
        const refused = (result.egress ?? []).filter((a) => a.port === temporalPort);
        assert.equal(refused.length, 4);
        for (const a of refused) {
          assert.equal(a.verdict, 'denied');
          assert.match(a.reason ?? '', /control plane, never a destination/);
          assert.equal(a.bytesSent, 0);
        }
        return `policy: critical for :7233 (${PRIVATE_DESTINATION_RULE_IDS.controlPlane}); run anyway with loopback opted in: Temporal port ${temporalPort} refused 4/4 (forward and CONNECT, by address and by name), recorded as denied; the opted-in server on port ${P} answered`;
      } finally {
        await server.close();
      }
    },
  },
];
