import { cp, chmod, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { GoBuildError } from '../../platform/setup-errors.js';
import { withBuildLock } from './build-lock.js';
import { findOnPath, isExecutable } from './find-executable.js';
import type { ProgressReporter } from './progress.js';
import { minutesSince, startHeartbeat } from './progress-heartbeat.js';
import { runCommand } from './run-command.js';

/**
 * Go builds of big servers take minutes on two cores (the Temporal server about half an hour); a hung download or
 * build should still end. AIRLOCK_GO_BUILD_TIMEOUT_MIN overrides it for slower machines.
 */
const DEFAULT_BUILD_TIMEOUT_MIN = 45;

/** The limit of each step of a build (download, each binary) and of waiting for another process's build. */
export function goBuildTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.AIRLOCK_GO_BUILD_TIMEOUT_MIN?.trim();
  if (!raw) return DEFAULT_BUILD_TIMEOUT_MIN * 60_000;
  const minutes = Number(raw);
  if (!Number.isFinite(minutes) || minutes <= 0) throw new GoBuildError(`AIRLOCK_GO_BUILD_TIMEOUT_MIN=${raw} is not a positive number of minutes`);
  return minutes * 60_000;
}

export interface GoBinary {
  /** Package path inside the module, relative (`./weed`, `./cmd/server`). */
  pkg: string;
  /** File name of the binary in the cache folder; the version is part of it, so an upgrade builds anew. */
  file: string;
}

/**
 * Builds binaries from one exact version of a Go module, fetched through the Go module proxy like any dependency,
 * and keeps them in `binDir` (under the state folder) so the next run finds them. The module is built as the main
 * module from a copy of its source: `go install pkg@version` refuses modules whose go.mod has replace directives,
 * which both SeaweedFS and the Temporal server have. Runs at low priority: the machine is shared with tests.
 * Returns the path of each binary, in the order asked.
 */
export async function buildGoModuleBinaries(options: {
  module: string;
  version: string;
  binaries: readonly GoBinary[];
  binDir: string;
  /** A Go toolchain the module needs beyond the installed one (GOTOOLCHAIN), fetched through the proxy. */
  toolchain?: string;
  onProgress: ProgressReporter;
  env?: NodeJS.ProcessEnv;
}): Promise<string[]> {
  const targets = options.binaries.map((b) => path.join(options.binDir, b.file));
  if ((await Promise.all(targets.map((t) => isExecutable(t)))).every(Boolean)) return targets;
  // Test files run in parallel and may need the same build at once: one builds, the others wait and reuse it.
  const lock = path.join(options.binDir, `.building-${moduleFolderName(options.module, options.version)}`);
  const timeoutMs = goBuildTimeoutMs(options.env);
  let stopWaitHeartbeat: (() => void) | undefined;
  const onWait = () => {
    options.onProgress(`waiting for another process that is building ${options.module}@${options.version}`);
    stopWaitHeartbeat = startHeartbeat(options.onProgress, `waiting for the build of ${options.module}@${options.version} by another process`);
  };
  // The wait for another build covers that whole build, so it gets the limit of every step together.
  const waitLimitMs = timeoutMs * (options.binaries.length + 1);
  return withBuildLock(lock, waitLimitMs, onWait, () => {
    stopWaitHeartbeat?.();
    return buildMissing(options, targets, timeoutMs);
  }).finally(() => stopWaitHeartbeat?.());
}

function moduleFolderName(module: string, version: string): string {
  return `${module.replace(/[^A-Za-z0-9.-]/g, '_')}@${version}`;
}

