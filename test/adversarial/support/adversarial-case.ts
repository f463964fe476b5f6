import type { ArtifactStore } from '../../../platform/artifact-store.js';
import type { IsolationLevel, Language, ResourceLimits } from '../../../schemas/action.js';
import type { ExecutionResult } from '../../../schemas/execution.js';
import type { LoopbackTarget } from './loopback-target.js';

/** One hostile program (or a few at once) and the limits it runs under. */
export interface Program {
  language: Language;
  code: string;
  limits?: ResourceLimits;
  /** Globs under /workspace to collect after exit. */
  outputs?: string[];
}

/** What a case gets to attack the sandbox with, and to look at the host afterwards. */
/** Which way the sandbox gets its container: created for the program, or leased from the warm pool. */
export type SandboxPath = 'cold' | 'pooled';

export interface CaseContext {
  isolation: IsolationLevel;
  path: SandboxPath;
  /** Ids of the containers this case's programs got so far (cold or pooled), in order. */
  containers(): readonly string[];
  /** Runs one program in a fresh sandbox of the isolation level under test. */
  run(program: Program): Promise<ExecutionResult>;
  /** Run id every container of this case carries (the harness checks none is left). */
  runId: string;
  /** Unique per case run: programs put it in process names and file names so the host can be searched for it. */
  marker: string;
  artifacts: ArtifactStore;
  /** A server on this machine, listening on all addresses, that no sandbox may reach. */
  loopback: LoopbackTarget;
}

/**
 * An adversarial case: a program written to break out, exhaust the host or hide, plus the assertions that it was
 * contained. `attack` throws (an AssertionError) when containment fails and otherwise returns a short account of
 * what was observed, which goes into docs/security.md.
 */
export interface AdversarialCase {
  id: string;
  /** What the hostile code tries, in a few words. */
  tries: string;
  /** Longer than the default per-case time budget (floods, timeouts). */
  slow?: boolean;
  /** Set (to the reason) when the case's programs can never get a pooled container, so it runs on the cold path only. */
  coldOnly?: string;
  attack(ctx: CaseContext): Promise<string>;
}
