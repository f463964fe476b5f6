import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildRunInput, parseRunArgs } from '../../cli/run-args.js';
import { UsageError } from '../../cli/usage-error.js';

void describe('airlock run --allow-host', () => {
  void it('is repeatable and puts entries in canonical form', () => {
    const args = parseRunArgs(['job.py', '--allow-host', 'API.example.com:443', '--allow-host', '*.svc.example.net:8080', '--allow-host', '127.0.0.1:9000']);
    assert.deepEqual(args.allowHosts, ['api.example.com:443', '*.svc.example.net:8080', '127.0.0.1:9000']);
    const input = buildRunInput(args, 'print(1)', 'alice');
    assert.deepEqual(input.actions?.[0]?.network, { allow: ['api.example.com:443', '*.svc.example.net:8080', '127.0.0.1:9000'] });
  });

  void it('leaves the code without network when not given', () => {
    const args = parseRunArgs(['job.py']);
    assert.equal(args.allowHosts, undefined);
    assert.equal(buildRunInput(args, 'print(1)', 'alice').actions?.[0]?.network, undefined);
  });

  void it('refuses a bad entry with a usage error that names the flag and the problem', () => {
    assert.throws(() => parseRunArgs(['job.py', '--allow-host', 'api.example.com']), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.match(err.message, /^--allow-host "api\.example\.com": the port is missing/);
      return true;
    });
    assert.throws(() => parseRunArgs(['job.py', '--allow-host', 'a.*.example.com:1']), /leftmost label/);
    assert.throws(() => parseRunArgs(['job.py', '--allow-host']), UsageError);
  });
});
