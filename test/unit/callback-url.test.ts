import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callbackUrlRefusal } from '../../policy/callback-url.js';
import { CallbackPolicySchema, CallbackUrlSchema } from '../../schemas/callback.js';
import { parsePolicyText } from '../../policy/policy-file-parser.js';

const policy = CallbackPolicySchema.parse({ allowHosts: ['127.0.0.1', 'hooks.example.com:443', '*.agents.example.com', '[::1]:9000'] });

void describe('callback URLs', () => {
  void it('accepts listed hosts: loopback over http, names over https, wildcards one label deep', () => {
    assert.equal(callbackUrlRefusal('http://127.0.0.1:4000/hook', policy), undefined);
    assert.equal(callbackUrlRefusal('https://hooks.example.com/airlock', policy), undefined);
    assert.equal(callbackUrlRefusal('https://svc.agents.example.com:8443/x', policy), undefined);
    assert.equal(callbackUrlRefusal('http://[::1]:9000/x', policy), undefined);
  });

  void it('refuses hosts, ports and depths the policy does not list', () => {
    assert.match(callbackUrlRefusal('https://10.0.0.5/hook', policy) ?? '', /10\.0\.0\.5:443 is not a callback host the policy lists/);
    assert.match(callbackUrlRefusal('https://hooks.example.com:8443/airlock', policy) ?? '', /not a callback host/);
    assert.match(callbackUrlRefusal('https://a.b.agents.example.com/x', policy) ?? '', /not a callback host/);
    assert.match(callbackUrlRefusal('http://[::1]:9001/x', policy) ?? '', /not a callback host/);
    // The same loopback address spelt another way is still compared as an address.
    assert.equal(callbackUrlRefusal('http://[::ffff:127.0.0.1]:4000/x', policy), undefined);
  });

  void it('refuses every callback when the policy lists no hosts', () => {
    assert.match(callbackUrlRefusal('http://127.0.0.1:4000/hook', undefined) ?? '', /the policy allows no callback hosts \(callbacks\.allowHosts\)/);
    assert.match(callbackUrlRefusal('http://127.0.0.1:4000/hook', CallbackPolicySchema.parse({ allowHosts: [] })) ?? '', /allows no callback hosts/);
  });

  void it('never calls metadata, link-local or the control plane, even when listed', () => {
    const wide = CallbackPolicySchema.parse({ allowHosts: ['169.254.169.254', '127.0.0.1'], allowHttp: true });
    assert.match(callbackUrlRefusal('http://169.254.169.254/latest/meta-data', wide) ?? '', /may never go to 169\.254\.169\.254 is link-local/);
    assert.match(callbackUrlRefusal('http://127.0.0.1:2375/containers/prune', wide) ?? '', /port 2375 belongs to the control plane/);
    assert.match(callbackUrlRefusal('http://127.0.0.1:7233/', wide) ?? '', /port 7233 belongs to the control plane/);
  });

  void it('wants https beyond loopback unless the policy allows http', () => {
    assert.match(callbackUrlRefusal('http://hooks.example.com:443/airlock', policy) ?? '', /plain http to hooks\.example\.com is not allowed/);
    const plain = CallbackPolicySchema.parse({ allowHosts: ['agent-svc:8000'], allowHttp: true });
    assert.equal(callbackUrlRefusal('http://agent-svc:8000/events', plain), undefined);
  });

  void it('refuses malformed URLs with a reason, in the start schema too', () => {
    assert.match(callbackUrlRefusal('ftp://127.0.0.1/x', policy) ?? '', /must use https/);
    assert.match(callbackUrlRefusal('http://user:pw@127.0.0.1:4000/x', policy) ?? '', /must not carry a user name or password/);
    assert.match(callbackUrlRefusal('http://127.0.0.1:4000/x#frag', policy) ?? '', /#fragment/);
    assert.match(callbackUrlRefusal('not a url', policy) ?? '', /not an absolute URL/);
    assert.equal(CallbackUrlSchema.safeParse('file:///etc/passwd').success, false);
    assert.equal(CallbackUrlSchema.safeParse(`https://hooks.example.com/${'a'.repeat(2_100)}`).success, false);
  });

  void it('reads callbacks from the policy file and refuses a bad host entry with its path', () => {
    const snapshot = parsePolicyText('callbacks:\n  allowHosts: [127.0.0.1]\n', { source: 'test' });
    assert.deepEqual(snapshot.callbacks, { allowHosts: ['127.0.0.1'], allowHttp: false });
    assert.throws(() => parsePolicyText('callbacks:\n  allowHosts: ["bad host"]\n', { source: 'test' }), /callbacks\.allowHosts/);
    assert.throws(() => parsePolicyText('callbacks:\n  allowHost: [127.0.0.1]\n', { source: 'test' }), /allowHost/);
  });
});
