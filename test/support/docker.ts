import Docker from 'dockerode';
import { LABELS, MANAGED_LABEL_FILTER } from '../../sandbox/labels.js';

const docker = new Docker();

/** Airlock containers that exist right now (running or not). */
export async function managedContainers(): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [MANAGED_LABEL_FILTER] } });
}

/**
 * How many containers were ever created for a run since `sinceMs`, from the engine's event log: proves that a
 * denied or timed-out action never got a container, even one created and removed at once.
 */
export async function containersCreatedForRun(runId: string, sinceMs: number): Promise<number> {
  const stream = (await docker.getEvents({
    since: Math.floor(sinceMs / 1000) - 1,
    until: Math.ceil(Date.now() / 1000) + 1,
    filters: { type: ['container'], event: ['create'], label: [`${LABELS.runId}=${runId}`] },
  })) as unknown as NodeJS.ReadableStream;
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text.split('\n').filter((line) => line.trim().length > 0).length;
}
