/** TEMPORAL_TLS_* checks: each unusable setting is refused before a connection is tried, naming the variable. */
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { temporalConnectionOptions, temporalTlsFromSettings, TemporalTlsError } from '../../platform/temporal-tls.js';
import { createTestPki, type CertificateFiles, type TestPki } from '../support/tls-fixtures.js';

function refusal(fn: () => unknown, variable: string, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof TemporalTlsError, String(err));
    assert.equal(err.variable, variable);
    assert.match(err.message, message);
    return true;
  });
}

void describe('TEMPORAL_TLS_* settings', () => {
  let pki: TestPki;
  let ca: CertificateFiles;
  let client: CertificateFiles;
  let other: CertificateFiles;

  before(async () => {
    pki = await createTestPki();
    ca = await pki.ca('unit-ca');
    client = await pki.leaf('unit-client', ca, 'client');
    other = await pki.leaf('unit-other', ca, 'client');
  });
  after(async () => {
    await pki?.remove();
  });

  void it('is a plain connection when nothing is set (empty values count as unset)', () => {
    assert.equal(temporalTlsFromSettings({}), undefined);
    assert.equal(temporalTlsFromSettings({ TEMPORAL_TLS_CERT: '', TEMPORAL_TLS_KEY: '' }), undefined);
    assert.deepEqual(temporalConnectionOptions({ TEMPORAL_ADDRESS: 'temporal:7233' }), { address: 'temporal:7233' });
  });

  void it('reads a complete set into the options both connection classes take', () => {
    const options = temporalConnectionOptions({
      TEMPORAL_ADDRESS: '10.0.0.5:7233',
      TEMPORAL_TLS_CERT: client.cert,
      TEMPORAL_TLS_KEY: client.key,
      TEMPORAL_TLS_CA: ca.cert,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    });
    assert.equal(options.address, '10.0.0.5:7233');
    assert.equal(options.tls?.serverNameOverride, 'temporal.internal');
    assert.match(options.tls?.serverRootCACertificate?.toString() ?? '', /BEGIN CERTIFICATE/);
    assert.match(options.tls?.clientCertPair?.crt.toString() ?? '', /BEGIN CERTIFICATE/);
    assert.match(options.tls?.clientCertPair?.key.toString() ?? '', /PRIVATE KEY/);
  });

  void it('turns TLS on with the system roots when only the server name or only a CA is given', () => {
    assert.deepEqual(temporalTlsFromSettings({ TEMPORAL_TLS_SERVER_NAME: 'temporal.example' }), { serverNameOverride: 'temporal.example' });
    assert.ok(temporalTlsFromSettings({ TEMPORAL_TLS_CA: ca.cert })?.serverRootCACertificate);
  });

  void it('refuses a certificate without its key and a key without its certificate', () => {
    refusal(() => temporalTlsFromSettings({ TEMPORAL_TLS_CERT: client.cert }), 'TEMPORAL_TLS_KEY', /TEMPORAL_TLS_CERT is set but TEMPORAL_TLS_KEY is not/);
    refusal(() => temporalTlsFromSettings({ TEMPORAL_TLS_KEY: client.key, TEMPORAL_TLS_CA: ca.cert }), 'TEMPORAL_TLS_CERT', /TEMPORAL_TLS_KEY is set but TEMPORAL_TLS_CERT is not/);
  });

  void it('refuses a missing, unreadable or non-PEM file with the path and the reason', async () => {
    const missing = path.join(pki.dir, 'nope.crt');
    refusal(() => temporalTlsFromSettings({ TEMPORAL_TLS_CA: missing }), 'TEMPORAL_TLS_CA', new RegExp(`TEMPORAL_TLS_CA=${missing}: cannot read the CA certificate \\(no such file\\)`));
    refusal(() => temporalTlsFromSettings({ TEMPORAL_TLS_CA: pki.dir }), 'TEMPORAL_TLS_CA', /it is a folder/);
    const garbage = path.join(pki.dir, 'garbage.pem');
    await writeFile(garbage, 'not a certificate\n');
    refusal(() => temporalTlsFromSettings({ TEMPORAL_TLS_CERT: garbage, TEMPORAL_TLS_KEY: client.key }), 'TEMPORAL_TLS_CERT', /not a PEM file/);
    const broken = path.join(pki.dir, 'broken.pem');
    await writeFile(broken, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    refusal(() => temporalTlsFromSettings({ TEMPORAL_TLS_CA: broken }), 'TEMPORAL_TLS_CA', /not a valid X.509 certificate/);
    if (process.getuid?.() !== 0) {
      const locked = path.join(pki.dir, 'locked.key');
      await writeFile(locked, 'unreadable on purpose\n');
      await chmod(locked, 0);
      refusal(() => temporalTlsFromSettings({ TEMPORAL_TLS_CERT: client.cert, TEMPORAL_TLS_KEY: locked }), 'TEMPORAL_TLS_KEY', /permission denied/);
    }
  });

  void it("refuses another certificate's key, and a key that is not a key", async () => {
    refusal(
      () => temporalTlsFromSettings({ TEMPORAL_TLS_CERT: client.cert, TEMPORAL_TLS_KEY: other.key }),
      'TEMPORAL_TLS_KEY',
      /is not the private key of the certificate in TEMPORAL_TLS_CERT/,
    );
    refusal(() => temporalTlsFromSettings({ TEMPORAL_TLS_CERT: client.cert, TEMPORAL_TLS_KEY: client.cert }), 'TEMPORAL_TLS_KEY', /not a usable private key/);
  });

  void it('refuses an expired client certificate and a server name that is not a host name', () => {
    const later = new Date(Date.now() + 30 * 86_400_000);
    refusal(() => temporalTlsFromSettings({ TEMPORAL_TLS_CERT: client.cert, TEMPORAL_TLS_KEY: client.key }, later), 'TEMPORAL_TLS_CERT', /expired on/);
    refusal(() => temporalTlsFromSettings({ TEMPORAL_TLS_SERVER_NAME: 'temporal example' }), 'TEMPORAL_TLS_SERVER_NAME', /is not a host name/);
  });
});
