import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, afterEach, before, describe, it } from 'node:test';
import type Docker from 'dockerode';
import pino from 'pino';
import { FileArtifactStore } from '../../platform/artifact-store.js';
import { assertDockerReachable, createDockerClient } from '../../sandbox/docker-client.js';
import { DockerSandbox } from '../../sandbox/docker-sandbox.js';
import { ensureSandboxImage } from '../../sandbox/image/ensure-sandbox-image.js';
import { containerNameFor } from '../../sandbox/container-name.js';
import { LABELS, MANAGED_LABEL_FILTER } from '../../sandbox/labels.js';
import { bridgeNameFor, egressNetworkNameFor } from '../../sandbox/network/egress-network.js';
import { EgressUnderStrongIsolationError } from '../../sandbox/sandbox-errors.js';
import { resolveLimits, type Language } from '../../schemas/action.js';
import type { ExecutionResult } from '../../schemas/execution.js';
import type { EgressAttempt } from '../../schemas/network.js';
import { recordingResolver, startLocalServer, type LocalServer } from '../support/egress-servers.js';

const RUN_ID = `it-egress-${process.pid}-${Date.now()}`;
/** Only ever asked of the proxy, which must refuse it without resolving it. */
const OUTSIDE_NAME = 'example.com';

/**
 * The test servers listen on this machine's loopback, so these runs carry a policy that names loopback as a
 * private destination (as local development would); without it the proxy refuses loopback (tested below).
 */
const LOCAL_SERVERS = ['127.0.0.1', 'localhost'];

/** What the sandboxed code saw, attempt by attempt: `ok <body>` or `fail <reason>`. */
type Outcomes = Record<string, string>;

/** Python: urllib (proxy from the environment), http.client CONNECT tunnels, raw sockets and the resolver. */
function pythonProbe(steps: string[]): string {
  return [
    'import json, os, socket, http.client, urllib.request, urllib.error, urllib.parse',
    'proxy = urllib.parse.urlsplit(os.environ["HTTP_PROXY"])',
    'out = {}',
    'def fetch(key, url):',
    '    try:',
    '        with urllib.request.urlopen(url, timeout=10) as r: out[key] = "ok " + r.read().decode()',
    '    except urllib.error.HTTPError as e: out[key] = "fail %d %s" % (e.code, e.read().decode().strip())',
    '    except Exception as e: out[key] = "fail " + type(e).__name__',
    'def tunnel(key, host, port, path):',
    '    c = http.client.HTTPConnection(proxy.hostname, proxy.port, timeout=10)',
    '    c.set_tunnel(host, port)',
    '    try:',
    '        c.request("GET", path); out[key] = "ok " + c.getresponse().read().decode()',
    '    except OSError as e: out[key] = "fail " + str(e)',
    '    finally: c.close()',
    'def direct(key, host, port):',
    '    try:',
    '        socket.create_connection((host, port), timeout=3).close(); out[key] = "ok connected"',
    '    except OSError as e: out[key] = "fail " + type(e).__name__',
    'def resolve(key, name):',
    '    try: out[key] = "ok " + str(socket.getaddrinfo(name, 80))',
    '    except OSError as e: out[key] = "fail " + type(e).__name__',
    ...steps,
    'print(json.dumps(out))',
  ].join('\n');
}

/** Node: plain forward requests and a CONNECT tunnel by hand, the way curl does them. */
function nodeProbe(steps: string[]): string {
  return [
    "const http = require('node:http');",
    'const proxy = new URL(process.env.HTTPS_PROXY);',
    'const out = {};',
    'function forward(key, url) { return new Promise((resolve) => {',
    '  const req = http.request({ host: proxy.hostname, port: proxy.port, path: url, headers: { host: new URL(url).host } }, (res) => {',
    "    let body = ''; res.setEncoding('utf8'); res.on('data', (c) => (body += c));",
    "    res.on('end', () => { out[key] = (res.statusCode === 200 ? 'ok ' : 'fail ' + res.statusCode + ' ') + body.trim(); resolve(); });",
    '  });',
    "  req.on('error', (e) => { out[key] = 'fail ' + e.code; resolve(); }); req.end(); }); }",
    'function tunnel(key, authority, path) { return new Promise((resolve) => {',
    "  const req = http.request({ host: proxy.hostname, port: proxy.port, method: 'CONNECT', path: authority });",
    "  req.on('connect', (res, socket) => {",
    "    if (res.statusCode !== 200) { out[key] = 'fail ' + res.statusCode; socket.destroy(); return resolve(); }",
    '    socket.write(`GET ${path} HTTP/1.1\\r\\nHost: ${authority}\\r\\nConnection: close\\r\\n\\r\\n`);',
    "    let raw = ''; socket.setEncoding('utf8'); socket.on('data', (c) => (raw += c));",
    "    socket.on('end', () => { out[key] = 'ok ' + raw.split('\\r\\n\\r\\n')[1]; resolve(); });",
    '  });',
    "  req.on('error', (e) => { out[key] = 'fail ' + e.code; resolve(); }); req.end(); }); }",
    '(async () => {',
    ...steps,
    '  console.log(JSON.stringify(out));',
    '})();',
  ].join('\n');
}

