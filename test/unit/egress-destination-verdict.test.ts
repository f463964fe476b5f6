/** The proxy's verdict on resolved addresses: decision code only, no connection is ever opened. */
import assert from 'node:assert/strict';
import { BlockList } from 'node:net';
import { describe, it } from 'node:test';
import { controlPlaneFromEnv } from '../../sandbox/network/control-plane.js';
import { judgeAddresses, type AddressContext } from '../../sandbox/network/destination-verdict.js';

function context(extra: Partial<AddressContext> = {}): AddressContext {
  const hostAddresses = new BlockList();
  // As a Docker bridge and a host interface with a public address would appear (never contacted).
  hostAddresses.addSubnet('172.17.0.0', 16, 'ipv4');
  hostAddresses.addAddress('93.184.215.99', 'ipv4');
  hostAddresses.addAddress('2001:db8:5::7', 'ipv6');
  return {
    hostAddresses,
    controlPlane: controlPlaneFromEnv({ TEMPORAL_ADDRESS: 'temporal.internal.test:7233', AIRLOCK_HTTP_PORT: '3000' }),
    controlPlaneAddresses: [{ address: '198.51.100.20', port: 7233 }],
    ...extra,
  };
}

const judge = (addresses: string[], port = 443, privateAllowed = false) =>
  judgeAddresses({ port, addresses, privateAllowed, context: context() });

void describe('egress address verdicts', () => {
  void it('refuses a name that resolves to loopback, RFC 1918, CGNAT, ULA, host or Docker addresses unless opted in', () => {
    const privateAnswers = ['127.0.0.1', '::1', '10.1.2.3', '172.20.0.5', '192.168.1.1', '100.64.3.4', 'fd00::5', '::ffff:a00:1', '64:ff9b::c0a8:101', '172.17.0.2', '93.184.215.99', '2001:db8:5::7'];
    for (const address of privateAnswers) {
      const refused = judge([address]);
      assert.ok('refused' in refused, `${address} must be refused`);
      assert.match(refused.refused, /network\.privateDestinations/);
      const opted = judge([address], 443, true);
      assert.ok('address' in opted, `${address} is allowed once opted in`);
    }
    assert.match((judge(['93.184.215.99']) as { refused: string }).refused, /an address of this host or of a Docker network/);
  });

  void it('lets public answers through and connects to an embedded IPv4 address as itself', () => {
    assert.deepEqual(judge(['93.184.215.14']), { address: '93.184.215.14' });
    assert.deepEqual(judge(['::ffff:5db8:d70e']), { address: '93.184.215.14' });
    assert.deepEqual(judge(['2606:2800:21f:cb07:6820:80da:af6b:8b2c']), { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c' });
  });

  void it('lets one bad answer poison the whole name (rebinding with a mixed answer)', () => {
    assert.ok('refused' in judge(['93.184.215.14', '10.0.0.8']));
    assert.ok('refused' in judge(['93.184.215.14', '::ffff:169.254.169.254'], 443, true), 'metadata is refused even when opted in');
    assert.ok('refused' in judge(['not-an-address']));
    assert.ok('refused' in judge([]));
  });

  void it('never reaches the control plane, opted in or not', () => {
    for (const [address, port] of [
      ['127.0.0.1', 7233],
      ['::ffff:7f00:1', 7233],
      ['10.0.0.4', 7233],
      ['127.0.0.1', 8233],
      ['127.0.0.1', 3000],
      ['172.17.0.1', 2375],
      ['93.184.215.14', 2376],
      ['198.51.100.20', 7233],
    ] as const) {
      const verdict = judge([address], port, true);
      assert.ok('refused' in verdict, `${address}:${port} must be refused`);
      assert.match(verdict.refused, /control plane/);
    }
    // A public host on the Temporal port is not this deployment's control plane.
    assert.deepEqual(judge(['93.184.215.14'], 7233), { address: '93.184.215.14' });
  });

  void it('reads the control plane from the environment, including the deployment\'s own list', () => {
    const plane = controlPlaneFromEnv({
      TEMPORAL_ADDRESS: '[fd00::10]:7300',
      AIRLOCK_CONTROL_PLANE: 'vault.internal.test:8200, 9100',
      AIRLOCK_TEMPORAL_METRICS_ADDRESS: '127.0.0.1:9464',
    });
    for (const port of [7300, 8300, 8200, 9100, 9464, 8080, 2375, 2376, 7233]) assert.ok(plane.ports.has(port), String(port));
    assert.deepEqual(plane.endpoints, [
      { host: 'fd00::10', port: 7300 },
      { host: '127.0.0.1', port: 9464 },
      { host: 'vault.internal.test', port: 8200 },
    ]);
  });
});
