import type { DecisionRecord } from '../schemas/decision.js';
import { actionIdAt, type IsolationLevel } from '../schemas/action.js';
import type { OutputFile, SkippedOutput } from '../schemas/files.js';
import type { EgressAttempt } from '../schemas/network.js';
import type { RiskFinding, RiskLevel } from '../schemas/risk.js';
import type { ActionState, RunState } from '../schemas/run.js';

/** One action as `--json` output shows it. */
export interface ActionJson {
  actionId: string;
  status: string;
  /** null until the action has been assessed. */
  risk: { level: RiskLevel; score: number; findings: RiskFinding[] } | null;
  decisions: DecisionRecord[];
  result?: {
    exitCode: number | null;
    stdout: string;
    stderr: string;
    /** The program wrote more than the cap, or only a preview could be found. */
    stdoutTruncated: boolean;
    stderrTruncated: boolean;
    timedOut: boolean;
    oomKilled: boolean;
    durationMs: number;
    /** The OCI runtime that ran the code (runc, runsc). */
    runtime: string;
    /** The isolation level that ran (absent in results recorded before isolation levels existed). */
    isolation?: IsolationLevel;
    /** Why `standard` ran although `strong` was asked for. */
    isolationFallback?: string;
    /** Collected output files without their preview: fetch the content with `airlock artifact <sha256>`. */
    outputFiles?: Omit<OutputFile, 'preview'>[];
    /** Matching paths that were not collected, and why. */
    skippedOutputs?: SkippedOutput[];
  };
  /** Why the action failed without a result. */
  error?: string;
  /** The destinations the action may reach (absent: no network). */
  network?: { allow: string[] };
  /** Every attempt through the egress proxy, allowed or denied (actions with an allowlist that ran). */
  egress?: EgressAttempt[];
  egressOmitted?: number;
}

/** What `run --json` prints. */
export interface RunJson {
  runId: string;
  actions: ActionJson[];
}

/** An action as `status --json` shows it: with what was submitted. */
export interface ActionStatusJson extends ActionJson {
  language: string;
  task?: string;
  code: string;
  codeSha256?: string;
}

/** What `status --json` prints: the run's own fields as well. */
export interface RunStatusJson extends Omit<RunJson, 'actions'> {
  actions: ActionStatusJson[];
  agent: string;
  requester: string;
  status: string;
  highestRisk: RiskLevel | null;
  closed: boolean;
  startedAt: string;
}

/** Shapes one action (outputs should already be hydrated from the artifact store). */
function shapeAction(action: ActionState): ActionJson {
  const shaped: ActionJson = {
    actionId: action.actionId,
    status: action.status,
    risk: action.risk ? { level: action.risk.level, score: action.risk.score, findings: action.risk.findings } : null,
    decisions: action.decisions,
  };
  const result = action.result;
  if (result) {
    shaped.result = {
      exitCode: result.exitCode,
      stdout: result.stdout.text,
      stderr: result.stderr.text,
      stdoutTruncated: result.stdout.truncated || !result.stdout.inlineComplete,
      stderrTruncated: result.stderr.truncated || !result.stderr.inlineComplete,
      timedOut: result.timedOut,
      oomKilled: result.oomKilled,
      durationMs: result.durationMs,
      runtime: result.sandbox.runtime,
      ...(result.sandbox.isolation ? { isolation: result.sandbox.isolation } : {}),
      ...(result.sandbox.isolationFallback ? { isolationFallback: result.sandbox.isolationFallback } : {}),
      ...(result.outputFiles ? { outputFiles: result.outputFiles.map(({ path, bytes, sha256 }) => ({ path, bytes, sha256 })) } : {}),
      ...(result.skippedOutputs?.length ? { skippedOutputs: result.skippedOutputs } : {}),
    };
  }
  if (action.error !== undefined) shaped.error = action.error;
  if (action.network) shaped.network = action.network;
  if (result?.egress) shaped.egress = result.egress;
  if (result?.egressOmitted) shaped.egressOmitted = result.egressOmitted;
  return shaped;
}

export function shapeRunJson(state: Pick<RunState, 'runId' | 'actions'>): RunJson {
  return { runId: state.runId, actions: state.actions.map(shapeAction) };
}

export function shapeRunStatusJson(state: RunState): RunStatusJson {
  return {
    runId: state.runId,
    agent: state.agent,
    requester: state.requester,
    status: state.status,
    highestRisk: state.highestRisk ?? null,
    closed: state.closed,
    startedAt: state.startedAt,
    actions: state.actions.map((action) => ({
      ...shapeAction(action),
      language: action.language,
      ...(action.task ? { task: action.task } : {}),
      code: action.code,
      ...(action.codeSha256 ? { codeSha256: action.codeSha256 } : {}),
    })),
  };
}

/**
 * What `run --json` prints without --wait: the run as just started, built from what was submitted so the command
 * returns at once even before a worker has picked the run up. Action ids follow submission order (a1, a2, ...).
 */
export function startedRunJson(runId: string, actionCount: number): RunJson {
  return {
    runId,
    actions: Array.from({ length: actionCount }, (_, index) => ({
      actionId: actionIdAt(index),
      status: 'received',
      risk: null,
      decisions: [],
    })),
  };
}
