import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findAllowEntry, normaliseHost } from '../../sandbox/network/allowlist.js';
import {
  forbiddenAddressReason,
  NetworkRequestSchema,
  parseAllowEntry,
  parseAllowList,
  type AllowEntry,
} from '../../schemas/network.js';

function problem(entry: string): string {
  const parsed = parseAllowEntry(entry);
  assert.equal(typeof parsed, 'string', `${entry} should be refused`);
  return parsed as string;
}

void describe('allowlist entries', () => {
  void it('parses names, wildcards, IPv4 and bracketed IPv6 into canonical form', () => {
    assert.deepEqual(parseAllowEntry('API.Example.com.:443'), { kind: 'name', host: 'api.example.com', port: 443 });
    assert.deepEqual(parseAllowEntry('*.example.com:8443'), { kind: 'wildcard', domain: 'example.com', port: 8443 });
    assert.deepEqual(parseAllowEntry('127.0.0.1:8080'), { kind: 'ip', host: '127.0.0.1', family: 4, port: 8080 });
    assert.deepEqual(parseAllowEntry('[::1]:80'), { kind: 'ip', host: '::1', family: 6, port: 80 });
    assert.deepEqual(parseAllowEntry('[0:0::0:1]:80'), { kind: 'ip', host: '::1', family: 6, port: 80 });
    assert.deepEqual(parseAllowEntry('[::ffff:7f00:1]:80'), { kind: 'ip', host: '127.0.0.1', family: 4, port: 80 });
    assert.deepEqual(parseAllowEntry('[2001:DB8:0:0:1::1]:80'), { kind: 'ip', host: '2001:db8::1:0:0:1', family: 6, port: 80 });
    assert.deepEqual(parseAllowEntry('localhost:1'), { kind: 'name', host: 'localhost', port: 1 });
  });

  void it('refuses bad entries with a message that says what is wrong', () => {
    assert.match(problem('api.example.com'), /port is missing/);
    assert.match(problem('api.example.com:'), /port is missing/);
    assert.match(problem('api.example.com:0'), /port must be a number from 1 to 65535/);
    assert.match(problem('api.example.com:70000'), /port must be a number from 1 to 65535/);
    assert.match(problem('api.example.com:https'), /port must be a number/);
    assert.match(problem(':443'), /host is empty/);
    assert.match(problem(''), /empty/);
    assert.match(problem('a.*.example.com:443'), /leftmost label/);
    assert.match(problem('*example.com:443'), /leftmost label/);
    assert.match(problem('*.*.example.com:443'), /leftmost label/);
    assert.match(problem('*.com:443'), /at least two labels/);
    assert.match(problem('bad_host!:80'), /not a valid host name/);
    assert.match(problem('-lead.example.com:80'), /not a valid host name/);
    assert.match(problem('::1:80'), /\[address\]:port/);
    assert.match(problem('300.1.1.1:80'), /not a valid IPv4 address/);
    assert.match(problem('169.254.10.10:80'), /link-local .* can never be allowed/);
    assert.match(problem('[fe80::1]:80'), /link-local/);
    assert.match(problem('0.0.0.0:80'), /unspecified/);
    assert.match(problem('[::ffff:a9fe:a9fe]:80'), /link-local .*169\.254\.169\.254.* can never be allowed/);
    assert.match(problem('[64:ff9b::a9fe:a9fe]:80'), /link-local/);
    assert.match(problem('0x7f.1:80'), /numeric address in disguise/);
    assert.match(problem('2130706433:80'), /not a valid IPv4 address/);
    assert.match(problem('[fe80::1%eth0]:80'), /not an IPv6 address/);
  });

  void it('validates a network request through zod: canonical, de-duplicated, bounded', () => {
    const parsed = NetworkRequestSchema.parse({ allow: ['A.example.com:443', 'a.example.com:443', '*.Example.org:80'] });
    assert.deepEqual(parsed.allow, ['a.example.com:443', '*.example.org:80']);
    const empty = NetworkRequestSchema.safeParse({ allow: [] });
    assert.ok(!empty.success);
    assert.match(empty.error.issues[0]?.message ?? '', /at least one host:port/);
    const bad = NetworkRequestSchema.safeParse({ allow: ['ok.example.com:1', 'nope'] });
    assert.ok(!bad.success);
    assert.deepEqual(bad.error.issues[0]?.path, ['allow', 1]);
    assert.ok(!NetworkRequestSchema.safeParse({ allow: ['x.example.com:1'], extra: true }).success);
  });
});

void describe('allowlist matching', () => {
  const entries: AllowEntry[] = parseAllowList(['api.example.com:443', '*.svc.example.net:8080', '10.1.2.3:5432', '[::1]:9000']);
  const allowed = (host: string, port: number) => findAllowEntry(entries, { host: normaliseHost(host), port }) !== undefined;

  void it('matches names exactly, on the listed port only', () => {
    assert.ok(allowed('api.example.com', 443));
    assert.ok(allowed('API.EXAMPLE.COM.', 443));
    assert.ok(!allowed('api.example.com', 80));
    assert.ok(!allowed('example.com', 443));
    assert.ok(!allowed('evil-api.example.com', 443));
    assert.ok(!allowed('api.example.com.evil.test', 443));
  });

  void it('lets a wildcard stand for exactly one leftmost label', () => {
    assert.ok(allowed('a.svc.example.net', 8080));
    assert.ok(!allowed('svc.example.net', 8080));
    assert.ok(!allowed('a.b.svc.example.net', 8080));
    assert.ok(!allowed('a.svc.example.net', 8081));
    assert.ok(!allowed('xsvc.example.net', 8080));
  });

  void it('matches IP literals by their bytes, and never a name to an IP entry or the reverse', () => {
    assert.ok(allowed('10.1.2.3', 5432));
    assert.ok(allowed('[::ffff:a01:203]', 5432), 'the hex IPv4-mapped form is the same address');
    assert.ok(allowed('[0:0:0:0:0:0:0:1]', 9000));
    assert.ok(!allowed('10.1.2.4', 5432));
    assert.ok(allowed('[::1]', 9000));
    assert.ok(!allowed('localhost', 9000));
  });
});

void describe('forbidden addresses', () => {
  void it('refuses link-local, metadata, unspecified and multicast addresses, also IPv4-mapped', () => {
    for (const address of ['169.254.169.254', '169.254.0.1', '100.100.100.200', '0.0.0.0', '224.0.0.1', '255.255.255.255', 'fe80::1', 'fd00:ec2::254', '::', 'ff02::1', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', '64:ff9b::a9fe:a9fe', '::169.254.169.254', '2002:a9fe:a9fe::1', '0:0:0:0:0:FFFF:A9FE:A9FE']) {
      assert.ok(forbiddenAddressReason(address), `${address} must be refused`);
    }
    for (const address of ['127.0.0.1', '10.0.0.1', '192.168.1.1', '::1', '2001:db8::1']) {
      assert.equal(forbiddenAddressReason(address), undefined, `${address} may be listed`);
    }
  });
});
