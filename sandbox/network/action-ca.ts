/**
 * A short-lived certificate authority for one action, made with node:crypto: the egress proxy presents
 * certificates it issues when it terminates TLS to add a credential. Only the CA's certificate goes into the
 * container (its trust store); the private keys stay in this process and die with the action's egress path.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { parseIp } from '../../schemas/ip-address.js';
import {
  bitString,
  booleanTrue,
  explicit,
  implicit,
  objectIdentifier,
  octetString,
  sequence,
  set,
  smallInteger,
  time,
  unsignedInteger,
  utf8String,
} from './der.js';

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

/** Clock skew between the worker and the container's view of time. */
const BACKDATE_MS = 5 * 60_000;

export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
}

function name(commonName: string): Buffer {
  return sequence(set(sequence(objectIdentifier(OID.commonName), utf8String(commonName))));
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return sequence(objectIdentifier(oid), ...(critical ? [booleanTrue()] : []), octetString(value));
}

function spki(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

/** RFC 5280's method 1 shape: a hash of the public key (SHA-256, cut to 20 bytes). */
function keyIdentifier(publicKey: KeyObject): Buffer {
  return createHash('sha256').update(spki(publicKey)).digest().subarray(0, 20);
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function serial(): Buffer {
  const bytes = randomBytes(16);
  bytes[0]! &= 0x7f;
  return unsignedInteger(bytes);
}

function signedCertificate(tbs: Buffer, issuerKey: KeyObject): Buffer {
  const algorithm = sequence(objectIdentifier(OID.ecdsaWithSha256));
  return sequence(tbs, algorithm, bitString(sign('sha256', tbs, issuerKey)));
}

/** The subjectAltName entry for a host: an iPAddress for a literal, a dNSName otherwise. */
function altName(host: string): Buffer {
  if (isIP(host)) {
    const parsed = parseIp(host);
    if (!parsed) throw new Error(`${host} is not an address`);
    return implicit(7, Buffer.from(parsed.bytes));
  }
  return implicit(2, Buffer.from(host, 'ascii'));
}

/** One action's authority: issues a leaf certificate per host on demand (cached), valid only until it expires. */
export class ActionCertificateAuthority {
  /** The CA certificate, for the container's trust store. */
  readonly certPem: string;
  private readonly key: KeyObject;
  private readonly publicKey: KeyObject;
  private readonly subject: Buffer;
  private readonly notBefore: Date;
  private readonly notAfter: Date;
  private readonly issued = new Map<string, IssuedCertificate>();

  constructor(options: { label: string; lifetimeMs: number; now?: Date }) {
    const now = options.now ?? new Date();
    this.notBefore = new Date(now.getTime() - BACKDATE_MS);
    this.notAfter = new Date(now.getTime() + options.lifetimeMs);
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    this.key = privateKey;
    this.publicKey = publicKey;
    this.subject = name(`Airlock egress CA ${options.label}`.slice(0, 64));
    const tbs = sequence(
      explicit(0, smallInteger(2)),
      serial(),
      sequence(objectIdentifier(OID.ecdsaWithSha256)),
      this.subject,
      sequence(time(this.notBefore), time(this.notAfter)),
      this.subject,
      spki(publicKey),
      explicit(
        3,
        sequence(
          // CA, and no CA below it: it can only issue leaf certificates.
          extension(OID.basicConstraints, true, sequence(booleanTrue(), smallInteger(0))),
          // keyCertSign and cRLSign (bits 5 and 6), digitalSignature (bit 0).
          extension(OID.keyUsage, true, bitString(Buffer.from([0x86]), 1)),
          extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(publicKey))),
        ),
      ),
    );
    this.certPem = pem('CERTIFICATE', signedCertificate(tbs, privateKey));
  }

  /** When the authority's certificates stop being valid. */
  get expiresAt(): Date {
    return this.notAfter;
  }

  /** A server certificate for `host` (a name, or a literal address), signed by this authority. */
  issue(host: string): IssuedCertificate {
    const cached = this.issued.get(host);
    if (cached) return cached;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const tbs = sequence(
      explicit(0, smallInteger(2)),
      serial(),
      sequence(objectIdentifier(OID.ecdsaWithSha256)),
      this.subject,
      sequence(time(this.notBefore), time(this.notAfter)),
      name(host.slice(0, 64)),
      spki(publicKey),
      explicit(
        3,
        sequence(
          extension(OID.basicConstraints, true, sequence()),
          // digitalSignature only (bit 0).
          extension(OID.keyUsage, true, bitString(Buffer.from([0x80]), 7)),
          extension(OID.extKeyUsage, false, sequence(objectIdentifier(OID.serverAuth))),
          extension(OID.subjectAltName, false, sequence(altName(host))),
          extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(publicKey))),
          extension(OID.authorityKeyIdentifier, false, sequence(implicit(0, keyIdentifier(this.publicKey)))),
        ),
      ),
    );
    const issued = {
      certPem: pem('CERTIFICATE', signedCertificate(tbs, this.key)),
      keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    };
    this.issued.set(host, issued);
    return issued;
  }

  /** Parsed view of the CA certificate (for checks). */
  certificate(): X509Certificate {
    return new X509Certificate(this.certPem);
  }
}
