/**
 * Test-only fault points for `npm run chaos` (test/chaos). Inactive unless AIRLOCK_FAULT_POINT_DIR is set in the
 * sandbox worker's own environment, which neither an agent nor its code can reach; even then only a run whose id
 * names a point (`...fault-<point>-...`, ids the suite gives its own runs) is affected. When such a run reaches its
 * point, a marker file is written into the folder so the suite knows where the worker is, and the execution waits
 * there (its heartbeats go on) until the suite kills the worker. `exec` only marks: the code is running in its
 * container, and the suite kills the worker while it runs.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const FAULT_POINTS = ['created', 'exec', 'exited', 'collecting'] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

/** The run id fragment that asks for a stop at `point`. */
export function faultPointTag(point: FaultPoint): string {
  return `fault-${point}-`;
}

export async function reachFaultPoint(point: FaultPoint, runId: string, containerName: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const dir = env.AIRLOCK_FAULT_POINT_DIR;
  if (!dir || !runId.includes(faultPointTag(point))) return;
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `${point}-${containerName}`), new Date().toISOString());
  if (point === 'exec') return;
  await new Promise<never>(() => undefined);
}
