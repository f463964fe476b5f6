import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type Docker from 'dockerode';
import { assertDockerReachable, createDockerClient } from '../../sandbox/docker-client.js';
import { ensureSandboxImage } from '../../sandbox/image/ensure-sandbox-image.js';
import { BRIDGE_CARRIER_LABEL, interfaceAddresses } from './support/bridge-address.js';
import { startLoopbackTarget } from './support/loopback-target.js';

/**
 * The adversarial suite's set-up must create its own preconditions: on a freshly installed engine the default
 * bridge has no IPv6 address until some container has been attached to it. A bridge network made here, which no
 * container has ever joined, stands in for that engine.
 */
void describe('adversarial harness set-up on a bridge with no IPv6 address', () => {
  let docker: Docker;
  let image: string;
  let network: Docker.Network;
  let bridgeInterface: string;

  before(async () => {
    docker = createDockerClient();
    await assertDockerReachable(docker);
    image = (await ensureSandboxImage({ docker })).image;
    bridgeInterface = `airlk${randomBytes(4).toString('hex')}`;
    network = await docker.createNetwork({
      Name: `airlock-test-fresh-bridge-${randomBytes(4).toString('hex')}`,
      Driver: 'bridge',
      Internal: true,
      Options: { 'com.docker.network.bridge.name': bridgeInterface },
    });
  });

  after(async () => {
    await network?.remove().catch(() => undefined);
  });

  void it('starts the loopback target with a reachable IPv6 bridge address, then leaves nothing behind', async () => {
    assert.deepEqual(await interfaceAddresses(bridgeInterface, 'inet6'), [], 'precondition: the new bridge has no IPv6 address');
    const target = await startLoopbackTarget(docker, { image, network: network.id });
    try {
      assert.equal(target.bridgeInterface, bridgeInterface);
      assert.equal(target.carrierAttached, true, 'a throwaway container had to give the bridge its address');
      assert.match(target.gatewayIpv6, /:/, 'an IPv6 address was found');
      assert.ok(await target.reachableFromHost(target.gatewayIpv6), 'the target answers on the bridge IPv6 address');
      assert.ok(await target.reachableFromHost(target.gatewayIpv4), 'the target answers on the bridge IPv4 address');
    } finally {
      await target.close();
    }
    const carriers = await docker.listContainers({ all: true, filters: { label: [`${BRIDGE_CARRIER_LABEL}=${process.pid}`] } });
    assert.deepEqual(carriers.map((c) => c.Names), [], 'the throwaway container is removed when the target closes');
  });
});
