/**
 * TLS for tests: throwaway CAs and certificates made with the `openssl` command in a temporary folder (never in the
 * repository), and a TLS front for the test Temporal server that demands a client certificate from a given CA and
 * forwards the decrypted bytes, because the `temporal` dev server itself has no TLS flags.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Elliptic-curve keys: quick to make, and accepted by Temporal's Rust TLS stack. */
const KEY_ARGS = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export interface CertificateFiles {
  cert: string;
  key: string;
}

export interface TestPki {
  dir: string;
  /** Makes a CA (self-signed, CA:TRUE) named `name`. */
  ca(name: string): Promise<CertificateFiles>;
  /** Makes a leaf certificate signed by `ca`, for a server (with a DNS name) or a client. */
  leaf(name: string, ca: CertificateFiles, usage: { server: string } | 'client'): Promise<CertificateFiles>;
  remove(): Promise<void>;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('the TLS tests need the `openssl` command (Debian package openssl)', { cause: err });
    throw new Error(`openssl ${args[0]} failed: ${e.stderr ?? e.message}`, { cause: err });
  }
}

/** A folder of certificates for one test file; `remove()` deletes it (private keys included). */
export async function createTestPki(): Promise<TestPki> {
  const dir = await mkdtemp(path.join(tmpdir(), 'airlock-tls-'));
  const file = (name: string) => path.join(dir, name);
  return {
    dir,
    async ca(name) {
      const files = { cert: file(`${name}.crt`), key: file(`${name}.key`) };
      await openssl(
        ['req', '-x509', ...KEY_ARGS, '-keyout', files.key, '-out', files.cert, '-days', '2', '-subj', `/CN=${name}`,
          '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
        dir,
      );
      return files;
    },
    async leaf(name, ca, usage) {
      const files = { cert: file(`${name}.crt`), key: file(`${name}.key`) };
      const csr = file(`${name}.csr`);
      const ext = file(`${name}.ext`);
      await writeFile(
        ext,
        [
          'basicConstraints=critical,CA:FALSE',
          'keyUsage=critical,digitalSignature',
          usage === 'client' ? 'extendedKeyUsage=clientAuth' : `extendedKeyUsage=serverAuth\nsubjectAltName=DNS:${usage.server}`,
        ].join('\n') + '\n',
      );
      await openssl(['req', ...KEY_ARGS, '-keyout', files.key, '-out', csr, '-subj', `/CN=${name}`], dir);
      await openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', files.cert, '-days', '2', '-extfile', ext], dir);
      return files;
    },
    async remove() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface TlsFront {
  /** `127.0.0.1:port` to put in TEMPORAL_ADDRESS. */
  address: string;
  /** Connections whose client certificate the front accepted. */
  readonly authorized: number;
  /** Handshakes the front refused, with OpenSSL's reason. */
  readonly refused: string[];
  close(): Promise<void>;
}

/**
 * A TLS endpoint on loopback that requires a client certificate issued by `clientCa` and pipes each accepted
 * connection to `upstream` (`host:port`, plain gRPC).
 */
export async function startTlsFront(options: { upstream: string; server: CertificateFiles; clientCa: string }): Promise<TlsFront> {
  const [upstreamHost, upstreamPort] = splitHostPort(options.upstream);
  const sockets = new Set<net.Socket>();
  let authorized = 0;
  const refused: string[] = [];
  const server = tls.createServer(
    {
      key: await readFile(options.server.key),
      cert: await readFile(options.server.cert),
      ca: await readFile(options.clientCa),
      requestCert: true,
      rejectUnauthorized: true,
      // gRPC clients insist on HTTP/2 being negotiated.
      ALPNProtocols: ['h2'],
    },
    (secure) => {
      authorized += secure.authorized ? 1 : 0;
      const plain = net.connect(upstreamPort, upstreamHost);
      for (const socket of [secure, plain]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => {
          secure.destroy();
          plain.destroy();
        });
      }
      secure.pipe(plain).pipe(secure);
    },
  );
  server.on('tlsClientError', (err) => refused.push(err.message));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    address: `127.0.0.1:${port}`,
    get authorized() {
      return authorized;
    },
    refused,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function splitHostPort(address: string): [string, number] {
  const at = address.lastIndexOf(':');
  return [address.slice(0, at).replace(/^\[|\]$/g, ''), Number(address.slice(at + 1))];
}
