/** A crashed worker's egress network and firewall rules are removed by the reaper; a live worker's are kept. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { createDockerClient } from '../../sandbox/docker-client.js';
import { sandboxLabels } from '../../sandbox/labels.js';
import { createEgressNetwork, removeEgressNetwork, type EgressNetwork } from '../../sandbox/network/egress-network.js';
import { installHostGuard } from '../../sandbox/network/host-guard.js';
import { removeOrphans } from '../../sandbox/reaper.js';

/** Above Linux's pid_max ceiling, so no process can have it. */
const DEAD_PID = 2 ** 22 + 1;
const RUN_ID = `it-egress-reaper-${process.pid}-${Date.now()}`;
const logger = pino({ level: 'silent' });

function firewallRules(): string {
  return execFileSync('iptables', ['-w', '-S', 'INPUT'], { encoding: 'utf8' });
}

void describe('reaping egress networks', { timeout: 60_000 }, () => {
  const docker = createDockerClient();
  const created: EgressNetwork[] = [];
  const removeGuards: Array<() => Promise<void>> = [];

  after(async () => {
    for (const remove of removeGuards) await remove();
    for (const network of created) await removeEgressNetwork(docker, network.id, logger);
  });

  async function network(actionId: string, pid: number): Promise<EgressNetwork> {
    const labels = sandboxLabels({ runId: RUN_ID, actionId, owner: { host: hostname(), pid }, deadlineMs: Date.now() + 600_000 });
    const made = await createEgressNetwork(docker, { name: `airlock-${RUN_ID}-${actionId}-egress`, labels, logger });
    created.push(made);
    removeGuards.push(await installHostGuard({ bridge: made.bridge, gateway: made.gateway, port: 9, logger }));
    return made;
  }

  void it('removes the network and firewall rules of a dead owner and keeps a live owner\'s', async () => {
    const dead = await network('dead', DEAD_PID);
    const live = await network('live', process.pid);
    assert.ok(firewallRules().includes(dead.bridge));

    const removed = await removeOrphans({ docker, logger });

    assert.deepEqual(removed.networks.filter((n) => [dead.name, live.name].includes(n.name)), [{ name: dead.name, reason: 'owner-gone' }]);
    const left = (await docker.listNetworks({ filters: { name: [RUN_ID] } })).map((n) => n.Name);
    assert.deepEqual(left, [live.name]);
    const rules = firewallRules();
    assert.ok(!rules.includes(dead.bridge), 'the dead bridge\'s rules are swept');
    assert.ok(rules.includes(live.bridge), 'a live bridge keeps its rules');
  });
});
