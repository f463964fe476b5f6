#!/usr/bin/env node
// Entry point of `npm run up`, `npm test`, `npm run bench`, `npm run chaos` and `npm run test:production` (and of
// `build`, which only installs and compiles, for CI to start compiled helpers). Plain Node with no dependencies, because it runs
// before node_modules exists: install dependencies when needed, compile, then hand over to the compiled command.
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const SIGNAL_NUMBERS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/** Compiled entry point and fixed leading arguments of each command; `build` has none (install and compile only). */
const COMMANDS = {
  build: { script: undefined, leadingArgs: [] },
  up: { script: 'dist/cli/main.js', leadingArgs: ['up'] },
  test: { script: 'dist/workers/test-stack/main.js', leadingArgs: [] },
  bench: { script: 'dist/test/bench/main.js', leadingArgs: [] },
  chaos: { script: 'dist/test/chaos/main.js', leadingArgs: [] },
  production: { script: 'dist/workers/production-stack/main.js', leadingArgs: [] },
};

/**
 * Whether `npm ci` must run: no node_modules yet, or package-lock.json changed after the last install (npm writes
 * node_modules/.package-lock.json at the end of every install, so its mtime marks the last one).
 * @param {{ hasNodeModules: boolean, lockMtimeMs: number | undefined, installedMtimeMs: number | undefined }} facts
 * @returns {boolean}
 */
export function needsNpmInstall({ hasNodeModules, lockMtimeMs, installedMtimeMs }) {
  if (!hasNodeModules || installedMtimeMs === undefined) return true;
  if (lockMtimeMs === undefined) return false;
  return lockMtimeMs > installedMtimeMs;
}

/**
 * The program and arguments that run `command`, or undefined for an unknown command.
 * @param {string} command
 * @param {string[]} args what followed the command on our command line (npm passes what follows `--`)
 * @returns {string[] | undefined} empty for a command that only compiles
 */
export function commandLineFor(command, args) {
  const entry = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!entry) return undefined;
  if (entry.script === undefined) return [];
  return [entry.script, ...entry.leadingArgs, ...args];
}

/** @param {string} file */
function mtimeMs(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/** @param {string} message */
function progress(message) {
  process.stderr.write(`airlock: ${message}\n`);
}

/**
 * Runs a child with our stdio and resolves with its shell-style exit status. A signal sent to us (a `kill`, or npm
 * passing one on) is passed to the child, which decides how to stop; a terminal's Ctrl-C reaches both anyway.
 * @param {string[]} argv
 * @param {{ stdout?: 'inherit' | 'stderr' }} [options]
 * @returns {Promise<number>}
 */
function run(argv, options = {}) {
  const [command, ...args] = argv;
  return new Promise((resolve) => {
    const stdio = options.stdout === 'stderr' ? ['inherit', process.stderr, 'inherit'] : 'inherit';
    const child = spawn(command, args, { cwd: PROJECT_ROOT, stdio });
    const forward = (signal) => child.kill(signal);
    for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
    const done = (status) => {
      for (const signal of FORWARDED_SIGNALS) process.removeListener(signal, forward);
      resolve(status);
    };
    child.once('error', (err) => {
      progress(`could not start ${command}: ${err.message}`);
      done(127);
    });
    child.once('exit', (code, signal) => done(code ?? 128 + (SIGNAL_NUMBERS[signal] ?? 1)));
  });
}

async function installDependenciesIfNeeded() {
  const nodeModules = path.join(PROJECT_ROOT, 'node_modules');
  const install = needsNpmInstall({
    hasNodeModules: existsSync(nodeModules),
    lockMtimeMs: mtimeMs(path.join(PROJECT_ROOT, 'package-lock.json')),
    installedMtimeMs: mtimeMs(path.join(nodeModules, '.package-lock.json')),
  });
  if (!install) return 0;
  progress('installing npm dependencies (npm ci); this takes a minute the first time');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  // npm's own output goes to stderr so that our stdout carries only the command's output.
  const status = await run([npm, 'ci', '--no-audit', '--no-fund'], { stdout: 'stderr' });
  if (status !== 0) progress(`npm ci failed (exit status ${status}); see its output above`);
  return status;
}

async function build() {
  progress('compiling TypeScript (tsc)');
  const tsc = path.join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const status = await run([process.execPath, tsc, '-p', 'tsconfig.json'], { stdout: 'stderr' });
  if (status !== 0) progress(`TypeScript reported errors (exit status ${status}); fix them and run this again`);
  return status;
}

async function main() {
  const [command = '', ...args] = process.argv.slice(2);
  const commandLine = commandLineFor(command, args);
  if (!commandLine) {
    progress(`usage: node scripts/bootstrap.mjs <${Object.keys(COMMANDS).join('|')}> [args...]`);
    return 2;
  }
  const installStatus = await installDependenciesIfNeeded();
  if (installStatus !== 0) return installStatus;
  const buildStatus = await build();
  if (buildStatus !== 0) return buildStatus;
  if (commandLine.length === 0) return 0;
  const [script, ...rest] = commandLine;
  if (!existsSync(path.join(PROJECT_ROOT, script))) {
    progress(`${script} does not exist after the build: \`${command}\` is not available in this version`);
    return 1;
  }
  return run([process.execPath, script, ...rest]);
}

const invokedDirectly = process.argv[1] !== undefined && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url;
if (invokedDirectly) {
  main().then(
    (status) => process.exit(status),
    (err) => {
      progress(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
