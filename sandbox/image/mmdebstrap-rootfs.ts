import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { DEBIAN_SUITE, EXCLUDED_PATHS, SANDBOX_PACKAGES } from './recipe.js';

/** Building the root filesystem without a registry failed; the message says what to install or run. */
export class RootfsBuildError extends Error {
  override readonly name = 'RootfsBuildError';
  constructor(
    message: string,
    readonly command: string,
    readonly exitCode: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Receives one human-readable progress line at a time. */
export type ProgressListener = (line: string) => void;

async function hasCommand(name: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
    try {
      await access(`${dir}/${name}`);
      return true;
    } catch {
      // not in this folder
    }
  }
  return false;
}

/** Runs a command, streaming each output line (stdout and stderr) to the listener; rejects on a non-zero exit. */
function runStreaming(command: string, args: string[], onProgress: ProgressListener): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => onProgress(line));
    }
    child.on('error', (err) =>
      reject(new RootfsBuildError(`could not run ${command}: ${err.message}`, command, null, { cause: err })),
    );
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new RootfsBuildError(`${command} ${args[0] ?? ''} failed with exit code ${code}`, command, code)),
    );
  });
}

/** Installs mmdebstrap with apt-get when it is missing and we are root; otherwise explains what to do. */
async function ensureMmdebstrap(onProgress: ProgressListener): Promise<void> {
  if (await hasCommand('mmdebstrap')) return;
  if (process.getuid?.() !== 0) {
    throw new RootfsBuildError(
      'mmdebstrap is not installed and this process is not root: install it (`sudo apt-get install mmdebstrap`) ' +
        'or build the image from sandbox/image/Dockerfile on a host that can reach a registry',
      'mmdebstrap',
      null,
    );
  }
  onProgress('installing mmdebstrap with apt-get');
  await runStreaming('apt-get', ['install', '-y', '--no-install-recommends', 'mmdebstrap'], onProgress);
}

/**
 * Builds the sandbox root filesystem as a tar file with mmdebstrap (Debian packages only, no container registry),
 * streaming its progress lines.
 */
export async function buildRootfsTarball(outputTar: string, onProgress: ProgressListener): Promise<void> {
  await ensureMmdebstrap(onProgress);
  const args = [
    '--variant=minbase',
    `--include=${SANDBOX_PACKAGES.join(',')}`,
    ...EXCLUDED_PATHS.map((pattern) => `--dpkgopt=path-exclude=${pattern}`),
    DEBIAN_SUITE,
    outputTar,
  ];
  onProgress(`mmdebstrap ${args.join(' ')}`);
  await runStreaming('mmdebstrap', args, onProgress);
}
