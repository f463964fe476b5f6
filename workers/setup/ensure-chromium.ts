/**
 * Chromium for the web UI's browser tests. playwright-core drives the system's Chromium; it never downloads a
 * browser of its own. Like Docker, Airlock installs the Debian package itself only as root on Debian-like Linux.
 */
import type { Logger } from 'pino';
import { installDebianPackages, mayInstallDebianPackages } from './debian-package.js';
import { findOnPath, isExecutable } from './find-executable.js';
import type { ProgressReporter } from './progress.js';

/** Where Debian's `chromium` package puts its launcher, for PATHs that do not include /usr/bin. */
const CHROMIUM_FALLBACK_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
const CHROMIUM_NAMES = ['chromium', 'chromium-browser'];

/** The Chromium to use: AIRLOCK_CHROMIUM_PATH when set, else the first found on PATH or in the usual places. */
export async function findChromium(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  if (env.AIRLOCK_CHROMIUM_PATH) return (await isExecutable(env.AIRLOCK_CHROMIUM_PATH)) ? env.AIRLOCK_CHROMIUM_PATH : undefined;
  for (const name of CHROMIUM_NAMES) {
    const onPath = await findOnPath(name, env);
    if (onPath) return onPath;
  }
  for (const candidate of CHROMIUM_FALLBACK_PATHS) if (await isExecutable(candidate)) return candidate;
  return undefined;
}

/**
 * Returns the path of a usable Chromium, installing Debian's `chromium` package when it is missing and we may
 * (root on Debian or Ubuntu). Otherwise reports what to do and returns undefined: the browser tests then fail
 * with that advice rather than being skipped.
 */
export async function ensureChromium(options: { onProgress: ProgressReporter; logger: Logger; env?: NodeJS.ProcessEnv }): Promise<string | undefined> {
  const env = options.env ?? process.env;
  const found = await findChromium(env);
  if (found) return found;
  if (env.AIRLOCK_CHROMIUM_PATH) {
    options.onProgress(`AIRLOCK_CHROMIUM_PATH=${env.AIRLOCK_CHROMIUM_PATH} is not an executable file: the browser tests will fail`);
    return undefined;
  }
  if (!mayInstallDebianPackages()) {
    options.onProgress('Chromium is not installed: install it (`apt-get install chromium` on Debian) or set AIRLOCK_CHROMIUM_PATH; the browser tests need it');
    return undefined;
  }
  options.onProgress('Chromium is not installed: installing the Debian package chromium (for the web UI browser tests)');
  if (!(await installDebianPackages(['chromium'], env))) {
    options.onProgress('`apt-get install chromium` failed (see the output above): the browser tests will fail');
    return undefined;
  }
  const installed = await findChromium(env);
  options.logger.info({ chromium: installed }, 'installed Chromium');
  return installed;
}
