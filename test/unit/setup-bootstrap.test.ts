import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

interface BootstrapModule {
  needsNpmInstall(facts: {
    hasNodeModules: boolean;
    lockMtimeMs: number | undefined;
    installedMtimeMs: number | undefined;
  }): boolean;
  commandLineFor(command: string, args: string[]): string[] | undefined;
}

// scripts/ is plain JavaScript outside the TypeScript build; from dist/test/unit it is three levels up.
const bootstrap = (await import(new URL('../../../scripts/bootstrap.mjs', import.meta.url).href)) as BootstrapModule;

describe('needsNpmInstall', () => {
  it('installs when node_modules is missing', () => {
    assert.equal(bootstrap.needsNpmInstall({ hasNodeModules: false, lockMtimeMs: 1, installedMtimeMs: undefined }), true);
  });

  it('installs when node_modules exists but no install finished (no hidden lockfile)', () => {
    assert.equal(bootstrap.needsNpmInstall({ hasNodeModules: true, lockMtimeMs: 1, installedMtimeMs: undefined }), true);
  });

  it('installs when package-lock.json changed after the last install', () => {
    assert.equal(bootstrap.needsNpmInstall({ hasNodeModules: true, lockMtimeMs: 2000, installedMtimeMs: 1000 }), true);
  });

  it('reuses node_modules when the last install is newer than the lockfile', () => {
    assert.equal(bootstrap.needsNpmInstall({ hasNodeModules: true, lockMtimeMs: 1000, installedMtimeMs: 1016 }), false);
    assert.equal(bootstrap.needsNpmInstall({ hasNodeModules: true, lockMtimeMs: 1000, installedMtimeMs: 1000 }), false);
  });
});

describe('commandLineFor', () => {
  it('sends up to the CLI with its arguments', () => {
    assert.deepEqual(bootstrap.commandLineFor('up', ['--verbose']), ['dist/cli/main.js', 'up', '--verbose']);
  });

  it('runs the test stack and the benchmark entry points', () => {
    assert.deepEqual(bootstrap.commandLineFor('test', []), ['dist/workers/test-stack/main.js']);
    assert.deepEqual(bootstrap.commandLineFor('bench', ['--runs', '5']), ['dist/test/bench/main.js', '--runs', '5']);
  });

  it('has a build command that runs nothing after compiling', () => {
    assert.deepEqual(bootstrap.commandLineFor('build', ['ignored']), []);
  });

  it('knows no other command, including inherited object keys', () => {
    assert.equal(bootstrap.commandLineFor('deploy', []), undefined);
    assert.equal(bootstrap.commandLineFor('toString', []), undefined);
  });
});
