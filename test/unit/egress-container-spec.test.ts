import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildContainerSpec, SANDBOX_ENV } from '../../sandbox/container-spec.js';
import { sandboxLabels } from '../../sandbox/labels.js';
import { resolveLimits } from '../../schemas/action.js';

const labels = sandboxLabels({ runId: 'run-1', actionId: 'act-1', owner: { host: 'h', pid: 42 }, deadlineMs: 1000 });

function spec(egress?: { networkName: string; proxyUrl: string }) {
  return buildContainerSpec({
    request: { runId: 'run-1', actionId: 'act-1', language: 'python', code: 'print(1)', limits: resolveLimits({}) },
    image: 'sha256:0123',
    uid: 100_001,
    name: 'airlock-x',
    hostname: 'sbx-1',
    labels,
    ...(egress ? { egress } : {}),
  });
}

void describe('container spec with an egress path', () => {
  void it('joins only the action network, with proxy variables and no usable DNS', () => {
    const s = spec({ networkName: 'airlock-x-egress', proxyUrl: 'http://172.30.0.1:40000' });
    assert.equal(s.NetworkDisabled, false);
    assert.equal(s.HostConfig?.NetworkMode, 'airlock-x-egress');
    assert.deepEqual(Object.keys(s.NetworkingConfig?.EndpointsConfig ?? {}), ['airlock-x-egress']);
    // The embedded resolver forwards into the container's own loopback, where nothing answers.
    assert.deepEqual(s.HostConfig?.Dns, ['127.0.0.1']);
    assert.deepEqual(s.HostConfig?.DnsSearch, []);
    assert.deepEqual(s.HostConfig?.ExtraHosts, []);
    assert.deepEqual(s.Env, [
      ...SANDBOX_ENV,
      'HTTP_PROXY=http://172.30.0.1:40000',
      'HTTPS_PROXY=http://172.30.0.1:40000',
      'http_proxy=http://172.30.0.1:40000',
      'https_proxy=http://172.30.0.1:40000',
      'NO_PROXY=',
      'no_proxy=',
    ]);
    // Every other hardening field is as without network.
    assert.deepEqual(s.HostConfig?.CapDrop, ['ALL']);
    assert.equal(s.HostConfig?.ReadonlyRootfs, true);
    assert.deepEqual(s.HostConfig?.SecurityOpt, spec().HostConfig?.SecurityOpt, 'the same hardening as without network');
  });

  void it('keeps network none and no proxy variables without an allowlist', () => {
    const s = spec();
    assert.equal(s.NetworkDisabled, true);
    assert.equal(s.HostConfig?.NetworkMode, 'none');
    assert.equal(s.NetworkingConfig, undefined);
    assert.deepEqual(s.Env, [...SANDBOX_ENV]);
  });
});
