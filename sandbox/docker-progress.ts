import type Docker from 'dockerode';

/** One JSON message of a Docker build, pull or import progress stream. */
interface ProgressEvent {
  stream?: string;
  status?: string;
  progress?: string;
  id?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/** The engine reported an error inside a progress stream (a failed build step, pull or import). */
export class DockerProgressError extends Error {
  override readonly name = 'DockerProgressError';
}

/**
 * Follows a progress stream to its end, handing each readable line to `onLine`. Resolves when the stream ends;
 * rejects when the engine reports an error in the stream (build and import report failures there, not via HTTP).
 */
export function followDockerProgress(
  docker: Docker,
  stream: NodeJS.ReadableStream,
  onLine: (line: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let failure: string | undefined;
    docker.modem.followProgress(
      stream,
      (err: Error | null) => {
        if (err) reject(err);
        else if (failure !== undefined) reject(new DockerProgressError(failure));
        else resolve();
      },
      (event: ProgressEvent) => {
        if (event.error !== undefined || event.errorDetail?.message !== undefined) {
          failure = event.errorDetail?.message ?? event.error ?? 'unknown error';
          onLine(`error: ${failure}`);
          return;
        }
        const text = event.stream ?? [event.id, event.status, event.progress].filter(Boolean).join(' ');
        for (const line of text.split('\n')) {
          if (line.trim() !== '') onLine(line.trimEnd());
        }
      },
    );
  });
}