async function buildMissing(options: Parameters<typeof buildGoModuleBinaries>[0], targets: string[], timeoutMs: number): Promise<string[]> {
  const present = await Promise.all(targets.map((t) => isExecutable(t)));
  if (present.every(Boolean)) return targets;

  const baseEnv = options.env ?? process.env;
  const go = await findOnPath('go', baseEnv);
  if (!go) throw new GoBuildError(`building ${options.module}@${options.version} needs the Go toolchain: install Go (1.26 or newer) and put \`go\` on PATH`);
  const env: NodeJS.ProcessEnv = { ...baseEnv, ...(options.toolchain ? { GOTOOLCHAIN: options.toolchain } : {}), GOFLAGS: '-buildvcs=false -mod=mod' };

  const limit = `${timeoutMs / 60_000} min`;
  options.onProgress(`building ${options.module}@${options.version} from its Go module (once; cached in ${options.binDir})`);
  const downloadStarted = Date.now();
  const stopDownloadHeartbeat = startHeartbeat(options.onProgress, `downloading ${options.module}@${options.version}`);
  const download = await runCommand(go, ['mod', 'download', '-json', `${options.module}@${options.version}`], { env, timeoutMs }).finally(stopDownloadHeartbeat);
  const dir = download.exitCode === 0 ? (JSON.parse(download.stdout) as { Dir?: string }).Dir : undefined;
  if (!dir) {
    const why = download.exitCode === null && Date.now() - downloadStarted >= timeoutMs ? `did not finish within ${limit} (AIRLOCK_GO_BUILD_TIMEOUT_MIN)` : `failed: ${tail(download.stderr || download.stdout)}`;
    throw new GoBuildError(`go mod download ${options.module}@${options.version} ${why}`);
  }

  // A fixed folder per module version: Go's build cache keys on source paths, so a rebuild after an interrupted one
  // reuses what was compiled. Beside the binaries' cache, not under /tmp, and the compiler's own temporary folders
  // (GOTMPDIR) with it: a build writes gigabytes, and the host's /tmp is what the sandbox suite watches for growth.
  const buildRoot = path.join(path.dirname(path.resolve(options.binDir)), 'go-work');
  const work = path.join(buildRoot, moduleFolderName(options.module, options.version));
  const goTemp = path.join(buildRoot, `tmp-${process.pid}`);
  await rm(work, { recursive: true, force: true });
  await mkdir(goTemp, { recursive: true });
  env.GOTMPDIR = goTemp;
  try {
    // The module cache is read-only; the build writes go.sum updates into the copy.
    await cp(dir, work, { recursive: true });
    await chmod(work, 0o755);
    await runCommand('chmod', ['-R', 'u+w', work]);
    await mkdir(options.binDir, { recursive: true });
    for (const [index, binary] of options.binaries.entries()) {
      const target = targets[index]!;
      if (present[index]) continue;
      const temp = `${target}.building-${process.pid}`;
      const what = `go build ${binary.pkg} of ${options.module}@${options.version}`;
      const started = Date.now();
      options.onProgress(`${what}: compiling ${path.basename(target)}`);
      const stopHeartbeat = startHeartbeat(options.onProgress, `compiling ${path.basename(target)}`);
      const build = await runCommandIn(work, 'nice', ['-n', '10', go, 'build', '-trimpath', '-o', temp, binary.pkg], env, timeoutMs).finally(stopHeartbeat);
      if (build.exitCode !== 0) {
        await rm(temp, { force: true });
        // A build stopped by the time limit ends by a signal and often prints nothing: say which it was.
        const why = build.exitCode === null && Date.now() - started >= timeoutMs
          ? `did not finish within ${limit} (AIRLOCK_GO_BUILD_TIMEOUT_MIN raises the limit on a slow machine)`
          : `failed (exit ${build.exitCode ?? 'by a signal'}): ${tail(build.stderr || build.stdout) || 'no output'}`;
        throw new GoBuildError(`${what} ${why}`);
      }
      await rename(temp, target);
      options.onProgress(`built ${target} in ${minutesSince(started)}`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
    await rm(goTemp, { recursive: true, force: true });
  }
  return targets;
}

function runCommandIn(cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number) {
  // `go build` resolves packages from the working directory; runCommand has no cwd option, so `env -C` sets it.
  return runCommand('env', ['-C', cwd, command, ...args], { env, timeoutMs });
}

function tail(text: string): string {
  const lines = text.trim().split('\n');
  return lines.slice(-8).join('\n');
}
