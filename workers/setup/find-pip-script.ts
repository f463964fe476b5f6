import path from 'node:path';
import type { Logger } from 'pino';
import { isExecutable } from './find-executable.js';
import type { ProgressReporter } from './progress.js';
import { runCommand, runCommandShowingOutput } from './run-command.js';

/** Interpreters tried in order; `-m pip` always matches the interpreter, which a bare `pip` on PATH may not. */
const PYTHON_COMMANDS = ['python3', 'python'] as const;
const PIP_SHOW_TIMEOUT_MS = 30_000;

/**
 * Finds the file of console script `scriptName` in `pip show -f` output. The Files section lists paths relative
 * to the Location line (`../../../bin/temporal`), so the result is only as right as pip's own record: the caller
 * still checks that the file is executable.
 */
export function parsePipShowScriptPath(pipShowOutput: string, scriptName: string): string | undefined {
  const lines = pipShowOutput.split(/\r?\n/);
  const location = lines.find((line) => line.startsWith('Location:'))?.slice('Location:'.length).trim();
  if (!location) return undefined;
  const filesStart = lines.findIndex((line) => line.trim() === 'Files:');
  if (filesStart < 0) return undefined;
  const wanted = new Set([scriptName, `${scriptName}.exe`]);
  for (const line of lines.slice(filesStart + 1)) {
    // The Files list is indented; the first unindented line ends it (e.g. `---` before the next package).
    if (!/^\s+\S/.test(line)) break;
    const entry = line.trim();
    if (wanted.has(path.posix.basename(entry.replaceAll('\\', '/')))) {
      return path.resolve(location, entry);
    }
  }
  return undefined;
}

/** Outcome of looking for (and maybe installing) a pip-distributed binary. */
export type PipScriptLookup = { found: true; path: string } | { found: false; reason: string };

/**
 * Locates the console script `scriptName` installed by pip package `packageName`, installing the package first
 * when it is missing. Uses `pip show -f` rather than PATH because pip's script folder (pyenv, virtualenvs, --user)
 * is often not on PATH.
 */
export async function findPipScript(options: {
  packageName: string;
  scriptName: string;
  install: boolean;
  onProgress: ProgressReporter;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
}): Promise<PipScriptLookup> {
  const { packageName, scriptName, env } = options;
  const reasons: string[] = [];
  for (const python of PYTHON_COMMANDS) {
    const shown = await pipShow(python, packageName, env);
    if (shown.kind === 'no-pip') {
      reasons.push(`${python}: ${shown.detail}`);
      continue;
    }
    if (shown.kind === 'not-installed') {
      if (!options.install) {
        reasons.push(`${python}: pip package ${packageName} is not installed`);
        continue;
      }
      options.onProgress(`installing ${packageName} with ${python} -m pip (one-time download)`);
      const exitCode = await runCommandShowingOutput(
        python,
        ['-m', 'pip', 'install', '--disable-pip-version-check', packageName],
        { env },
      );
      if (exitCode !== 0) {
        reasons.push(`${python} -m pip install ${packageName} failed (exit code ${String(exitCode)})`);
        continue;
      }
    }
    const again = shown.kind === 'installed' ? shown : await pipShow(python, packageName, env);
    if (again.kind !== 'installed') {
      reasons.push(`${python}: ${packageName} still not visible to pip after installing it`);
      continue;
    }
    const scriptPath = parsePipShowScriptPath(again.output, scriptName);
    if (scriptPath && (await isExecutable(scriptPath))) {
      options.logger.debug({ packageName, scriptPath }, 'found pip-installed binary');
      return { found: true, path: scriptPath };
    }
    reasons.push(`${python}: ${packageName} is installed but lists no executable ${scriptName}`);
  }
  return { found: false, reason: reasons.join('; ') };
}

type PipShowResult =
  | { kind: 'installed'; output: string }
  | { kind: 'not-installed' }
  | { kind: 'no-pip'; detail: string };

async function pipShow(python: string, packageName: string, env?: NodeJS.ProcessEnv): Promise<PipShowResult> {
  const result = await runCommand(
    python,
    ['-m', 'pip', 'show', '--disable-pip-version-check', '-f', packageName],
    { env, timeoutMs: PIP_SHOW_TIMEOUT_MS },
  );
  if (result.spawnError) return { kind: 'no-pip', detail: 'not found' };
  if (result.exitCode === 0) return { kind: 'installed', output: result.stdout };
  // pip prints this warning for a missing package; anything else means pip itself is unusable.
  if (/not found/i.test(result.stderr)) return { kind: 'not-installed' };
  return { kind: 'no-pip', detail: result.stderr.trim().split('\n').at(-1) ?? 'pip failed' };
}
