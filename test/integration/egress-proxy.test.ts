/** The egress proxy on its own: real sockets on this machine's loopback, no Docker. */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { EgressProxy } from '../../sandbox/network/egress-proxy.js';
import { parseAllowList } from '../../schemas/network.js';
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

  async function proxyFor(allow: string[], resolver = recordingResolver(), isOwnSource = async () => true) {
    const proxy = new EgressProxy({ listenHost: '127.0.0.1', allow: parseAllowList(allow), isOwnSource, resolve: resolver.resolve, logger: silent });
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
      assert.match(plain.body, /resolves to a forbidden address: 169\.254\.169\.254 is link-local/);
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

  void it('refuses a listed name other than localhost that resolves to loopback', async () => {
    const resolver = recordingResolver({ 'rebound.apps.test': '127.0.0.1' });
    const proxy = await proxyFor([`*.apps.test:${server.port}`, `localhost:${server.port}`], resolver);
    try {
      const refused = await viaProxy(proxy, `http://rebound.apps.test:${server.port}/`);
      assert.equal(refused.status, 403);
      assert.match(refused.body, /loopback address of the worker host/);
      assert.equal((await viaProxy(proxy, `http://localhost:${server.port}/named`)).status, 200);
    } finally {
      await proxy.close();
    }
  });

  void it('never resolves an unlisted name, and resolves a listed one itself', async () => {
    const resolver = recordingResolver();
    const proxy = await proxyFor([`localhost:${server.port}`], resolver);
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
    const proxy = await proxyFor([`127.0.0.1:${server.port}`]);
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
