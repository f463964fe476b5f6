import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { parseIp } from '../../schemas/ip-address.js';
import {
  entryCovers,
  MAX_RECORDED_EGRESS_ATTEMPTS,
  type AllowEntry,
  type DenyEntry,
  type EgressAttempt,
} from '../../schemas/network.js';
import { findAllowEntry, normaliseHost, type Destination } from './allowlist.js';
import type { ActionCertificateAuthority } from './action-ca.js';
import { applyCredential, credentialFor, type InjectedCredential } from './credential-injection.js';
import { judgeAddresses, type AddressContext } from './destination-verdict.js';
import { createEgressResolver, ResolveTimeoutError, type ResolveHost } from './egress-resolver.js';

export type { ResolveHost } from './egress-resolver.js';

export interface EgressProxyOptions {
  /** Where to listen: the gateway address of the action's internal network (never a public interface). */
  listenHost: string;
  allow: readonly AllowEntry[];
  /**
   * Whether a connection from this source address comes from the action's own container. Answered from what
   * Docker knows about the network, never from anything the sandboxed code sends.
   */
  isOwnSource: (address: string) => Promise<boolean>;
  logger: Logger;
  /** The policy's private destinations: only these may be, or resolve to, loopback, private or host addresses. */
  privateDestinations?: readonly DenyEntry[];
  /** This host's addresses and its control plane, as read when the action's egress opened. */
  addressContext: AddressContext;
  resolve?: ResolveHost;
  connectTimeoutMs?: number;
  /** Client connections to the proxy at once. */
  maxConnections?: number;
  /** Connections to destinations open at once, per action: more get a 429 until one closes. */
  maxUpstreams?: number;
  /**
   * Secrets to add to requests for their bound destinations (within the allowlist). A bound destination reached
   * through CONNECT has its TLS terminated here with a certificate from `authority`.
   */
  credentials?: readonly InjectedCredential[];
  authority?: ActionCertificateAuthority;
  /** Certificates trusted for destinations whose TLS the proxy terminates; Node's bundled roots when absent. */
  upstreamCa?: readonly string[];
}

/** A TLS tunnel the proxy terminated: where its requests go and what they get. */
interface Interception {
  destination: Destination;
  address: string;
  credential: InjectedCredential;
}

/** The attempts an action made: the first MAX_RECORDED_EGRESS_ATTEMPTS in order, and how many more were only logged. */
export interface EgressLog {
  attempts: EgressAttempt[];
  omitted: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_CONNECTIONS = 64;
const DEFAULT_MAX_UPSTREAMS = 32;
/** Headers that describe one hop, or talk to the proxy: never passed on. */
const HOP_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

interface LiveAttempt {
  record: EgressAttempt;
  startedAt: number;
  upstream?: net.Socket;
  done: boolean;
  /** Counted in the proxy's open-upstream total until finished. */
  holdsUpstream?: boolean;
}

/** The destination did not accept the connection in time: the code gets a 504. */
class ConnectTimeoutError extends Error {
  override readonly name = 'ConnectTimeoutError';
  constructor(destination: Destination, timeoutMs: number) {
    super(`${describe(destination)} did not accept a connection within ${timeoutMs} ms`);
  }
}

/** The status for a destination that failed after it was allowed. */
function failureStatus(err: Error): number {
  return err instanceof ConnectTimeoutError ? 504 : 502;
}

/** A refusal: the client gets `status` with `reason` as the body. */
class Refusal {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {}
}

/**
 * The egress proxy of one action: an HTTP forward proxy that also serves CONNECT, listening on the gateway of the
 * action's internal network. It lets through only the action's allowlisted host:port pairs, decides on the name
 * before resolving anything, resolves listed names itself, never connects to link-local or metadata addresses,
 * and records every attempt (allowed or denied) with bytes each way.
 */
export class EgressProxy {
  private readonly options: EgressProxyOptions;
  private readonly resolve: ResolveHost;
  private readonly connectTimeoutMs: number;
  private readonly server: http.Server;
  private readonly live: LiveAttempt[] = [];
  private omitted = 0;
  private upstreamsOpen = 0;
  private readonly sockets = new Set<Duplex>();
  private readonly sourceChecks = new Map<string, Promise<boolean>>();
  private address: { host: string; port: number } | undefined;
  private closing: Promise<EgressLog> | undefined;
  /** Parses the HTTP inside terminated tunnels; never listens itself. */
  private readonly interceptor: http.Server;
  private readonly interceptions = new WeakMap<object, Interception>();

