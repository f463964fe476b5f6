/** The egress proxy on its own: real sockets on this machine's loopback, no Docker. */
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { BlockList } from 'node:net';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { EgressProxy } from '../../sandbox/network/egress-proxy.js';
import { ResolveTimeoutError } from '../../sandbox/network/egress-resolver.js';
import type { ControlPlane } from '../../sandbox/network/control-plane.js';
import { parseAllowList, parseDenyEntry, type DenyEntry } from '../../schemas/network.js';
import { recordingResolver, startLocalServer, type LocalServer } from '../support/egress-servers.js';

const silent = pino({ level: 'silent' });

/** A forward request through the proxy: status and body. */
function viaProxy(proxy: EgressProxy, url: string, init: { method?: string; body?: string; host?: string } = {}): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(proxy.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: hostname, port, path: url, method: init.method ?? 'GET', headers: { host: init.host ?? new URL(url).host }, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

/** The status line of a CONNECT answer. */
function connectStatus(proxy: EgressProxy, authority: string): Promise<string> {
  const { hostname, port } = new URL(proxy.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) }, () => socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`));
    socket.setEncoding('utf8');
    socket.once('data', (data: string) => {
      resolve(data.split('\r\n')[0] ?? '');
      socket.destroy();
    });
    socket.on('error', reject);
  });
}

void describe('EgressProxy', { timeout: 30_000 }, () => {
  let server: LocalServer;
  before(async () => {
    server = await startLocalServer('local');
  });
  after(async () => {
    await server?.close();
  });

  /** Only what the tests need: the Docker API ports, and whatever a test adds. */
  const NO_CONTROL_PLANE: ControlPlane = { ports: new Set([2375, 2376]), endpoints: [] };

  async function proxyFor(
    allow: string[],
    resolver = recordingResolver(),
    isOwnSource = async () => true,
    options: { privateDestinations?: string[]; controlPlane?: ControlPlane; maxUpstreams?: number } = {},
  ) {
    const proxy = new EgressProxy({
      listenHost: '127.0.0.1',
      allow: parseAllowList(allow),
      isOwnSource,
      resolve: resolver.resolve,
      logger: silent,
      privateDestinations: (options.privateDestinations ?? []).map((text) => parseDenyEntry(text) as DenyEntry),
      addressContext: { hostAddresses: new BlockList(), controlPlane: options.controlPlane ?? NO_CONTROL_PLANE, controlPlaneAddresses: [] },
      ...(options.maxUpstreams ? { maxUpstreams: options.maxUpstreams } : {}),
    });
    await proxy.start();
    return proxy;
  }

  void it('refuses a listed name that resolves to a link-local or metadata address, without connecting', async () => {
    // The resolver is the test's own: the forbidden address is only ever an answer, never a destination.
    const resolver = recordingResolver({ 'meta.test': '169.254.169.254', 'mapped.test': '::ffff:169.254.1.1' });
    const proxy = await proxyFor([`meta.test:${server.port}`, `mapped.test:${server.port}`], resolver);
    try {
      const plain = await viaProxy(proxy, `http://meta.test:${server.port}/`);
      assert.equal(plain.status, 403);
      assert.match(plain.body, /refused: 169\.254\.169\.254 is link-local/);
      assert.match(await connectStatus(proxy, `mapped.test:${server.port}`), /^HTTP\/1\.1 403 /);
      const { attempts } = await proxy.close();
      assert.deepEqual(attempts.map((a) => [a.method, a.host, a.verdict, a.address, a.bytesSent]), [
        ['GET', 'meta.test', 'denied', undefined, 0],
        ['CONNECT', 'mapped.test', 'denied', undefined, 0],
      ]);
    } finally {
      await proxy.close();
    }
  });

  void it('refuses a listed name that resolves to loopback unless the policy names it as a private destination', async () => {
    const resolver = recordingResolver({ 'rebound.apps.test': '127.0.0.1', 'mapped.apps.test': '::ffff:7f00:1' });
    const proxy = await proxyFor([`*.apps.test:${server.port}`, `localhost:${server.port}`], resolver, undefined, {
      privateDestinations: [`localhost:${server.port}`],
    });
    try {
      for (const name of ['rebound.apps.test', 'mapped.apps.test']) {
        const refused = await viaProxy(proxy, `http://${name}:${server.port}/`);
        assert.equal(refused.status, 403, name);
        assert.match(refused.body, /loopback; a private destination must be listed in the policy's network\.privateDestinations/);
      }
      assert.equal((await viaProxy(proxy, `http://localhost:${server.port}/named`)).status, 200);
      assert.equal(server.requests.filter((r) => r === 'GET /').length, 0, 'the refused names never reached the server');
    } finally {
      await proxy.close();
    }
  });

  void it('refuses every spelling of a loopback literal that is not opted in, and decides opt-ins on the bytes', async () => {
    const before = server.requests.length;
    const spellings = ['127.0.0.1', '[::ffff:7f00:1]', '[::ffff:127.0.0.1]', '[::127.0.0.1]', '[64:ff9b::7f00:1]', '[0:0:0:0:0:ffff:7f00:0001]'];
    const closed = await proxyFor(spellings.map((h) => `${h}:${server.port}`));
    try {
      for (const host of spellings) {
        const answer = await viaProxy(closed, `http://${host}:${server.port}/`);
        assert.equal(answer.status, 403, `${host}: ${answer.body}`);
        assert.match(answer.body, /is loopback/);
        assert.match(await connectStatus(closed, `${host}:${server.port}`), /^HTTP\/1\.1 403 /);
      }
    } finally {
      await closed.close();
    }
    assert.equal(server.requests.length, before, 'no spelling reached the server');
    // Opting in 127.0.0.1 opts in its other spellings, because they are the same address.
    const open = await proxyFor([`[::ffff:7f00:1]:${server.port}`], undefined, undefined, { privateDestinations: [`127.0.0.1:${server.port}`] });
    try {
      const answer = await viaProxy(open, `http://[::ffff:7f00:1]:${server.port}/mapped`);
      assert.deepEqual(answer, { status: 200, body: 'local GET /mapped' });
      const [attempt] = (await open.close()).attempts;
      assert.equal(attempt?.address, '127.0.0.1', 'the proxy connects to the address it checked');
    } finally {
      await open.close();
    }
  });

  void it('never connects to the control plane, even when it is listed and opted in as private', async () => {
    const controlPlane: ControlPlane = { ports: new Set([server.port, 2375, 2376]), endpoints: [] };
    const proxy = await proxyFor([`127.0.0.1:${server.port}`, `localhost:${server.port}`], undefined, undefined, {
      privateDestinations: ['127.0.0.1', 'localhost'],
      controlPlane,
    });
    try {
      const before = server.requests.length;
      for (const url of [`http://127.0.0.1:${server.port}/`, `http://localhost:${server.port}/`]) {
        const answer = await viaProxy(proxy, url);
        assert.equal(answer.status, 403);
        assert.match(answer.body, /control plane, never a destination/);
      }
      assert.match(await connectStatus(proxy, `localhost:${server.port}`), /^HTTP\/1\.1 403 /);
      assert.equal(server.requests.length, before);
      const { attempts } = await proxy.close();
      assert.deepEqual(attempts.map((a) => [a.method, a.verdict, a.status]), [
        ['GET', 'denied', 403],
        ['GET', 'denied', 403],
        ['CONNECT', 'denied', 403],
      ]);
    } finally {
      await proxy.close();
    }
  });

  void it('answers 504 when a name does not resolve in time, and 429 past the per-action connection cap', async () => {
    // The resolver's own deadline is tested with a real DNS server in the adversarial suite; here it just fails so.
    const timing = {
      asked: [] as string[],
      resolve: async (host: string) => {
        if (host === 'localhost') return [{ address: '127.0.0.1', family: 4 }];
        throw new ResolveTimeoutError(host, 50);
      },
    };
    const proxy = await proxyFor([`slow.test:${server.port}`, `localhost:${server.port}`], timing, undefined, {
      privateDestinations: ['localhost'],
      maxUpstreams: 1,
    });
    try {
      const timedOut = await viaProxy(proxy, `http://slow.test:${server.port}/`);
      assert.equal(timedOut.status, 504);
      assert.match(timedOut.body, /did not resolve within 50 ms/);
      // One tunnel held open, then a second request is over the cap.
      const { hostname, port } = new URL(proxy.url);
      const held = net.connect({ host: hostname, port: Number(port) });
      await new Promise<void>((resolve) => {
        held.once('connect', () => held.write(`CONNECT localhost:${server.port} HTTP/1.1\r\n\r\n`));
        held.once('data', () => resolve());
      });
      const over = await viaProxy(proxy, `http://localhost:${server.port}/over`);
      assert.equal(over.status, 429);
      held.destroy();
    } finally {
      await proxy.close();
    }
  });

  void it('never resolves an unlisted name, and resolves a listed one itself', async () => {
    const resolver = recordingResolver();
    const proxy = await proxyFor([`localhost:${server.port}`], resolver, undefined, { privateDestinations: ['localhost'] });
    try {
      assert.equal((await viaProxy(proxy, 'http://unlisted.example/')).status, 403);
      assert.match(await connectStatus(proxy, 'unlisted.example:443'), /^HTTP\/1\.1 403 /);
      const ok = await viaProxy(proxy, `http://localhost:${server.port}/hello?x=1`);
      assert.deepEqual(ok, { status: 200, body: 'local GET /hello?x=1' });
      assert.deepEqual(resolver.asked, ['localhost']);
    } finally {
      await proxy.close();
    }
  });

  void it('sets the Host header from the checked URL and counts the bytes of a request body both ways', async () => {
    const proxy = await proxyFor([`127.0.0.1:${server.port}`], undefined, undefined, { privateDestinations: ['127.0.0.1'] });
    try {
      const posted = await viaProxy(proxy, `http://127.0.0.1:${server.port}/up`, { method: 'POST', body: 'x'.repeat(5_000), host: 'other.example' });
      assert.equal(posted.status, 200);
      assert.equal(posted.body, `local POST /up ${'x'.repeat(5_000)}`);
      const [attempt] = (await proxy.close()).attempts;
      assert.equal(attempt?.verdict, 'allowed');
      assert.ok((attempt?.bytesSent ?? 0) > 5_000, `sent ${attempt?.bytesSent}`);
      assert.ok((attempt?.bytesReceived ?? 0) > 5_000, `received ${attempt?.bytesReceived}`);
    } finally {
      await proxy.close();
    }
  });

  void it('serves no one but the action\'s own container', async () => {
    const proxy = await proxyFor([`127.0.0.1:${server.port}`], recordingResolver(), async () => false);
    try {
      const answer = await viaProxy(proxy, `http://127.0.0.1:${server.port}/`);
      assert.equal(answer.status, 403);
      assert.match(answer.body, /does not come from this action's sandbox/);
      assert.equal(server.requests.filter((r) => r === 'GET /').length, 0);
    } finally {
      await proxy.close();
    }
  });

  void it('refuses what is not a proxy request: origin-form paths, other schemes, bad CONNECT targets', async () => {
    const proxy = await proxyFor([`127.0.0.1:${server.port}`]);
    try {
      assert.equal((await viaProxy(proxy, '/relative', { host: 'x.example' })).status, 403);
      assert.match(await connectStatus(proxy, 'no-port-here'), /^HTTP\/1\.1 403 /);
      const { attempts } = await proxy.close();
      assert.equal(attempts.length, 2);
      assert.ok(attempts.every((a) => a.verdict === 'denied' && a.reason));
    } finally {
      await proxy.close();
    }
  });
});
