import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sandboxImageBuild } from '../../workers/setup/ensure-prerequisites.js';

describe('sandboxImageBuild (AIRLOCK_SANDBOX_IMAGE_BUILD)', () => {
  it('defaults to auto and accepts the known build modes', () => {
    assert.equal(sandboxImageBuild({}), 'auto');
    assert.equal(sandboxImageBuild({ AIRLOCK_SANDBOX_IMAGE_BUILD: 'debian' }), 'debian');
    assert.equal(sandboxImageBuild({ AIRLOCK_SANDBOX_IMAGE_BUILD: 'dockerfile' }), 'dockerfile');
  });

  it('names the variable and the choices for an unknown value', () => {
    assert.throws(
      () => sandboxImageBuild({ AIRLOCK_SANDBOX_IMAGE_BUILD: 'podman' }),
      /AIRLOCK_SANDBOX_IMAGE_BUILD=podman is not one of auto, dockerfile, debian/,
    );
  });
});
