/**
 * Counts container starts per run from the engine's live event stream, from the suite's start on. The engine keeps
 * only its last few hundred events for later queries, which a shared engine busy with other tests overwrites, so
 * the stream is read as it happens. A start of a run's container is one execution of its code.
 */
import type Docker from 'dockerode';
import { LABELS, MANAGED_LABEL_FILTER } from '../../sandbox/labels.js';

export interface ContainerStarts {
  of(runId: string): number;
  close(): void;
}

export async function recordContainerStarts(docker: Docker): Promise<ContainerStarts> {
  const counts = new Map<string, number>();
  const stream = (await docker.getEvents({
    filters: { type: ['container'], event: ['start'], label: [MANAGED_LABEL_FILTER] },
  })) as unknown as NodeJS.ReadableStream & { destroy(): void };
  let buffered = '';
  stream.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      const runId = (JSON.parse(line) as { Actor?: { Attributes?: Record<string, string> } }).Actor?.Attributes?.[LABELS.runId];
      if (runId) counts.set(runId, (counts.get(runId) ?? 0) + 1);
    }
  });
  // A broken stream would make every count zero: a fault then says "the code never ran", which is visible.
  stream.on('error', () => undefined);
  return { of: (runId) => counts.get(runId) ?? 0, close: () => stream.destroy() };
}
