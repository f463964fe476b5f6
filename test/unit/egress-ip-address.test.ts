import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalIp, classifyIp, formatIp, parseIp } from '../../schemas/ip-address.js';

const classOf = (text: string) => {
  const parsed = parseIp(text);
  assert.ok(parsed, `${text} should parse`);
  return classifyIp(parsed).class;
};

void describe('IP addresses as numbers', () => {
  void it('parses IPv4 strictly and IPv6 in every legal spelling to the same bytes', () => {
    assert.deepEqual(parseIp('10.0.0.1')?.bytes, [10, 0, 0, 1]);
    for (const bad of ['010.0.0.1', '10.0.0', '10.0.0.256', '0x7f.0.0.1', '127.1', '1.2.3.4.5', '', ':::', '1::2::3', 'fe80::1%eth0', '12345::', '1:2:3:4:5:6:7:8:9', 'g::1']) {
      assert.equal(parseIp(bad), undefined, `${bad} is not an address`);
    }
    const one = ['::1', '0:0:0:0:0:0:0:1', '0::0:1', '[::1]', '0000:0000:0000:0000:0000:0000:0000:0001'];
    for (const text of one) assert.equal(formatIp(parseIp(text)!), '::1', text);
    assert.equal(formatIp(parseIp('2001:db8:0:0:1:0:0:1')!), '2001:db8::1:0:0:1', 'the first longest zero run is compressed');
    assert.equal(formatIp(parseIp('1:2:3:4:5:6:7:8')!), '1:2:3:4:5:6:7:8');
    assert.equal(formatIp(parseIp('a::1.2.3.4')!), 'a::102:304');
    assert.equal(formatIp(parseIp('1:2:3:4:5:6:1.2.3.4')!), '1:2:3:4:5:6:102:304');
  });

  void it('judges every IPv6 spelling of an IPv4 address as that address', () => {
    for (const text of ['::ffff:127.0.0.1', '::ffff:7f00:1', '::FFFF:7F00:0001', '::127.0.0.1', '64:ff9b::7f00:1', '64:ff9b::127.0.0.1', '2002:7f00:1::', '::ffff:0:7f00:1']) {
      assert.equal(canonicalIp(text), '127.0.0.1', text);
      assert.equal(classOf(text), 'private', text);
      assert.equal(classifyIp(parseIp(text)!).range, 'loopback', text);
    }
    assert.equal(classOf('::ffff:a9fe:a9fe'), 'forbidden');
    assert.equal(classOf('64:ff9b::a9fe:a9fe'), 'forbidden');
    assert.equal(classOf('::ffff:8.8.8.8'), 'public', 'a mapped public address is public');
    assert.equal(classOf('64:ff9b::808:808'), 'public');
  });

  void it('classifies the private, forbidden and public ranges', () => {
    const expected: Record<string, string> = {
      '127.8.9.10': 'private',
      '10.255.0.1': 'private',
      '172.16.0.1': 'private',
      '172.31.255.255': 'private',
      '172.32.0.1': 'public',
      '192.168.100.1': 'private',
      '100.64.0.1': 'private',
      '100.127.255.255': 'private',
      '100.128.0.1': 'public',
      '169.254.169.254': 'forbidden',
      '100.100.100.200': 'forbidden',
      '0.1.2.3': 'forbidden',
      '224.0.0.251': 'forbidden',
      '255.255.255.255': 'forbidden',
      '1.1.1.1': 'public',
      '::1': 'private',
      '::': 'forbidden',
      'fc00::1': 'private',
      'fd12:3456::1': 'private',
      'fe80::1': 'forbidden',
      'febf::1': 'forbidden',
      'fec0::1': 'private',
      'ff02::1': 'forbidden',
      'fd00:ec2::254': 'forbidden',
      '2001::1': 'forbidden',
      '2001:db8::1': 'private',
      '64:ff9b:1::1': 'private',
      '2606:4700::1111': 'public',
    };
    for (const [text, cls] of Object.entries(expected)) assert.equal(classOf(text), cls, text);
  });
});
