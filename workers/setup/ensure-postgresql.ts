import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { PostgresqlUnavailableError } from '../../platform/setup-errors.js';
import { installDebianPackages, mayInstallDebianPackages } from './debian-package.js';
import { findOnPath, isExecutable } from './find-executable.js';
import type { ProgressReporter } from './progress.js';

/** Debian keeps each major version's server programs here, off PATH. */
const DEBIAN_POSTGRESQL_ROOT = '/usr/lib/postgresql';

/** The folder holding a PostgreSQL's `initdb` and `postgres`. */
export interface PostgresqlPrograms {
  binDir: string;
  initdb: string;
  postgres: string;
}

async function programsIn(binDir: string): Promise<PostgresqlPrograms | undefined> {
  const initdb = path.join(binDir, 'initdb');
  const postgres = path.join(binDir, 'postgres');
  return (await isExecutable(initdb)) && (await isExecutable(postgres)) ? { binDir, initdb, postgres } : undefined;
}

/** AIRLOCK_POSTGRES_BIN, else the newest Debian major version, else `initdb` on PATH; undefined when none has both. */
export async function findPostgresql(env: NodeJS.ProcessEnv = process.env): Promise<PostgresqlPrograms | undefined> {
  const explicit = env.AIRLOCK_POSTGRES_BIN?.trim();
  if (explicit) return programsIn(explicit);
  const majors = await readdir(DEBIAN_POSTGRESQL_ROOT).catch(() => [] as string[]);
  for (const major of majors.filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a))) {
    const found = await programsIn(path.join(DEBIAN_POSTGRESQL_ROOT, major, 'bin'));
    if (found) return found;
  }
  const initdb = await findOnPath('initdb', env);
  return initdb ? programsIn(path.dirname(initdb)) : undefined;
}

/**
 * PostgreSQL's server programs for the production topology's private cluster, installing Debian's `postgresql`
 * package when they are missing and we may (root on Debian). Nothing is started here: the topology runs its own
 * cluster in a temporary folder.
 */
export async function ensurePostgresql(options: { onProgress: ProgressReporter; env?: NodeJS.ProcessEnv }): Promise<PostgresqlPrograms> {
  const env = options.env ?? process.env;
  const found = await findPostgresql(env);
  if (found) return found;
  if (env.AIRLOCK_POSTGRES_BIN?.trim()) {
    throw new PostgresqlUnavailableError(`AIRLOCK_POSTGRES_BIN=${env.AIRLOCK_POSTGRES_BIN} holds no initdb and postgres programs`);
  }
  if (!mayInstallDebianPackages()) {
    throw new PostgresqlUnavailableError('PostgreSQL is not installed: install its server (`apt-get install postgresql` on Debian) or set AIRLOCK_POSTGRES_BIN to the folder with initdb and postgres');
  }
  options.onProgress('PostgreSQL is not installed: installing the Debian package postgresql (for the production topology test)');
  if (!(await installDebianPackages(['postgresql'], env))) {
    throw new PostgresqlUnavailableError('`apt-get install postgresql` failed (see the output above)');
  }
  const installed = await findPostgresql(env);
  if (!installed) throw new PostgresqlUnavailableError(`the postgresql package installed, but no initdb and postgres were found under ${DEBIAN_POSTGRESQL_ROOT}`);
  return installed;
}
