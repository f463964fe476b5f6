import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { makeCanarySecrets, teeWithSecretScan } from '../../workers/test-stack/secret-scan.js';

describe('test output secret scan', () => {
  it('finds a canary split across two chunks and still copies everything', () => {
    const secret = makeCanarySecrets().AIRLOCK_CANARY_SECRET!;
    const from = new PassThrough();
    const to = new PassThrough();
    let copied = '';
    to.on('data', (chunk: Buffer) => (copied += chunk.toString()));
    const scan = teeWithSecretScan(from, to, [secret]);
    from.write(`{"msg":"env dump","value":"${secret.slice(0, 10)}`);
    from.write(`${secret.slice(10)}"}\n`);
    assert.deepEqual(scan.leaked(), [secret]);
    assert.match(copied, new RegExp(secret));
  });

  it('reports nothing when the output is clean', () => {
    const from = new PassThrough();
    const scan = teeWithSecretScan(from, new PassThrough(), Object.values(makeCanarySecrets()));
    from.write('{"msg":"token redacted","token":"[redacted]"}\n');
    assert.deepEqual(scan.leaked(), []);
  });
});