  constructor(options: EgressProxyOptions) {
    this.options = options;
    this.resolve = options.resolve ?? createEgressResolver();
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.server = http.createServer();
    this.server.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    this.server.on('connection', (socket: net.Socket) => this.track(socket));
    this.server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      this.forward(req, res).catch((err: unknown) => this.options.logger.error({ err }, 'egress proxy request failed'));
    });
    this.server.on('connect', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      this.tunnel(req, socket, head).catch((err: unknown) => this.options.logger.error({ err }, 'egress proxy tunnel failed'));
    });
    this.server.on('clientError', (_err, socket: Duplex) => socket.destroy());
    this.interceptor = http.createServer();
    this.interceptor.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      this.intercepted(req, res);
    });
    this.interceptor.on('clientError', (_err, socket: Duplex) => socket.destroy());
  }

  /** Starts listening on an ephemeral port of the listen host. */
  async start(): Promise<{ host: string; port: number }> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: this.options.listenHost, port: 0 }, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const bound = this.server.address() as net.AddressInfo;
    this.address = { host: this.options.listenHost, port: bound.port };
    return this.address;
  }

  /** The proxy URL the container's HTTP_PROXY/HTTPS_PROXY point at. */
  get url(): string {
    if (!this.address) throw new Error('the egress proxy is not listening yet');
    const host = this.address.host.includes(':') ? `[${this.address.host}]` : this.address.host;
    return `http://${host}:${this.address.port}`;
  }

  /** The attempts so far (bytes of open tunnels as of now). */
  log(): EgressLog {
    return { attempts: this.live.map((attempt) => this.snapshot(attempt)), omitted: this.omitted };
  }

  /** Stops listening, cuts every open connection and returns the final record. Safe to call more than once. */
  close(): Promise<EgressLog> {
    this.closing ??= (async () => {
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      for (const socket of this.sockets) socket.destroy();
      for (const attempt of this.live) attempt.upstream?.destroy();
      await closed;
      for (const attempt of this.live) this.finish(attempt);
      return this.log();
    })();
    return this.closing;
  }

  private track(socket: Duplex): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private snapshot(attempt: LiveAttempt): EgressAttempt {
    if (attempt.done || !attempt.upstream) return { ...attempt.record };
    return {
      ...attempt.record,
      bytesSent: attempt.upstream.bytesWritten,
      bytesReceived: attempt.upstream.bytesRead,
      durationMs: Date.now() - attempt.startedAt,
    };
  }

  private begin(method: string, destination: Destination): LiveAttempt {
    const attempt: LiveAttempt = {
      record: {
        at: new Date().toISOString(),
        method,
        host: destination.host,
        port: destination.port,
        verdict: 'denied',
        bytesSent: 0,
        bytesReceived: 0,
        durationMs: 0,
      },
      startedAt: Date.now(),
      done: false,
    };
    if (this.live.length < MAX_RECORDED_EGRESS_ATTEMPTS) this.live.push(attempt);
    else this.omitted++;
    return attempt;
  }

  /** Freezes the attempt's counters and logs it, once. */
  private finish(attempt: LiveAttempt): void {
    if (attempt.done) return;
    Object.assign(attempt.record, this.snapshot(attempt));
    attempt.done = true;
    if (attempt.holdsUpstream) this.upstreamsOpen--;
    const { record } = attempt;
    const level = record.verdict === 'denied' ? 'warn' : 'info';
    this.options.logger[level]({ egress: record }, record.verdict === 'denied' ? 'egress denied' : 'egress allowed');
  }

  private refuse(attempt: LiveAttempt, refusal: Refusal): void {
    // 403: the policy said no; 429: the per-action cap did. Otherwise the destination was allowed but could not be
    // reached (502, or 504 when it did not answer in time).
    attempt.record.verdict = refusal.status === 403 || refusal.status === 429 ? 'denied' : 'allowed';
    attempt.record.reason = refusal.reason;
    attempt.record.status = refusal.status;
  }

  private isOwnSource(address: string | undefined): Promise<boolean> {
    if (!address) return Promise.resolve(false);
    let check = this.sourceChecks.get(address);
    if (!check) {
      check = this.options.isOwnSource(address).catch((err: unknown) => {
        this.options.logger.warn({ err }, 'could not check the source of an egress request; refusing it');
        return false;
      });
      this.sourceChecks.set(address, check);
    }
    return check;
  }

  /**
   * The address to connect to for an allowed destination, or a refusal. The allowlist is checked first, so a
   * name that is not listed is never resolved.
   */
  private async decide(
    source: string | undefined,
    destination: Destination,
    attempt: LiveAttempt,
  ): Promise<{ address: string } | Refusal> {
    if (!(await this.isOwnSource(source))) {
      return new Refusal(403, 'the request does not come from this action\'s sandbox');
    }
    if (!findAllowEntry(this.options.allow, destination)) {
      return new Refusal(403, `${describe(destination)} is not on this action's allowlist`);
    }
    let addresses: string[];
    if (parseIp(destination.host)) {
      addresses = [destination.host];
    } else {
      try {
        addresses = (await this.resolve(destination.host)).map((a) => a.address);
      } catch (err) {
        if (err instanceof ResolveTimeoutError) return new Refusal(504, err.message);
        return new Refusal(502, `${destination.host} could not be resolved: ${(err as Error).message}`);
      }
    }
    const judged = judgeAddresses({
      port: destination.port,
      addresses,
      privateAllowed: (this.options.privateDestinations ?? []).some((cover) => entryCovers(cover, destination)),
      context: this.options.addressContext,
    });
    // One unfit address poisons the name: a listed name must not become a way into this host or its networks.
    if ('refused' in judged) return new Refusal(403, `${describe(destination)} refused: ${judged.refused}`);
    // Counted here, after the last await, so concurrent requests cannot all slip under the cap.
    const cap = this.options.maxUpstreams ?? DEFAULT_MAX_UPSTREAMS;
    if (this.upstreamsOpen >= cap) {
      return new Refusal(429, `this action already has ${cap} connections open through the proxy; close one first`);
    }
    // A client that went away meanwhile has its record finished already: nothing will be opened for it.
    if (!attempt.done) {
      this.upstreamsOpen++;
      attempt.holdsUpstream = true;
    }
    return { address: judged.address };
  }


  /** An HTTP request in absolute form (`GET http://host:port/path`): checked, then passed on. */
  private async forward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const target = parseAbsoluteUrl(req.url ?? '');
    const method = req.method ?? 'GET';
    if (typeof target === 'string') {
      const attempt = this.begin(method, { host: '', port: 0 });
      this.refuse(attempt, new Refusal(403, target));
      respond(res, 403, target);
      this.finish(attempt);
      return;
    }
    const attempt = this.begin(method, target.destination);
    res.once('close', () => {
      if (!attempt.upstream) this.finish(attempt);
    });
    const decision = await this.decide(req.socket.remoteAddress, target.destination, attempt);
    // The client went away while the decision was made: nothing to forward, the record is final.
    if (attempt.done) return;
    if (decision instanceof Refusal) {
      this.refuse(attempt, decision);
      respond(res, decision.status, decision.reason);
      return;
    }
    attempt.record.verdict = 'allowed';
    attempt.record.address = decision.address;

    const headers = passedHeaders(req);
    // The Host header follows the checked URL, so the code cannot name one host and ask another.
    headers.host = hostHeader(target.destination);
    let path = target.path;
    const credential = credentialFor(this.options.credentials ?? [], target.destination);
    if (credential) {
      path = applyCredential(credential, headers, path);
      attempt.record.credential = credential.name;
    }
    this.relay(req, res, attempt, target.destination, () =>
      http.request({
        host: decision.address,
        port: target.destination.port,
        method,
        path,
        headers,
        agent: false,
        setHost: false,
      }),
    );
  }

  /** Sends a checked request on and its answer back, counting bytes and bounding the connect time. */
  private relay(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    attempt: LiveAttempt,
    destination: Destination,
    open: () => http.ClientRequest,
  ): void {
    const upstream = open();
    upstream.once('socket', (socket: net.Socket) => {
      attempt.upstream = socket;
      socket.once('close', () => this.finish(attempt));
      // Bounded until connected; after that the exchange may take as long as the action runs.
      socket.setTimeout(this.connectTimeoutMs, () =>
        upstream.destroy(new ConnectTimeoutError(destination, this.connectTimeoutMs)),
      );
      socket.once('connect', () => socket.setTimeout(0));
    });
    // The code went away: stop fetching for it.
    res.once('close', () => upstream.destroy());
    upstream.once('response', (upstreamRes) => {
      attempt.record.status = upstreamRes.statusCode;
      const responseHeaders: http.OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(upstreamRes.headers)) {
        if (!HOP_HEADERS.has(name) && value !== undefined) responseHeaders[name] = value;
      }
      res.writeHead(upstreamRes.statusCode ?? 502, responseHeaders);
      upstreamRes.pipe(res);
    });
    upstream.once('error', (err) => {
      attempt.record.reason = `destination failed: ${err.message}`;
      if (!res.headersSent) {
        attempt.record.status = failureStatus(err);
        respond(res, attempt.record.status, attempt.record.reason);
      } else {
        res.destroy();
      }
      if (!attempt.upstream) this.finish(attempt);
    });
    req.pipe(upstream);
  }

  /**
   * A request inside a tunnel whose TLS the proxy terminated: its Host must name the tunnel's destination, the
   * code's own credential header is replaced by the real one, and it goes on over TLS verified against the
   * destination's name. Each request is its own attempt in the record.
   */
  private intercepted(req: http.IncomingMessage, res: http.ServerResponse): void {
    const interception = this.interceptions.get(req.socket);
    const method = req.method ?? 'GET';
    if (!interception) {
      respond(res, 403, 'this connection is not an intercepted tunnel');
      return;
    }
    const { destination, address, credential } = interception;
    const attempt = this.begin(method, destination);
    res.once('close', () => {
      if (!attempt.upstream) this.finish(attempt);
    });
    const named = parseAuthority(hostWithPort(req.headers.host ?? ''));
    if (typeof named === 'string' || named.host !== destination.host || named.port !== destination.port) {
      const reason = `the Host header ${JSON.stringify((req.headers.host ?? '').slice(0, 100))} does not name ${describe(destination)}, the tunnel's destination`;
      this.refuse(attempt, new Refusal(403, reason));
      respond(res, 403, reason);
      return;
    }
    attempt.record.verdict = 'allowed';
    attempt.record.address = address;
    attempt.record.credential = credential.name;
    const headers = passedHeaders(req);
    headers.host = req.headers.host;
    const path = applyCredential(credential, headers, req.url ?? '/');
    const servername = net.isIP(destination.host) ? undefined : destination.host;
    this.relay(req, res, attempt, destination, () =>
      https.request({
        host: address,
        port: destination.port,
        method,
        path,
        headers,
        agent: false,
        setHost: false,
        ...(servername ? { servername } : {}),
        ca: [...(this.options.upstreamCa ?? tls.rootCertificates)],
        rejectUnauthorized: true,
        // Checked against the name the code asked for, not the address the proxy connected to.
        checkServerIdentity: (_host, cert) => tls.checkServerIdentity(destination.host, cert),
      }),
    );
  }

  /**
   * Terminates the code's TLS on a tunnel to a destination with a credential: the certificate comes from the
   * action's own authority (trusted only inside its container), and the HTTP inside is served by `intercepted`.
   */
  private intercept(attempt: LiveAttempt, client: Duplex, head: Buffer, interception: Interception): void {
    const authority = this.options.authority;
    if (!authority) {
      this.refuse(attempt, new Refusal(403, `${describe(interception.destination)} needs a credential but this proxy has no authority to add it`));
      refuseTunnel(client, 403, attempt.record.reason as string);
      this.finish(attempt);
      return;
    }
    attempt.record.credential = interception.credential.name;
    attempt.record.intercepted = true;
    attempt.record.status = 200;
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) client.unshift(head);
    const issued = authority.issue(interception.destination.host);
    const secured = new tls.TLSSocket(client as net.Socket, {
      isServer: true,
      secureContext: tls.createSecureContext({ cert: issued.certPem, key: issued.keyPem }),
      ALPNProtocols: ['http/1.1'],
    });
    secured.on('error', () => secured.destroy());
    this.interceptions.set(secured, interception);
    this.track(secured);
    client.once('close', () => this.finish(attempt));
    this.interceptor.emit('connection', secured);
  }

  /** A CONNECT tunnel (`CONNECT host:port`): checked, then bytes are passed both ways unseen. */
  private async tunnel(req: http.IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
    this.track(client);
    client.on('error', () => client.destroy());
    const destination = parseAuthority(req.url ?? '');
    if (typeof destination === 'string') {
      const attempt = this.begin('CONNECT', { host: '', port: 0 });
      this.refuse(attempt, new Refusal(403, destination));
      refuseTunnel(client, 403, destination);
      this.finish(attempt);
      return;
    }
    const attempt = this.begin('CONNECT', destination);
    const decision = await this.decide(req.socket.remoteAddress, destination, attempt);
    if (decision instanceof Refusal) {
      this.refuse(attempt, decision);
      refuseTunnel(client, decision.status, decision.reason);
      this.finish(attempt);
      return;
    }
    attempt.record.verdict = 'allowed';
    attempt.record.address = decision.address;
    const credential = credentialFor(this.options.credentials ?? [], destination);
    if (credential) {
      this.intercept(attempt, client, head, { destination, address: decision.address, credential });
      return;
    }
    const upstream = net.connect({ host: decision.address, port: destination.port });
    attempt.upstream = upstream;
    upstream.setTimeout(this.connectTimeoutMs, () =>
      upstream.destroy(new ConnectTimeoutError(destination, this.connectTimeoutMs)),
    );
    upstream.once('connect', () => {
      upstream.setTimeout(0);
      attempt.record.status = 200;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.once('error', (err) => {
      attempt.record.reason = `destination failed: ${err.message}`;
      if (attempt.record.status === undefined) {
        attempt.record.status = failureStatus(err);
        refuseTunnel(client, attempt.record.status, attempt.record.reason);
      } else {
        client.destroy();
      }
    });
    upstream.once('close', () => {
      this.finish(attempt);
      client.end();
    });
    client.once('close', () => upstream.destroy());
  }
}

/** The request's headers minus those of one hop or meant for the proxy. */
function passedHeaders(req: http.IncomingMessage): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (!HOP_HEADERS.has(name) && value !== undefined) headers[name] = value;
  }
  return headers;
}

