import type { ProgressReporter } from './progress.js';
import { buildGoModuleBinaries } from './go-build.js';
import { isExecutable } from './find-executable.js';
import { GoBuildError } from '../../platform/setup-errors.js';

/** The Temporal server release the production topology is tested on (the same as docker-compose.yml's image). */
export const TEMPORAL_SERVER_MODULE = 'go.temporal.io/server';
export const TEMPORAL_SERVER_VERSION = 'v1.32.2';
/**
 * Its go.mod asks for a newer Go than many machines have; the go command fetches this toolchain through the module
 * proxy (about 80 MB, once) instead of failing.
 */
export const TEMPORAL_SERVER_TOOLCHAIN = 'go1.27.3';

/** The server (all four services in one process) and its SQL schema tool. */
export interface TemporalServerBinaries {
  server: string;
  sqlTool: string;
}

/**
 * `temporal-server` and `temporal-sql-tool`: AIRLOCK_TEMPORAL_SERVER_PATH and AIRLOCK_TEMPORAL_SQL_TOOL_PATH when
 * both are set, else the copies built earlier into `binDir`, else built now from the Go module (several minutes on
 * two cores, once per machine and version).
 */
export async function ensureTemporalServer(options: { binDir: string; onProgress: ProgressReporter; env?: NodeJS.ProcessEnv }): Promise<TemporalServerBinaries> {
  const env = options.env ?? process.env;
  const explicit = { server: env.AIRLOCK_TEMPORAL_SERVER_PATH?.trim(), sqlTool: env.AIRLOCK_TEMPORAL_SQL_TOOL_PATH?.trim() };
  if (explicit.server || explicit.sqlTool) {
    if (!explicit.server || !explicit.sqlTool) {
      throw new GoBuildError('set both AIRLOCK_TEMPORAL_SERVER_PATH and AIRLOCK_TEMPORAL_SQL_TOOL_PATH, or neither (then they are built)');
    }
    for (const [name, file] of [['AIRLOCK_TEMPORAL_SERVER_PATH', explicit.server], ['AIRLOCK_TEMPORAL_SQL_TOOL_PATH', explicit.sqlTool]] as const) {
      if (!(await isExecutable(file))) throw new GoBuildError(`${name}=${file} is not an executable file`);
    }
    return { server: explicit.server, sqlTool: explicit.sqlTool };
  }
  const version = TEMPORAL_SERVER_VERSION.replace(/^v/, '');
  const [server, sqlTool] = await buildGoModuleBinaries({
    module: TEMPORAL_SERVER_MODULE,
    version: TEMPORAL_SERVER_VERSION,
    binaries: [
      { pkg: './cmd/server', file: `temporal-server-${version}` },
      { pkg: './cmd/tools/sql', file: `temporal-sql-tool-${version}` },
    ],
    binDir: options.binDir,
    toolchain: TEMPORAL_SERVER_TOOLCHAIN,
    onProgress: options.onProgress,
    env,
  });
  return { server: server!, sqlTool: sqlTool! };
}
