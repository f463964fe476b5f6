import Docker from 'dockerode';
import { withDockerCallTimeouts } from './docker-call-timeouts.js';

/** The Docker engine did not answer; the message says how to start it. */
export class DockerUnavailableError extends Error {
  override readonly name = 'DockerUnavailableError';
  constructor(
    readonly endpoint: string,
    options?: { cause?: unknown },
  ) {
    const reason = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(
      `the Docker engine at ${endpoint} is not reachable${reason}. ` +
        'Start it with `npm run up` (which starts the engine when it can) or `sudo dockerd`, ' +
        'or point DOCKER_HOST at a running engine.',
      options,
    );
  }
}

const DEFAULT_SOCKET = '/var/run/docker.sock';
const PING_TIMEOUT_MS = 5_000;

/** Where the client will connect: DOCKER_HOST when set, else the default socket. For messages only. */
export function dockerEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_HOST || `unix://${DEFAULT_SOCKET}`;
}

/**
 * A Docker client for DOCKER_HOST (unix://, tcp://, with DOCKER_TLS_VERIFY/DOCKER_CERT_PATH) or the default
 * socket; dockerode's own defaults read those variables, so no parsing is repeated here. Every call has a time
 * limit for its kind (sandbox/docker-call-timeouts.ts), so a hung engine fails a call instead of hanging it.
 */
export function createDockerClient(env: NodeJS.ProcessEnv = process.env): Docker {
  return withDockerCallTimeouts(new Docker(), dockerEndpoint(env));
}

/** Pings the engine and throws DockerUnavailableError (with start instructions) when it does not answer. */
export async function assertDockerReachable(docker: Docker, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS);
      }),
    ]);
  } catch (err) {
    throw new DockerUnavailableError(dockerEndpoint(env), { cause: err });
  } finally {
    clearTimeout(timer);
  }
}