/** A Host header value inside TLS with the port made explicit (443, HTTPS's default, when it has none). */
function hostWithPort(host: string): string {
  return /:\d+$/.test(host) && !/^\[[^\]]*\]$/.test(host) ? host : `${host}:443`;
}

function describe(destination: Destination): string {
  return hostHeader(destination);
}

function hostHeader(destination: Destination): string {
  const host = destination.host.includes(':') ? `[${destination.host}]` : destination.host;
  return `${host}:${destination.port}`;
}

function parseAbsoluteUrl(text: string): { destination: Destination; path: string } | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'the proxy forwards absolute http:// URLs only (use CONNECT for anything else)';
  }
  if (url.protocol !== 'http:') return `the proxy forwards http:// URLs only; use CONNECT for ${url.protocol}`;
  if (url.username || url.password) return 'credentials in the URL are not forwarded';
  const port = url.port === '' ? 80 : Number(url.port);
  return { destination: { host: normaliseHost(url.hostname), port }, path: `${url.pathname}${url.search}` };
}

function parseAuthority(text: string): Destination | string {
  const match = /^(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/.exec(text);
  if (!match) return `CONNECT needs host:port, not ${JSON.stringify(text.slice(0, 100))}`;
  const port = Number(match[2]);
  if (port < 1 || port > 65_535) return `CONNECT needs a port from 1 to 65535`;
  return { host: normaliseHost(match[1] as string), port };
}

function respond(res: http.ServerResponse, status: number, reason: string): void {
  const body = `airlock egress: ${reason}\n`;
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-airlock-egress': status === 403 || status === 429 ? 'denied' : 'error',
    connection: 'close',
  });
  res.end(body);
}

function refuseTunnel(client: Duplex, status: number, reason: string): void {
  const body = `airlock egress: ${reason}\n`;
  const statusText = http.STATUS_CODES[status] ?? 'Error';
  client.end(
    `HTTP/1.1 ${status} ${statusText}\r\ncontent-type: text/plain; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nx-airlock-egress: ${status === 403 || status === 429 ? 'denied' : 'error'}\r\n` +
      `connection: close\r\n\r\n${body}`,
  );
}
