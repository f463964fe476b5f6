/**
 * A stand-in for a Docker engine on a unix socket, for testing how Airlock behaves when its engine hangs or goes
 * away: it answers `/_ping` and a few calls while `answering`, holds every request open while `hanging`, and has no
 * socket at all while `stopped`. Nothing else on the machine is touched.
 */
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export type FakeEngineMode = 'answering' | 'hanging';

export class FakeEngine {
  mode: FakeEngineMode = 'answering';
  readonly requests: string[] = [];
  private server: http.Server | undefined;
  private readonly held = new Set<http.ServerResponse>();

  private constructor(
    readonly dir: string,
    readonly socketPath: string,
  ) {}

  static async start(): Promise<FakeEngine> {
    const dir = await mkdtemp(path.join(tmpdir(), 'airlock-fake-engine-'));
    const engine = new FakeEngine(dir, path.join(dir, 'docker.sock'));
    await engine.listen();
    return engine;
  }

  get dockerHost(): string {
    return `unix://${this.socketPath}`;
  }

  /** Takes the socket away, as a stopped dockerd does; held requests are cut. */
  async stopListening(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const res of this.held) res.destroy();
    this.held.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async listen(): Promise<void> {
    if (this.server) return;
    const server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.socketPath, () => resolve());
    });
    this.server = server;
  }

  async close(): Promise<void> {
    await this.stopListening();
    await rm(this.dir, { recursive: true, force: true });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.requests.push(`${req.method} ${req.url}`);
    req.resume();
    if (this.mode === 'hanging') {
      this.held.add(res);
      res.on('close', () => this.held.delete(res));
      return;
    }
    const url = (req.url ?? '').replace(/^\/v[\d.]+/, '');
    if (url.startsWith('/_ping')) {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('OK');
      return;
    }
    if (url.startsWith('/info')) {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ Runtimes: { runc: {} } }));
      return;
    }
    res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: `no such object: ${req.url}` }));
  }
}
