import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const STOP_POLL_MS = 100;

/**
 * What `airlock up` writes down about a process it started in the background (the Temporal dev server, dockerd)
 * or about itself, so that the next `up` on the same state folder can tell its own leftovers from somebody
 * else's process after a crash, a `kill -9` or a power loss.
 */
export interface ProcessRecord {
  pid: number;
  /**
   * The kernel's start time of the process (clock ticks since boot, from /proc/PID/stat). A pid is reused once
   * its process is gone; pid and start time together name one process. Undefined where /proc does not exist.
   */
  startTicks: string | undefined;
  /** The program and its arguments, for the person reading the file and for the check below. */
  argv: string[];
  startedAt: string;
  /** The `up` process that started it; a record whose owner still runs belongs to a live stack. */
  ownerPid?: number;
  ownerStartTicks?: string | undefined;
}

/** What the kernel says about a pid right now. */
export interface ProcessFacts {
  /** False for a zombie too: it has ended and only waits to be reaped. */
  alive: boolean;
  startTicks: string | undefined;
}

/** `running`: the very process that was recorded; `gone`: it ended (its pid may now be another process's). */
export type RecordedProcessState = 'running' | 'gone';

/**
 * Whether the recorded process is still the one running under its pid. Without start times to compare (no /proc)
 * a live pid is not proof enough, and the process is treated as gone: never signal a process that may not be ours.
 */
export function classifyRecordedProcess(
  record: Pick<ProcessRecord, 'startTicks'>,
  facts: ProcessFacts,
): RecordedProcessState {
  if (!facts.alive) return 'gone';
  if (record.startTicks === undefined || facts.startTicks === undefined) return 'gone';
  return record.startTicks === facts.startTicks ? 'running' : 'gone';
}

/**
 * The start time field of /proc/PID/stat. The command name (field 2) is in parentheses and may itself contain
 * spaces and parentheses, so fields are counted from the last `)`.
 */
export function parseProcStat(stat: string): { state: string; startTicks: string } | undefined {
  const end = stat.lastIndexOf(')');
  if (end < 0) return undefined;
  // After the name come field 3 (state) onwards; the start time is field 22.
  const fields = stat.slice(end + 2).split(' ');
  const state = fields[0];
  const ticks = fields[22 - 3];
  return state && ticks && /^\d+$/.test(ticks) ? { state, startTicks: ticks } : undefined;
}

/** Reads the facts about a pid from the kernel. */
export function processFacts(pid: number): ProcessFacts {
  let alive: boolean;
  try {
    process.kill(pid, 0);
    alive = true;
  } catch (err) {
    alive = (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (!alive) return { alive, startTicks: undefined };
  let stat: ReturnType<typeof parseProcStat>;
  try {
    stat = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return { alive, startTicks: undefined };
  }
  // Z: ended, waiting for its parent to reap it; X: being removed.
  if (stat && (stat.state === 'Z' || stat.state === 'X')) return { alive: false, startTicks: undefined };
  return { alive, startTicks: stat?.startTicks };
}

/** A record for a process that has just been started. */
export function recordFor(pid: number, argv: string[], owner?: number): ProcessRecord {
  return {
    pid,
    startTicks: processFacts(pid).startTicks,
    argv,
    startedAt: new Date().toISOString(),
    ...(owner !== undefined ? { ownerPid: owner, ownerStartTicks: processFacts(owner).startTicks } : {}),
  };
}

/** Writes the record atomically (temp file, then rename), so a crash never leaves half a record. */
export async function writeProcessRecord(file: string, record: ProcessRecord): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, file);
}

/** The record in `file`; undefined when there is none or it cannot be read (then it names nothing we could stop). */
export async function readProcessRecord(file: string): Promise<ProcessRecord | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const value = JSON.parse(text) as Partial<ProcessRecord>;
    if (typeof value.pid !== 'number' || !Number.isInteger(value.pid) || value.pid <= 0) return undefined;
    return {
      pid: value.pid,
      startTicks: typeof value.startTicks === 'string' ? value.startTicks : undefined,
      argv: Array.isArray(value.argv) ? value.argv.map(String) : [],
      startedAt: String(value.startedAt ?? ''),
      ...(typeof value.ownerPid === 'number'
        ? { ownerPid: value.ownerPid, ownerStartTicks: typeof value.ownerStartTicks === 'string' ? value.ownerStartTicks : undefined }
        : {}),
    };
  } catch {
    return undefined;
  }
}

export async function removeProcessRecord(file: string): Promise<void> {
  await rm(file, { force: true });
}

/** State of the recorded process itself. */
export function recordedProcessState(record: ProcessRecord): RecordedProcessState {
  return classifyRecordedProcess(record, processFacts(record.pid));
}

/** Whether the `up` that wrote the record still runs (then its processes are not leftovers). */
export function recordOwnerRunning(record: ProcessRecord): boolean {
  if (record.ownerPid === undefined) return false;
  return classifyRecordedProcess({ startTicks: record.ownerStartTicks }, processFacts(record.ownerPid)) === 'running';
}

/**
 * Stops a recorded process that leads its own process group (we start background processes detached): SIGTERM to
 * the group, then SIGKILL once the grace period is over. Resolves when the process is gone.
 */
export async function stopRecordedProcess(record: ProcessRecord, graceMs: number): Promise<void> {
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-record.pid, signal);
    } catch {
      try {
        process.kill(record.pid, signal);
      } catch {
        // already gone
      }
    }
  };
  signalGroup('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (recordedProcessState(record) === 'running') {
    if (Date.now() > deadline) {
      signalGroup('SIGKILL');
      while (recordedProcessState(record) === 'running') await sleep(STOP_POLL_MS);
      return;
    }
    await sleep(STOP_POLL_MS);
  }
}
