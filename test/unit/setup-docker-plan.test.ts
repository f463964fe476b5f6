import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planDockerStart, type DockerHostFacts } from '../../workers/setup/ensure-docker.js';

const rootOnDebian: DockerHostFacts = {
  platform: 'linux',
  isRoot: true,
  isDebianLike: true,
  dockerdPath: '/usr/sbin/dockerd',
  dockerHost: undefined,
};

describe('planDockerStart', () => {
  it('starts an installed dockerd when root on Debian', () => {
    assert.deepEqual(planDockerStart(rootOnDebian), { kind: 'start', installFirst: false });
  });

  it('installs docker.io first when dockerd is missing', () => {
    assert.deepEqual(planDockerStart({ ...rootOnDebian, dockerdPath: undefined }), { kind: 'start', installFirst: true });
  });

  it('tells a non-root user how to install, start and join the docker group', () => {
    const plan = planDockerStart({ ...rootOnDebian, isRoot: false, dockerdPath: undefined });
    assert.equal(plan.kind, 'give-up');
    assert.match(plan.kind === 'give-up' ? plan.message : '', /apt-get install docker\.io.*systemctl start docker/s);
  });

  it('does not try to install anything outside Debian-like Linux', () => {
    for (const facts of [
      { ...rootOnDebian, platform: 'darwin' as const },
      { ...rootOnDebian, isDebianLike: false },
    ]) {
      const plan = planDockerStart(facts);
      assert.equal(plan.kind, 'give-up');
      assert.match(plan.kind === 'give-up' ? plan.message : '', /Install Docker/);
    }
  });

  it('leaves a remote DOCKER_HOST alone but still starts a local socket', () => {
    const remote = planDockerStart({ ...rootOnDebian, dockerHost: 'tcp://127.0.0.1:2375' });
    assert.equal(remote.kind, 'give-up');
    assert.match(remote.kind === 'give-up' ? remote.message : '', /DOCKER_HOST=tcp:\/\/127\.0\.0\.1:2375/);
    assert.equal(planDockerStart({ ...rootOnDebian, dockerHost: 'unix:///var/run/docker.sock' }).kind, 'start');
  });
});
