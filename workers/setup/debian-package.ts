import { existsSync } from 'node:fs';
import { runCommandShowingOutput } from './run-command.js';

/** Whether Airlock may install Debian packages itself: root on Debian-like Linux (as it does for Docker). */
export function mayInstallDebianPackages(): boolean {
  return process.platform === 'linux' && existsSync('/etc/debian_version') && process.getuid?.() === 0;
}

/**
 * `apt-get install -y --no-install-recommends PACKAGES`, its output shown to the person waiting. A fresh machine often
 * has empty package lists, so a failed install refreshes them once and tries again. Resolves true on success.
 */
export async function installDebianPackages(packages: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = ['install', '-y', '--no-install-recommends', ...packages];
  if ((await runCommandShowingOutput('apt-get', install, { env: aptEnv })) === 0) return true;
  await runCommandShowingOutput('apt-get', ['update'], { env: aptEnv });
  return (await runCommandShowingOutput('apt-get', install, { env: aptEnv })) === 0;
}
