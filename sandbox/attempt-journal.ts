/**
 * A write-ahead record of each execution attempt on the sandbox host: what phase it reached and, once the code ended,
 * its result. Written (and fsynced) before each step it describes, so that a retry on the same host can prove an
 * earlier attempt never started its container, or pick up the result of one whose worker died after the code ended.
 */
import { link, open, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { AttemptPhaseSchema, ExecutionResultSchema, type AttemptPhase, type ExecutionResult } from '../schemas/execution.js';

export const AttemptEntrySchema = z.object({
  attempt: z.number().int().positive(),
  containerName: z.string(),
  /** The Temporal execution the attempt belonged to: an entry of another execution (a reused run id) is ignored. */
  executionRunId: z.string(),
  containerId: z.string().optional(),
  phase: AttemptPhaseSchema,
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
  egressAttempts: z.number().int().optional(),
  /** From `exited` on: the result as far as it is known (outputs are collected after `exited`). */
  result: ExecutionResultSchema.optional(),
});
export type AttemptEntry = z.infer<typeof AttemptEntrySchema>;

/** Where attempts are journalled; a folder on the sandbox host by default. */
export interface AttemptJournal {
  write(entry: AttemptEntry): Promise<void>;
  /** The entry of a container name; undefined when there is none (another host, or swept). */
  read(containerName: string): Promise<AttemptEntry | undefined>;
  /**
   * Claims the right to start (`start`, by the attempt itself, just before its container starts) or fences the
   * attempt off for good (`fence`, by a later attempt). Exactly one claim per container name ever wins; the answer
   * is the claim that holds, which proves whether that attempt's code can run.
   */
  claim(containerName: string, claim: AttemptClaim): Promise<AttemptClaim>;
  /** Removes entries older than `maxAgeMs`; returns how many. */
  sweep(maxAgeMs: number, nowMs?: number): Promise<number>;
}

export type AttemptClaim = 'start' | 'fence';

/** Container names are `[a-zA-Z0-9_.-]`; anything else would be a bug, never a path. */
const SAFE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,200}$/;
/** Entries kept this long: far beyond any retry of the attempt they describe. */
export const ATTEMPT_JOURNAL_MAX_AGE_MS = 24 * 60 * 60_000;

/** One JSON file per container name, replaced atomically (temporary file, fsync, rename, fsync of the folder). */
export class FileAttemptJournal implements AttemptJournal {
  constructor(private readonly dir: string) {}

  private fileOf(containerName: string): string {
    if (!SAFE_NAME.test(containerName)) throw new Error(`not a container name: ${JSON.stringify(containerName)}`);
    return path.join(this.dir, `${containerName}.json`);
  }

  async write(entry: AttemptEntry): Promise<void> {
    const target = this.fileOf(entry.containerName);
    await mkdir(this.dir, { recursive: true });
    const temp = path.join(this.dir, `.tmp-${entry.containerName}-${randomBytes(6).toString('hex')}`);
    const file = await open(temp, 'w', 0o600);
    try {
      await file.writeFile(JSON.stringify(entry));
      await file.sync();
    } finally {
      await file.close();
    }
    try {
      await rename(temp, target);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
    // The rename is durable only once the folder is synced.
    const folder = await open(this.dir, 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  }

  async claim(containerName: string, claim: AttemptClaim): Promise<AttemptClaim> {
    const target = `${this.fileOf(containerName)}.claim`;
    await mkdir(this.dir, { recursive: true });
    // Written in full before it is linked into place: whoever sees the claim file sees its content.
    const temp = path.join(this.dir, `.tmp-${containerName}-${randomBytes(6).toString('hex')}`);
    const file = await open(temp, 'w', 0o600);
    try {
      await file.writeFile(claim);
      await file.sync();
    } finally {
      await file.close();
    }
    try {
      await link(temp, target);
      return claim;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const held = (await readFile(target, 'utf8')).trim();
      return held === 'fence' ? 'fence' : 'start';
    } finally {
      await rm(temp, { force: true });
    }
  }

  async read(containerName: string): Promise<AttemptEntry | undefined> {
    let text: string;
    try {
      text = await readFile(this.fileOf(containerName), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    // A torn or foreign file proves nothing: treated as no entry, which a retry reads as "may have run".
    try {
      const parsed = AttemptEntrySchema.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  async sweep(maxAgeMs: number, nowMs = Date.now()): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
    let removed = 0;
    for (const name of names) {
      const file = path.join(this.dir, name);
      try {
        // Temporary files left by a crash mid-write are swept after a minute, entries after maxAgeMs.
        const age = nowMs - (await stat(file)).mtimeMs;
        if (age > (name.startsWith('.tmp-') ? 60_000 : maxAgeMs)) {
          await rm(file, { force: true });
          removed++;
        }
      } catch {
        // Removed meanwhile.
      }
    }
    return removed;
  }
}

/** Keeps entries in memory (unit tests, and a sandbox given no folder). */
export class MemoryAttemptJournal implements AttemptJournal {
  readonly entries = new Map<string, AttemptEntry>();
  write(entry: AttemptEntry): Promise<void> {
    this.entries.set(entry.containerName, structuredClone(entry));
    return Promise.resolve();
  }
  read(containerName: string): Promise<AttemptEntry | undefined> {
    const entry = this.entries.get(containerName);
    return Promise.resolve(entry ? structuredClone(entry) : undefined);
  }
  readonly claims = new Map<string, AttemptClaim>();
  claim(containerName: string, claim: AttemptClaim): Promise<AttemptClaim> {
    if (!this.claims.has(containerName)) this.claims.set(containerName, claim);
    return Promise.resolve(this.claims.get(containerName) as AttemptClaim);
  }
  sweep(): Promise<number> {
    return Promise.resolve(0);
  }
}

/** Phases in order, for "reached at least". */
export function phaseAtLeast(phase: AttemptPhase, than: AttemptPhase): boolean {
  return AttemptPhaseSchema.options.indexOf(phase) >= AttemptPhaseSchema.options.indexOf(than);
}

/** The result of an entry that reached `exited`, when it carries one. */
export function resultOf(entry: AttemptEntry | undefined): ExecutionResult | undefined {
  return entry && phaseAtLeast(entry.phase, 'exited') ? entry.result : undefined;
}
