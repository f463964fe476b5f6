/**
 * What a long set-up step tells the person (or CI log) waiting for it: "still …" lines while a Go build runs, a
 * time limit that names itself when it is hit, a plain error when the build fails, and where the time went.
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { GoBuildError } from '../../platform/setup-errors.js';
import { PhaseTimings } from '../../workers/production-stack/phase-timings.js';
import { buildGoModuleBinaries, goBuildTimeoutMs } from '../../workers/setup/go-build.js';
import { minutesSince, startHeartbeat } from '../../workers/setup/progress-heartbeat.js';

void describe('Go build progress and limits', () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-build-progress-'));
    dirs.push(dir);
    return dir;
  };
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  /** A stand-in `go` on PATH: `mod download` names a source folder, `build` runs `buildScript`. */
  const fakeGo = async (buildScript: string) => {
    const dir = await tempDir();
    const source = path.join(dir, 'source');
    await mkdir(source);
    const bin = path.join(dir, 'bin');
    await mkdir(bin);
    const go = path.join(bin, 'go');
    await writeFile(go, `#!/bin/sh\nif [ "$1" = mod ]; then echo '{"Dir": "${source}"}'; exit 0; fi\n${buildScript}\n`);
    await chmod(go, 0o755);
    return { binDir: path.join(dir, 'cache'), env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` } };
  };

  void it('takes the limit from AIRLOCK_GO_BUILD_TIMEOUT_MIN, 45 minutes by default, and refuses a bad value', () => {
    assert.equal(goBuildTimeoutMs({}), 45 * 60_000);
    assert.equal(goBuildTimeoutMs({ AIRLOCK_GO_BUILD_TIMEOUT_MIN: '90' }), 90 * 60_000);
    assert.throws(() => goBuildTimeoutMs({ AIRLOCK_GO_BUILD_TIMEOUT_MIN: 'soon' }), GoBuildError);
    assert.throws(() => goBuildTimeoutMs({ AIRLOCK_GO_BUILD_TIMEOUT_MIN: '0' }), /positive number of minutes/);
  });

  void it('says "still …" at each interval until stopped', async () => {
    const lines: string[] = [];
    const stop = startHeartbeat((line) => lines.push(line), 'compiling temporal-server', 10);
    await sleep(100);
    stop();
    const seen = lines.length;
    assert.ok(seen >= 1, 'at least one line while it ran');
    assert.match(lines[0]!, /^still compiling temporal-server \(0 min so far\)$/);
    await sleep(50);
    assert.equal(lines.length, seen, 'nothing after stop');
    assert.equal(minutesSince(0, 125_000), '2 min');
  });

  void it('reports a failed build as a set-up error with the compiler output, and a built binary with its time', async () => {
    const failing = await fakeGo('echo "undefined: frobnicate" >&2; exit 2');
    const lines: string[] = [];
    await assert.rejects(
      buildGoModuleBinaries({ module: 'example.com/x', version: 'v1.0.0', binaries: [{ pkg: './cmd/x', file: 'x-1' }], binDir: failing.binDir, onProgress: (l) => lines.push(l), env: failing.env }),
      (err: Error) => err instanceof GoBuildError && /go build \.\/cmd\/x of example\.com\/x@v1\.0\.0 failed \(exit 2\): undefined: frobnicate/.test(err.message),
    );
    assert.ok(lines.some((line) => line.includes('compiling x-1')), lines.join('\n'));

    // The fake build writes the file `-o` names: the second argument after `build -trimpath -o`.
    const working = await fakeGo('echo built > "$4"');
    const built: string[] = [];
    const [file] = await buildGoModuleBinaries({ module: 'example.com/y', version: 'v1.0.0', binaries: [{ pkg: './cmd/y', file: 'y-1' }], binDir: working.binDir, onProgress: (l) => built.push(l), env: working.env });
    assert.equal(file, path.join(working.binDir, 'y-1'));
    assert.ok(built.some((line) => line === `built ${file} in 0 min`), built.join('\n'));
  });

  void it('stops a build that outlives its limit and says that the limit stopped it', async () => {
    const slow = await fakeGo('exec sleep 30');
    await assert.rejects(
      buildGoModuleBinaries({
        module: 'example.com/z',
        version: 'v1.0.0',
        binaries: [{ pkg: './cmd/z', file: 'z-1' }],
        binDir: slow.binDir,
        onProgress: () => {},
        env: { ...slow.env, AIRLOCK_GO_BUILD_TIMEOUT_MIN: '0.02' },
      }),
      /did not finish within 0\.02 min \(AIRLOCK_GO_BUILD_TIMEOUT_MIN/,
    );
  });

  void it('sums up where the time went, and names a phase that failed', async () => {
    let clock = 0;
    const lines: string[] = [];
    const timings = new PhaseTimings((line) => lines.push(line), () => clock);
    await timings.time('Temporal server', async () => {
      clock += 1_500_000;
    });
    await assert.rejects(
      timings.time('SeaweedFS', async () => {
        clock += 61_000;
        throw new GoBuildError('go build ./weed failed');
      }),
      GoBuildError,
    );
    assert.deepEqual(lines, ['SeaweedFS: failed after 61 s']);
    assert.equal(timings.summary(), 'Temporal server 1500 s, SeaweedFS 61 s; total 1561 s');
  });
});
