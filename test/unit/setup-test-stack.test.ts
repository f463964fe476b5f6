import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDevStackEnv } from '../../workers/dev-stack/dev-stack-env.js';
import { sdkBinaryKindOf } from '../../workers/setup/sdk-download.js';
import { shellExitStatus } from '../../workers/test-stack/child-process-status.js';
import { filterTestFiles, selectTestFiles } from '../../workers/test-stack/test-files.js';

describe('selectTestFiles', () => {
  it('runs compiled *.test.js files whose TypeScript source exists, and nothing else', () => {
    const compiled = [
      'unit/risk.test.js',
      'unit/risk.test.js.map',
      'integration/helpers/temporal-env.js',
      'bench/main.js',
      'e2e/removed.test.js',
      'integration/run.test.js',
    ];
    const sources = ['unit/risk.test.ts', 'integration/run.test.ts', 'integration/helpers/temporal-env.ts', 'bench/main.ts'];
    assert.deepEqual(selectTestFiles(compiled, sources), ['integration/run.test.js', 'unit/risk.test.js']);
  });
});

describe('shellExitStatus', () => {
  it('keeps exit codes and maps signals to 128 + number', () => {
    assert.equal(shellExitStatus(0, null), 0);
    assert.equal(shellExitStatus(3, null), 3);
    assert.equal(shellExitStatus(null, 'SIGINT'), 130);
    assert.equal(shellExitStatus(null, 'SIGTERM'), 143);
  });
});

describe('parseDevStackEnv', () => {
  it('defaults to 7233 and the UI 1000 above it', () => {
    assert.deepEqual(parseDevStackEnv({}), { externalAddress: undefined, temporalPort: 7233, uiPort: 8233 });
  });

  it('moves the UI with AIRLOCK_TEMPORAL_PORT unless AIRLOCK_UI_PORT is set', () => {
    assert.equal(parseDevStackEnv({ AIRLOCK_TEMPORAL_PORT: '17233' }).uiPort, 18233);
    assert.equal(parseDevStackEnv({ AIRLOCK_TEMPORAL_PORT: '17233', AIRLOCK_UI_PORT: '9000' }).uiPort, 9000);
  });

  it('treats an empty TEMPORAL_ADDRESS as unset and keeps a real one', () => {
    assert.equal(parseDevStackEnv({ TEMPORAL_ADDRESS: '' }).externalAddress, undefined);
    assert.equal(parseDevStackEnv({ TEMPORAL_ADDRESS: '127.0.0.1:7233' }).externalAddress, '127.0.0.1:7233');
  });

  it('names the variable when a port is not a port', () => {
    assert.throws(() => parseDevStackEnv({ AIRLOCK_TEMPORAL_PORT: 'seven' }), /AIRLOCK_TEMPORAL_PORT/);
    assert.throws(() => parseDevStackEnv({ AIRLOCK_UI_PORT: '70000' }), /AIRLOCK_UI_PORT/);
  });
});

describe('sdkBinaryKindOf', () => {
  it('tells the test server download from the CLI download', () => {
    assert.equal(sdkBinaryKindOf('temporal-test-server-sdk-typescript-1.24.0'), 'test-server');
    assert.equal(sdkBinaryKindOf('temporal-sdk-typescript-1.24.0'), 'cli');
    assert.equal(sdkBinaryKindOf('dockerd.log'), undefined);
  });
});

describe('filterTestFiles', () => {
  const files = ['/p/dist/test/unit/risk.test.js', '/p/dist/test/integration/run.test.js'];

  it('keeps every file when no pattern is given', () => {
    assert.deepEqual(filterTestFiles(files, []), files);
  });

  it('keeps only the files whose path contains a pattern', () => {
    assert.deepEqual(filterTestFiles(files, ['integration/']), ['/p/dist/test/integration/run.test.js']);
    assert.deepEqual(filterTestFiles(files, ['nothing-like-this']), []);
  });
});
