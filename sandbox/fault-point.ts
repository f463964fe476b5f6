/**
 * Test-only fault points for `npm run chaos` (test/chaos). Inactive unless BOTH AIRLOCK_FAULT_POINT and
 * AIRLOCK_FAULT_POINT_DIR are set in the sandbox worker's own environment, which neither an agent nor its code can
 * reach. When the named point is reached, a marker file named after the container is written into the folder so
 * the suite knows where the worker is, and the execution waits there (its heartbeats go on) until the suite kills
 * the worker. `exec` only marks: the code is running in its container, and the suite kills while it runs.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const FAULT_POINTS = ['created', 'exec', 'exited', 'collecting'] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

export async function reachFaultPoint(point: FaultPoint, containerName: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const dir = env.AIRLOCK_FAULT_POINT_DIR;
  if (env.AIRLOCK_FAULT_POINT !== point || !dir) return;
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `${point}-${containerName}`), new Date().toISOString());
  if (point === 'exec') return;
  await new Promise<never>(() => undefined);
}
