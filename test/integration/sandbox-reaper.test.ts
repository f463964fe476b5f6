import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, before, describe, it } from 'node:test';
import type Docker from 'dockerode';
import pino from 'pino';
import { assertDockerReachable, createDockerClient } from '../../sandbox/docker-client.js';
import { ensureSandboxImage } from '../../sandbox/image/ensure-sandbox-image.js';
import { LABELS, MANAGED_LABEL_FILTER, sandboxLabels } from '../../sandbox/labels.js';
import { removeOrphans } from '../../sandbox/reaper.js';

const RUN_ID = `it-reaper-${process.pid}-${Date.now()}`;
/** No process has this pid (above Linux's pid_max), so an owner with it is certainly gone. */
const DEAD_PID = 2 ** 22 + 1;

void describe('removeOrphans against the real engine', { timeout: 120_000 }, () => {
  let docker: Docker;
  let image: string;
  const filters = { label: [MANAGED_LABEL_FILTER, `${LABELS.runId}=${RUN_ID}`] };

  before(async () => {
    docker = createDockerClient();
    await assertDockerReachable(docker);
    ({ image } = await ensureSandboxImage({ docker }));
  });

  after(async () => {
    for (const c of await docker.listContainers({ all: true, filters })) {
      await docker.getContainer(c.Id).remove({ force: true, v: true });
    }
    for (const v of (await docker.listVolumes({ filters })).Volumes ?? []) await docker.getVolume(v.Name).remove();
  });

  async function createLabelled(actionId: string, pid: number, deadlineMs: number) {
    const labels = sandboxLabels({ runId: RUN_ID, actionId, owner: { host: hostname(), pid }, deadlineMs });
    const container = await docker.createContainer({
      name: `airlock-reaper-test-${process.pid}-${actionId}`,
      Image: image,
      Cmd: ['true'],
      Labels: labels,
      HostConfig: {
        Mounts: [
          {
            Type: 'volume',
            Source: '',
            Target: '/airlock',
            VolumeOptions: { NoCopy: true, Labels: labels, DriverConfig: { Name: 'local', Options: {} } },
          },
        ],
      },
    });
    return container.id;
  }

  void it('removes containers and volumes whose owner is gone or whose deadline passed, and nothing else', async () => {
    const deadOwner = await createLabelled('dead-owner', DEAD_PID, Date.now() + 600_000);
    const expired = await createLabelled('expired', process.pid, Date.now() - 1_000);
    const live = await createLabelled('live', process.pid, Date.now() + 600_000);
    const strayLabels = sandboxLabels({
      runId: RUN_ID,
      actionId: 'stray',
      owner: { host: hostname(), pid: DEAD_PID },
      deadlineMs: Date.now() + 600_000,
    });
    const { name: strayVolume } = await docker.createVolume({ Labels: strayLabels });

    const removed = await removeOrphans({ docker, logger: pino({ level: 'silent' }) });

    const mine = removed.containers.filter((c) => [deadOwner, expired, live].includes(c.id));
    assert.deepEqual(
      mine.map((c) => [c.id, c.reason]).sort(),
      [
        [deadOwner, 'owner-gone'],
        [expired, 'deadline-passed'],
      ].sort(),
    );
    assert.ok(removed.volumes.some((v) => v.name === strayVolume && v.reason === 'owner-gone'));

    const left = await docker.listContainers({ all: true, filters });
    assert.deepEqual(left.map((c) => c.Id), [live]);
    const volumesLeft = (await docker.listVolumes({ filters })).Volumes ?? [];
    // Only the live container's code volume survives; the removed containers took theirs along.
    assert.equal(volumesLeft.length, 1);
    assert.ok(!volumesLeft.some((v) => v.Name === strayVolume));
  });
});
