/**
 * What a retried execution does about the attempts before it. It never kills one that may be live; it picks up the
 * result of one that got past the end of the code; it fences off one that never started its container (so that a
 * stalled worker cannot start it later); and for an at-most-once action (one with network) it refuses to run the
 * code again when an earlier attempt may have run it.
 */
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import type { ExecutionAttempt, ExecutionResult } from '../schemas/execution.js';
import { resultOf, type AttemptJournal } from './attempt-journal.js';
import { containerNameFor } from './container-name.js';
import { hasDockerStatus } from './docker-errors.js';

export interface EarlierAttemptsInput {
  docker: Docker;
  journal: AttemptJournal;
  runId: string;
  actionId: string;
  /** The attempt now starting (1 for the first: nothing to settle). */
  attempt: number;
  executionRunId: string;
  /** What the last heartbeats of earlier attempts said (Temporal hands them to the retry); may be empty. */
  heartbeatSeen?: readonly ExecutionAttempt[];
  logger: Logger;
}

export interface Settlement {
  /** One record per earlier attempt, in order. */
  records: ExecutionAttempt[];
  /** The newest earlier result, when one exists: returned instead of running the code again. */
  pickup?: { attempt: number; result: ExecutionResult };
  /** True when every earlier attempt is proven never to have run the code (or there were none). */
  noneRan: boolean;
}

/** Docker's zero time: a container that never started. */
const NEVER = '0001-01-01T00:00:00Z';

async function inspectByName(docker: Docker, name: string): Promise<Docker.ContainerInspectInfo | undefined> {
  try {
    return await docker.getContainer(name).inspect();
  } catch (err) {
    if (hasDockerStatus(err, 404)) return undefined;
    throw err;
  }
}

function times(info: Docker.ContainerInspectInfo | undefined): Pick<ExecutionAttempt, 'startedAt' | 'endedAt'> {
  if (!info) return {};
  const started = info.State.StartedAt && !info.State.StartedAt.startsWith('0001') ? info.State.StartedAt : undefined;
  const ended = !info.State.Running && info.State.FinishedAt && !info.State.FinishedAt.startsWith('0001') ? info.State.FinishedAt : undefined;
  return { ...(started ? { startedAt: started } : {}), ...(ended ? { endedAt: ended } : {}) };
}

/** Settles every attempt before `input.attempt`; see the module comment. */
export async function settleEarlierAttempts(input: EarlierAttemptsInput): Promise<Settlement> {
  const { docker, journal, runId, actionId, logger } = input;
  const settlement: Settlement = { records: [], noneRan: true };
  for (let attempt = 1; attempt < input.attempt; attempt++) {
    const containerName = containerNameFor(runId, actionId, attempt);
    const seen = input.heartbeatSeen?.find((a) => a.attempt === attempt);
    const read = await journal.read(containerName);
    const entry = read?.executionRunId === input.executionRunId ? read : undefined;
    const info = await inspectByName(docker, containerName);
    const base: ExecutionAttempt = {
      attempt,
      containerName,
      ...((entry?.containerId ?? info?.Id ?? seen?.containerId) ? { containerId: entry?.containerId ?? info?.Id ?? seen?.containerId } : {}),
      phase: entry?.phase ?? seen?.phase ?? 'preparing',
      outcome: 'unknown',
      ...(entry?.startedAt ? { startedAt: entry.startedAt } : {}),
      ...(entry?.endedAt ? { endedAt: entry.endedAt } : {}),
      ...times(info),
      ...((entry?.egressAttempts ?? seen?.egressAttempts) !== undefined ? { egressAttempts: entry?.egressAttempts ?? seen?.egressAttempts } : {}),
    };
    const result = resultOf(entry);
    if (result) {
      settlement.records.push({ ...base, outcome: 'lost-after-exit', note: 'the code ended; its result was saved on this host' });
      settlement.pickup = { attempt, result };
      settlement.noneRan = false;
      continue;
    }
    if (entry) {
      // This host journalled the attempt, so this host's claim decides: a fence that wins proves no code ran.
      const held = await journal.claim(containerName, 'fence');
      if (held === 'fence') {
        // Never started, and now never will: its container (if any) holds nothing and can go.
        if (info) await removeQuietly(docker, containerName, logger);
        settlement.records.push({ ...base, outcome: 'lost-before-start', note: 'fenced before its container started' });
        continue;
      }
      settlement.records.push({ ...base, outcome: 'lost-after-start', note: 'its container started; the code may have run' });
      settlement.noneRan = false;
      continue;
    }
    if (info && (info.State.Status === 'created' || info.State.StartedAt === NEVER)) {
      // No journal here, but the engine is shared: removing a container that never started fences it (a start by
      // id then fails). A start that won the race shows as 409 and counts as started.
      try {
        await docker.getContainer(containerName).remove({ force: false, v: true });
        settlement.records.push({ ...base, outcome: 'lost-before-start', note: 'its container never started; removed' });
        continue;
      } catch (err) {
        if (hasDockerStatus(err, 404)) {
          settlement.records.push({ ...base, outcome: 'unknown', note: 'its container went away while being fenced' });
          settlement.noneRan = false;
          continue;
        }
        if (!hasDockerStatus(err, 409)) throw err;
      }
    }
    if (info) {
      // Started (running or not): left alone. A live container belongs to its worker; the reaper and the
      // container's own deadline end it.
      settlement.records.push({ ...base, outcome: 'lost-after-start', note: info.State.Running ? 'still running; left to its owner and its deadline' : 'its container started; the code may have run' });
      settlement.noneRan = false;
      continue;
    }
    settlement.records.push({ ...base, outcome: 'unknown', note: 'no trace on this host: it may have run elsewhere' });
    settlement.noneRan = false;
  }
  return settlement;
}

async function removeQuietly(docker: Docker, name: string, logger: Logger): Promise<void> {
  try {
    await docker.getContainer(name).remove({ force: true, v: true });
  } catch (err) {
    if (!hasDockerStatus(err, 404)) logger.warn({ err, containerName: name }, 'could not remove a fenced container; the reaper will');
  }
}

/** The message of an at-most-once refusal: which attempts may have run, and what to do. */
export function refusalMessage(actionId: string, records: readonly ExecutionAttempt[]): string {
  const doubtful = records.filter((r) => r.outcome === 'lost-after-start' || r.outcome === 'unknown');
  const list = doubtful.map((r) => `attempt ${r.attempt} (${r.containerName}${r.containerId ? ` ${r.containerId.slice(0, 12)}` : ''}: ${r.outcome})`).join(', ');
  return (
    `${actionId} was not run again: it has network access, so it runs at most once, and ${list} may have run the code ` +
    'before its worker was lost. Check the side effects, then submit the action again if it should run.'
  );
}
