/**
 * Airlock as MCP tools: `run_code`, `get_run`, `list_runs`, `get_artifact`. The tools speak to Airlock through an
 * {@link AirlockApiPort}: the HTTP API with the caller's token (stdio mode), or the API server's own client with
 * the authenticated principal (the streamable HTTP endpoint). Either way an MCP client can do exactly what its token
 * may do over HTTP, and a tool failure is a tool result with `isError`, never a stack trace.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { HttpArtifact, HttpListRunsQuery, HttpStartRunRequest } from '../../client/http-api-client.js';
import type { RunSummary } from '../../client/list-query.js';
import { LanguageSchema } from '../../schemas/action.js';
import type { ActionState, RunState } from '../../schemas/run.js';

/** What `run_code` waits by default before answering "still running", and the most a caller may ask for. */
export const DEFAULT_RUN_WAIT_SECONDS = 60;
export const MAX_RUN_WAIT_SECONDS = 300;
const FIRST_POLL_MS = 250;
const MAX_POLL_MS = 2_000;
const FINAL_STATUSES = new Set(['succeeded', 'failed', 'denied', 'timed_out']);
const NOT_RUN_STATUSES = new Set(['denied', 'timed_out']);
/** Output shown inline in a tool result; the rest stays in the artifact store (get_artifact). */
const INLINE_OUTPUT_CHARS = 16_384;

/** The operations the tools need; both the HTTP client and the in-server adapter provide them. */
export interface AirlockApiPort {
  startRun(body: HttpStartRunRequest, options?: { idempotencyKey?: string }): Promise<{ runId: string }>;
  getRun(runId: string): Promise<RunState>;
  listRuns(query?: HttpListRunsQuery): Promise<RunSummary[]>;
  /** `runId`: the run that produced it (agent tokens must give it). */
  getArtifact(sha256: string, runId?: string): Promise<HttpArtifact>;
}

export interface AirlockMcpOptions {
  api: AirlockApiPort;
  /** Where a person opens a run in the approval web UI (the API's base URL). */
  webUiBaseUrl: string;
  /** Agent name of runs started without one. */
  defaultAgent?: string;
  version?: string;
}

const RunCodeInput = {
  language: LanguageSchema.describe('python, node or bash'),
  code: z.string().min(1).describe('the program to run, as its source text'),
  task: z.string().max(500).optional().describe('what the code is for, shown to a human approver'),
  files: z.record(z.string(), z.string()).optional().describe('input files under /workspace: relative path → UTF-8 content'),
  allowHosts: z.array(z.string()).optional().describe('destinations the code may reach (HOST:PORT, *.DOMAIN:PORT); no network when absent'),
  timeoutSec: z.number().int().positive().optional().describe('wall-clock limit of the code, in seconds'),
  memoryMb: z.number().int().positive().optional().describe('memory limit of the code, in megabytes'),
  agent: z.string().optional().describe('agent the run belongs to'),
  waitSeconds: z
    .number()
    .int()
    .min(0)
    .max(MAX_RUN_WAIT_SECONDS)
    .optional()
    .describe(`how long to wait for the result before answering with the run id (default ${DEFAULT_RUN_WAIT_SECONDS})`),
  idempotencyKey: z.string().optional().describe('a retry with the same key returns the first run instead of starting another'),
};

/** Builds the MCP server with Airlock's tools registered. */
export function createAirlockMcpServer(options: AirlockMcpOptions): McpServer {
  const server = new McpServer({ name: 'airlock', version: options.version ?? '0.1.0' });
  const { api } = options;
  const runLink = (runId: string) => `${options.webUiBaseUrl.replace(/\/+$/, '')}/runs/${encodeURIComponent(runId)}`;

  server.registerTool(
    'run_code',
    {
      title: 'Run code in an Airlock sandbox',
      description:
        'Scores the code, gets it approved (automatically for low risk, by a human otherwise) and runs it in a ' +
        'locked-down container with no network unless allowHosts lists destinations. Returns the output, or the ' +
        'run id and a web UI link while a human has to approve it.',
      inputSchema: RunCodeInput,
    },
    (input) =>
      toolCall(async () => {
        const action = {
          language: input.language,
          code: input.code,
          ...(input.task !== undefined ? { task: input.task } : {}),
          ...(input.files !== undefined ? { files: input.files } : {}),
          ...(input.allowHosts !== undefined ? { network: { allow: input.allowHosts } } : {}),
          ...(input.timeoutSec !== undefined || input.memoryMb !== undefined
            ? { limits: { ...(input.timeoutSec !== undefined ? { timeoutSec: input.timeoutSec } : {}), ...(input.memoryMb !== undefined ? { memoryMb: input.memoryMb } : {}) } }
            : {}),
        };
        const { runId } = await api.startRun(
          { agent: input.agent ?? options.defaultAgent ?? 'mcp', closeWhenDone: true, actions: [action] },
          input.idempotencyKey !== undefined ? { idempotencyKey: input.idempotencyKey } : {},
        );
        const run = await waitForFirstAction(api, runId, (input.waitSeconds ?? DEFAULT_RUN_WAIT_SECONDS) * 1_000);
        return describeRunCode(run, runLink(runId));
      }),
  );

  server.registerTool(
    'get_run',
    {
      title: 'Get an Airlock run',
      description: 'The state of a run: each action with its risk, decisions and result.',
      inputSchema: { runId: z.string().min(1) },
    },
    ({ runId }) => toolCall(async () => jsonResult(summarizeRun(await api.getRun(runId), runLink(runId)))),
  );

  server.registerTool(
    'list_runs',
    {
      title: 'List Airlock runs',
      description: 'Runs, newest first; pending=true lists only runs with an action waiting for a human.',
      inputSchema: {
        status: z.enum(['running', 'awaiting_approval', 'completed', 'failed', 'closed']).optional(),
        pending: z.boolean().optional(),
        limit: z.number().int().min(1).max(500).optional(),
      },
    },
    (input) =>
      toolCall(async () =>
        jsonResult({
          runs: await api.listRuns({
            ...(input.status ? { status: input.status } : {}),
            ...(input.pending !== undefined ? { pending: input.pending ? 'true' : 'false' } : {}),
            ...(input.limit !== undefined ? { limit: input.limit } : {}),
          }),
        }),
      ),
  );

  server.registerTool(
    'get_artifact',
    {
      title: 'Get an Airlock artifact',
      description:
        'A stored output (full stdout or stderr, or an output file) by the sha256 a run reported, and the id of that ' +
        'run (an agent reads the artifacts of its own runs only).',
      inputSchema: { sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a lower-case hex sha256'), runId: z.string().min(1).optional() },
    },
    ({ sha256, runId }) => toolCall(async () => jsonResult(await api.getArtifact(sha256, runId))),
  );

  return server;
}

/** Runs a tool body; an expected failure (bad input, refusal, unreachable API) becomes a readable tool error. */
async function toolCall(body: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await body();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { isError: true, content: [{ type: 'text', text: `Airlock refused or failed: ${message}` }] };
  }
}