void describe('egress through the proxy, against the real engine', { timeout: 300_000 }, () => {
  let docker: Docker;
  let sandbox: DockerSandbox;
  let artifactDir: string;
  let listed: LocalServer;
  let other: LocalServer;
  let otherAddress: LocalServer;
  let exposed: LocalServer;
  const resolver = recordingResolver();
  const logLines: string[] = [];
  let counter = 0;
  const actionIds: string[] = [];

  before(async () => {
    docker = createDockerClient();
    await assertDockerReachable(docker);
    const { image } = await ensureSandboxImage({ docker });
    artifactDir = await mkdtemp(path.join(tmpdir(), 'airlock-it-egress-'));
    const logSink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logLines.push(chunk.toString());
        callback();
      },
    });
    sandbox = new DockerSandbox({
      docker,
      image,
      artifactStore: new FileArtifactStore(artifactDir),
      logger: pino({ level: 'info' }, logSink),
      resolveHost: resolver.resolve,
    });
    listed = await startLocalServer('listed');
    other = await startLocalServer('other-port');
    // Same port number as `listed` would be best, but any free port on another loopback address shows the point.
    otherAddress = await startLocalServer('other-address', '127.0.0.2');
    // Listening on every interface, so also on the egress network's gateway: only the host guard keeps it out.
    exposed = await startLocalServer('exposed', '0.0.0.0');
  });

  after(async () => {
    await Promise.all([listed?.close(), other?.close(), otherAddress?.close(), exposed?.close()]);
    await rm(artifactDir, { recursive: true, force: true });
  });

  afterEach(async () => {
    // Containers without network are removed after the result is returned: close() waits for those removals.
    await sandbox.close();
    const filters = { label: [MANAGED_LABEL_FILTER, `${LABELS.runId}=${RUN_ID}`] };
    const containers = await docker.listContainers({ all: true, filters });
    const networks = await docker.listNetworks({ filters });
    const { Volumes: volumes } = await docker.listVolumes({ filters });
    assert.deepEqual(containers.map((c) => c.Names), [], 'no sandbox container may remain');
    assert.deepEqual(networks.map((n) => n.Name), [], 'no egress network may remain');
    assert.deepEqual((volumes ?? []).map((v) => v.Name), [], 'no code volume may remain');
    // Firewall rules are per bridge; only this file's bridges are checked (other files may run at the same time).
    const rules = execFileSync('iptables', ['-w', '-S', 'INPUT'], { encoding: 'utf8' });
    for (const actionId of actionIds.splice(0)) {
      const bridge = bridgeNameFor(egressNetworkNameFor(containerNameFor(RUN_ID, actionId)));
      assert.ok(!rules.includes(bridge), `no firewall rule for ${bridge} may remain`);
    }
  });

  function run(
    language: Language,
    code: string,
    allow: string[] | undefined,
    isolation?: 'strong',
    signal?: AbortSignal,
    privateDestinations: string[] | undefined = LOCAL_SERVERS,
  ): Promise<ExecutionResult> {
    const actionId = `a${++counter}`;
    actionIds.push(actionId);
    return sandbox.execute({
      runId: RUN_ID,
      actionId,
      language,
      code,
      limits: resolveLimits({ timeoutSec: 60 }),
      ...(allow ? { network: { allow, ...(privateDestinations ? { privateDestinations } : {}) } } : {}),
      ...(isolation ? { isolation } : {}),
    }, signal ? { signal } : {});
  }

  function outcomes(result: ExecutionResult): Outcomes {
    assert.equal(result.exitCode, 0, `the probe must run to the end; stderr: ${result.stderr.text}`);
    return JSON.parse(result.stdout.text) as Outcomes;
  }

  function summary(attempts: EgressAttempt[] | undefined): string[] {
    return (attempts ?? []).map((a) => `${a.method} ${a.host}:${a.port} ${a.verdict}`);
  }

  void it('lets python reach only the listed server, by forward request and CONNECT, and records every attempt', async () => {
    const askedBefore = resolver.asked.length;
    const servedBefore = listed.requests.length;
    const L = listed.port;
    const result = await run(
      'python',
      pythonProbe([
        `fetch("plain", "http://127.0.0.1:${L}/plain")`,
        `fetch("named", "http://localhost:${L}/named")`,
        `tunnel("tunnel", "127.0.0.1", ${L}, "/tunnel")`,
        `fetch("other_port", "http://127.0.0.1:${other.port}/x")`,
        `fetch("other_address", "http://127.0.0.2:${otherAddress.port}/x")`,
        `fetch("outside", "http://${OUTSIDE_NAME}/")`,
        `tunnel("outside_tunnel", "${OUTSIDE_NAME}", 443, "/")`,
        `direct("direct_gateway", proxy.hostname, ${L})`,
        `direct("direct_loopback", "127.0.0.1", ${L})`,
        `direct("direct_exposed", proxy.hostname, ${exposed.port})`,
        'resolve("dns", "airlock-egress-probe.invalid")',
        'out["resolv_conf"] = open("/etc/resolv.conf").read()',
      ]),
      [`127.0.0.1:${L}`, `localhost:${L}`],
    );
    const seen = outcomes(result);

    assert.equal(seen.plain, `ok listed GET /plain`);
    assert.equal(seen.named, `ok listed GET /named`);
    assert.equal(seen.tunnel, `ok listed GET /tunnel`);
    assert.match(seen.other_port ?? '', new RegExp(`^fail 403 airlock egress: 127\\.0\\.0\\.1:${other.port} is not on this action's allowlist$`));
    assert.match(seen.other_address ?? '', /^fail 403 airlock egress: 127\.0\.0\.2:\d+ is not on this action's allowlist$/);
    assert.match(seen.outside ?? '', /^fail 403 airlock egress: example\.com:80 is not on this action's allowlist$/);
    assert.match(seen.outside_tunnel ?? '', /^fail Tunnel connection failed: 403/);
    assert.match(seen.direct_gateway ?? '', /^fail /, 'a direct connection past the proxy must fail');
    assert.match(seen.direct_loopback ?? '', /^fail /);
    assert.match(seen.direct_exposed ?? '', /^fail /, 'a host service on all interfaces is not reachable past the proxy');
    assert.equal(exposed.requests.length, 0);
    assert.match(seen.dns ?? '', /^fail gaierror$/, 'the container has no working resolver');
    assert.doesNotMatch(seen.resolv_conf ?? '', /nameserver (?!127\.0\.0\.11\b)/, 'only Docker\'s embedded resolver is configured');

    // The servers saw exactly the allowed requests; the outside name never reached a resolver.
    assert.deepEqual(listed.requests.slice(servedBefore), ['GET /plain', 'GET /named', 'GET /tunnel']);
    assert.equal(other.requests.length, 0);
    assert.equal(otherAddress.requests.length, 0);
    assert.deepEqual(resolver.asked.slice(askedBefore), ['localhost']);

    // One record per attempt through the proxy, in order; direct connections never reach it.
    assert.deepEqual(summary(result.egress), [
      `GET 127.0.0.1:${L} allowed`,
      `GET localhost:${L} allowed`,
      `CONNECT 127.0.0.1:${L} allowed`,
      `GET 127.0.0.1:${other.port} denied`,
      `GET 127.0.0.2:${otherAddress.port} denied`,
      'GET example.com:80 denied',
      'CONNECT example.com:443 denied',
    ]);
    for (const attempt of result.egress ?? []) {
      if (attempt.verdict === 'allowed') {
        assert.equal(attempt.status, 200);
        assert.equal(attempt.address, '127.0.0.1');
        assert.ok(attempt.bytesSent > 0 && attempt.bytesReceived > 0, 'bytes each way are counted');
      } else {
        assert.equal(attempt.status, 403);
        assert.match(attempt.reason ?? '', /is not on this action's allowlist/);
        assert.equal(attempt.bytesSent, 0);
        assert.equal(attempt.address, undefined);
      }
      assert.ok(!Number.isNaN(Date.parse(attempt.at)));
    }
    const logs = logLines.join('');
    assert.match(logs, /"msg":"egress denied"/);
    assert.match(logs, /"msg":"egress allowed"/);
  });

  void it('lets curl-like node code through by forward request and CONNECT, and nothing else', async () => {
    const L = listed.port;
    const result = await run(
      'node',
      nodeProbe([
        `  await forward('plain', 'http://127.0.0.1:${L}/node-plain');`,
        `  await tunnel('tunnel', '127.0.0.1:${L}', '/node-tunnel');`,
        `  await tunnel('other_port', '127.0.0.1:${other.port}', '/');`,
        `  await forward('outside', 'http://${OUTSIDE_NAME}:8080/');`,
      ]),
      [`127.0.0.1:${L}`],
    );
    const seen = outcomes(result);
    assert.equal(seen.plain, 'ok listed GET /node-plain');
    assert.equal(seen.tunnel, 'ok listed GET /node-tunnel');
    assert.equal(seen.other_port, 'fail 403');
    assert.match(seen.outside ?? '', /^fail 403 /);
    assert.deepEqual(summary(result.egress), [
      `GET 127.0.0.1:${L} allowed`,
      `CONNECT 127.0.0.1:${L} allowed`,
      `CONNECT 127.0.0.1:${other.port} denied`,
      'GET example.com:8080 denied',
    ]);
    assert.ok(!resolver.asked.includes(OUTSIDE_NAME), 'an unlisted name is never looked up');
  });

  void it('keeps two concurrent actions to their own allowlists', async () => {
    const probe = (key: string) =>
      pythonProbe([
        `fetch("listed", "http://127.0.0.1:${listed.port}/${key}")`,
        `fetch("other", "http://127.0.0.1:${other.port}/${key}")`,
      ]);
    const [first, second] = await Promise.all([
      run('python', probe('first'), [`127.0.0.1:${listed.port}`]),
      run('python', probe('second'), [`127.0.0.1:${other.port}`]),
    ]);
    const a = outcomes(first);
    const b = outcomes(second);
    assert.equal(a.listed, 'ok listed GET /first');
    assert.match(a.other ?? '', /^fail 403 /);
    assert.match(b.listed ?? '', /^fail 403 /);
    assert.equal(b.other, 'ok other-port GET /second');
    assert.deepEqual(summary(first.egress), [`GET 127.0.0.1:${listed.port} allowed`, `GET 127.0.0.1:${other.port} denied`]);
    assert.deepEqual(summary(second.egress), [`GET 127.0.0.1:${listed.port} denied`, `GET 127.0.0.1:${other.port} allowed`]);
  });

  void it('refuses a listed loopback server when the policy does not name it as a private destination', async () => {
    const servedBefore = listed.requests.length;
    const L = listed.port;
    const result = await run(
      'python',
      pythonProbe([`fetch("plain", "http://127.0.0.1:${L}/x")`, `fetch("mapped", "http://[::ffff:7f00:1]:${L}/x")`, `tunnel("named", "localhost", ${L}, "/x")`]),
      [`127.0.0.1:${L}`, `localhost:${L}`],
      undefined,
      undefined,
      [],
    );
    const seen = outcomes(result);
    assert.match(seen.plain ?? '', /^fail 403 .*is loopback; a private destination must be listed/);
    assert.match(seen.mapped ?? '', /^fail 403 /);
    assert.match(seen.named ?? '', /^fail Tunnel connection failed: 403/);
    assert.equal(listed.requests.length, servedBefore, 'the server saw nothing');
    assert.deepEqual(summary(result.egress), [`GET 127.0.0.1:${L} denied`, `GET 127.0.0.1:${L} denied`, `CONNECT localhost:${L} denied`]);
  });

  void it('keeps an action without an allowlist off the network entirely', async () => {
    const code = [
      'import json, os, socket',
      'out = {"env": os.environ.get("HTTP_PROXY", "none")}',
      'try:',
      `    socket.create_connection(("127.0.0.1", ${listed.port}), timeout=3); out["direct"] = "ok"`,
      'except OSError as e: out["direct"] = "fail " + type(e).__name__',
      'print(json.dumps(out))',
    ].join('\n');
    const result = await run('python', code, undefined);
    const seen = outcomes(result);
    assert.equal(seen.env, 'none');
    assert.match(seen.direct ?? '', /^fail /);
    assert.equal(result.egress, undefined);
  });

  void it('removes the network, proxy and firewall rules when the execution is aborted mid-run', async () => {
    const abort = new AbortController();
    const running = run('python', 'import time\nprint("started", flush=True)\ntime.sleep(60)', [`127.0.0.1:${listed.port}`], undefined, abort.signal);
    // Bounded wait until the container runs, then abort as a cancelled activity would.
    for (let i = 0; i < 100; i++) {
      const up = await docker.listContainers({ filters: { label: [`${LABELS.runId}=${RUN_ID}`], status: ['running'] } });
      if (up.length > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    abort.abort(new Error('cancelled by test'));
    await assert.rejects(running, /cancelled by test/);
  });

  void it('refuses an allowlist under strong isolation with a clear error, leaving nothing behind', async () => {
    await assert.rejects(run('python', 'print(1)', [`127.0.0.1:${listed.port}`], 'strong'), (err: unknown) => {
      // Without gVisor on this host the runtime choice may refuse first; either way nothing runs.
      const name = (err as Error).name;
      assert.ok(
        err instanceof EgressUnderStrongIsolationError || name === 'StrongIsolationUnavailableError',
        `unexpected error ${name}: ${(err as Error).message}`,
      );
      return true;
    });
  });
});
