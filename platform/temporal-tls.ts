/**
 * TLS (and mutual TLS) to Temporal, the same for every Airlock process that connects: workers, the API server and
 * its web UI, the CLI and the SDK. The settings come from the environment (`TEMPORAL_TLS_CERT`, `TEMPORAL_TLS_KEY`,
 * `TEMPORAL_TLS_CA`, `TEMPORAL_TLS_SERVER_NAME`) and are checked before any connection is tried, so a missing file,
 * a half-given pair or a key of another certificate is a clear error naming the variable, not a handshake failure.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from './config.js';

/** The TLS part of the environment, as EnvConfigSchema parses it (paths of PEM files, and a host name). */
export interface TemporalTlsSettings {
  /** PEM client certificate (with its chain, if any) presented to Temporal; needs TEMPORAL_TLS_KEY. */
  TEMPORAL_TLS_CERT?: string | undefined;
  /** PEM private key of TEMPORAL_TLS_CERT. */
  TEMPORAL_TLS_KEY?: string | undefined;
  /** PEM CA certificate(s) the server's certificate must chain to; the system's roots when unset. */
  TEMPORAL_TLS_CA?: string | undefined;
  /** Host name the server's certificate must carry, when it differs from TEMPORAL_ADDRESS's host (SNI too). */
  TEMPORAL_TLS_SERVER_NAME?: string | undefined;
}

/** What both Temporal connection classes take as `tls` (the SDK's TLSConfig, restated to keep this layer light). */
export interface TemporalTls {
  serverNameOverride?: string;
  serverRootCACertificate?: Buffer;
  clientCertPair?: { crt: Buffer; key: Buffer };
}

/** The TLS settings are incomplete, unreadable or inconsistent; the message names the variable and what to do. */
export class TemporalTlsError extends ConfigError {
  override readonly name: string = 'TemporalTlsError';
  constructor(
    readonly variable: keyof TemporalTlsSettings,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True when any TLS variable is set: the connection then uses TLS (and fails rather than fall back to plain text). */
export function temporalTlsRequested(settings: TemporalTlsSettings): boolean {
  return [settings.TEMPORAL_TLS_CERT, settings.TEMPORAL_TLS_KEY, settings.TEMPORAL_TLS_CA, settings.TEMPORAL_TLS_SERVER_NAME].some(
    (value) => value !== undefined && value !== '',
  );
}

function readPem(variable: keyof TemporalTlsSettings, file: string, what: string): Buffer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message;
    throw new TemporalTlsError(variable, `${variable}=${file}: cannot read the ${what} (${reason})`, { cause: err });
  }
  if (!bytes.toString('latin1').includes('-----BEGIN ')) {
    throw new TemporalTlsError(variable, `${variable}=${file}: not a PEM file (expected the ${what} between "-----BEGIN" lines)`);
  }
  return bytes;
}

function parseCertificate(variable: keyof TemporalTlsSettings, file: string, pem: Buffer): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (err) {
    throw new TemporalTlsError(variable, `${variable}=${file}: not a valid X.509 certificate (${(err as Error).message})`, { cause: err });
  }
}

function parseKey(file: string, pem: Buffer): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (err) {
    const encrypted = /ENCRYPTED/.test(pem.toString('latin1'));
    const reason = encrypted ? 'it is encrypted; give an unencrypted key, readable by this service only' : (err as Error).message;
    throw new TemporalTlsError('TEMPORAL_TLS_KEY', `TEMPORAL_TLS_KEY=${file}: not a usable private key (${reason})`, { cause: err });
  }
}

/**
 * The `tls` option for `Connection.connect` / `NativeConnection.connect`, or undefined for a plain connection (no
 * TLS variable set). Reads and checks the files now.
 * @throws TemporalTlsError for a half-given pair, an unreadable or malformed file, a key that does not belong to
 *   the certificate, or a client certificate outside its validity period.
 */
export function temporalTlsFromSettings(settings: TemporalTlsSettings, now = new Date()): TemporalTls | undefined {
  if (!temporalTlsRequested(settings)) return undefined;
  const certFile = settings.TEMPORAL_TLS_CERT || undefined;
  const keyFile = settings.TEMPORAL_TLS_KEY || undefined;
  const caFile = settings.TEMPORAL_TLS_CA || undefined;
  const serverName = settings.TEMPORAL_TLS_SERVER_NAME || undefined;
  if (certFile !== undefined && keyFile === undefined) {
    throw new TemporalTlsError('TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_CERT is set but TEMPORAL_TLS_KEY is not: a client certificate needs its private key');
  }
  if (keyFile !== undefined && certFile === undefined) {
    throw new TemporalTlsError('TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY is set but TEMPORAL_TLS_CERT is not: a private key needs its client certificate');
  }
  if (serverName !== undefined && !/^[A-Za-z0-9.-]{1,253}$/.test(serverName)) {
    throw new TemporalTlsError('TEMPORAL_TLS_SERVER_NAME', `TEMPORAL_TLS_SERVER_NAME=${JSON.stringify(serverName)} is not a host name`);
  }
  const tls: TemporalTls = {};
  if (serverName !== undefined) tls.serverNameOverride = serverName;
  if (caFile !== undefined) {
    const ca = readPem('TEMPORAL_TLS_CA', caFile, 'CA certificate');
    parseCertificate('TEMPORAL_TLS_CA', caFile, ca);
    tls.serverRootCACertificate = ca;
  }
  if (certFile !== undefined && keyFile !== undefined) {
    const crt = readPem('TEMPORAL_TLS_CERT', certFile, 'client certificate');
    const key = readPem('TEMPORAL_TLS_KEY', keyFile, 'private key');
    const certificate = parseCertificate('TEMPORAL_TLS_CERT', certFile, crt);
    if (!certificate.checkPrivateKey(parseKey(keyFile, key))) {
      throw new TemporalTlsError('TEMPORAL_TLS_KEY', `TEMPORAL_TLS_KEY=${keyFile} is not the private key of the certificate in TEMPORAL_TLS_CERT=${certFile}`);
    }
    if (Date.parse(certificate.validTo) <= now.getTime()) {
      throw new TemporalTlsError('TEMPORAL_TLS_CERT', `TEMPORAL_TLS_CERT=${certFile}: the client certificate expired on ${certificate.validTo}`);
    }
    if (Date.parse(certificate.validFrom) > now.getTime()) {
      throw new TemporalTlsError('TEMPORAL_TLS_CERT', `TEMPORAL_TLS_CERT=${certFile}: the client certificate is not valid before ${certificate.validFrom}`);
    }
    tls.clientCertPair = { crt, key };
  }
  return tls;
}

/**
 * Address and TLS options for connecting to Temporal, the one place every Airlock process builds them: spread the
 * result into `Connection.connect` or `NativeConnection.connect`.
 * @throws TemporalTlsError when the TLS settings cannot be used.
 */
export function temporalConnectionOptions(config: TemporalTlsSettings & { TEMPORAL_ADDRESS: string }): { address: string; tls?: TemporalTls } {
  const tls = temporalTlsFromSettings(config);
  return { address: config.TEMPORAL_ADDRESS, ...(tls ? { tls } : {}) };
}