function jsonResult(value: unknown, isError = false): CallToolResult {
  return { ...(isError ? { isError } : {}), content: [{ type: 'text', text: JSON.stringify(value, null, 2) }] };
}

/**
 * Polls the run with a growing interval until its first action is final or waits for a human (then a person has to
 * act, so there is nothing more to wait for here), or the wait is over.
 */
async function waitForFirstAction(api: AirlockApiPort, runId: string, waitMs: number): Promise<RunState> {
  const deadline = Date.now() + waitMs;
  let interval = FIRST_POLL_MS;
  for (;;) {
    const run = await api.getRun(runId);
    const status = run.actions[0]?.status;
    if (status && (FINAL_STATUSES.has(status) || status === 'awaiting_approval')) return run;
    if (Date.now() + interval > deadline) return run;
    await sleep(interval);
    interval = Math.min(interval * 2, MAX_POLL_MS);
  }
}

function describeRunCode(run: RunState, link: string): CallToolResult {
  const action = run.actions[0];
  const summary = summarizeRun(run, link);
  if (!action) return jsonResult(summary);
  if (action.status === 'awaiting_approval') {
    return {
      content: [
        { type: 'text', text: `awaiting approval: run ${run.runId} (risk ${action.risk?.level ?? 'unknown'}) waits for a human; open ${link}` },
        { type: 'text', text: JSON.stringify(summary, null, 2) },
      ],
    };
  }
  if (NOT_RUN_STATUSES.has(action.status)) {
    const last = action.decisions.at(-1);
    const why = action.status === 'timed_out' ? 'nobody decided before the approval timeout' : `${last?.approver ?? 'policy'}${last?.reason ? `: ${last.reason}` : ''}`;
    return {
      isError: true,
      content: [
        { type: 'text', text: `${action.status === 'denied' ? 'denied' : 'timed out'}: the code did not run (${why})` },
        { type: 'text', text: JSON.stringify(summary, null, 2) },
      ],
    };
  }
  if (!FINAL_STATUSES.has(action.status)) {
    return {
      content: [
        { type: 'text', text: `still ${action.status}: ask again with get_run ${run.runId}; ${link}` },
        { type: 'text', text: JSON.stringify(summary, null, 2) },
      ],
    };
  }
  return jsonResult(summary);
}

/** What an agent needs of a run: statuses, risk, decisions, capped output; never the code it already has. */
function summarizeRun(run: RunState, link: string) {
  return {
    runId: run.runId,
    status: run.status,
    webUi: link,
    actions: run.actions.map((action) => summarizeAction(action)),
  };
}

function summarizeAction(action: ActionState) {
  const result = action.result;
  return {
    actionId: action.actionId,
    status: action.status,
    risk: action.risk ? { level: action.risk.level, score: action.risk.score, findings: action.risk.findings.map((f) => f.ruleId) } : undefined,
    decisions: action.decisions.map((d) => ({ decision: d.decision, approver: d.approver, channel: d.channel, reason: d.reason })),
    ...(action.approvalDeadline ? { approvalDeadline: action.approvalDeadline } : {}),
    ...(result
      ? {
          result: {
            exitCode: result.exitCode,
            timedOut: result.timedOut,
            oomKilled: result.oomKilled,
            stdout: inline(result.stdout),
            stderr: inline(result.stderr),
          },
        }
      : {}),
  };
}

function inline(output: { text: string; sha256?: string; truncated?: boolean; inlineComplete?: boolean } | undefined) {
  if (!output) return undefined;
  const cut = output.text.length > INLINE_OUTPUT_CHARS;
  return {
    text: cut ? output.text.slice(0, INLINE_OUTPUT_CHARS) : output.text,
    ...(cut || output.inlineComplete === false ? { complete: false, sha256: output.sha256 } : {}),
  };
}
