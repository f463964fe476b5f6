import type { Client, WorkflowHandle } from '@temporalio/client';
import type { ActionInput } from '../../schemas/action.js';
import type { ActionState, RunState, StartRunInput } from '../../schemas/run.js';
import { agentRun } from '../../workflows/agent-run.js';
import { getRunQuery } from '../../workflows/messages.js';
import { AGENT_ATTRIBUTE, AWAITING_APPROVAL_ATTRIBUTE, STATUS_ATTRIBUTE } from '../../workflows/search-attributes.js';
import { uniqueId } from './temporal.js';

/** Every run id this test process started, so leak checks look at their own containers only. */
export const startedRunIds = new Set<string>();

/** Starts an agentRun directly on the Temporal client (the SDK has tests of its own). */
export async function startRun(
  client: Client,
  taskQueue: string,
  input: Partial<StartRunInput> & { actions?: ActionInput[] },
  /** A prefix of the workflow id (unique ids are `<prefix>-<random>`); `run` by default. */
  idPrefix = 'run',
): Promise<WorkflowHandle<typeof agentRun>> {
  const agent = input.agent ?? 'test-agent';
  const handle = await client.workflow.start(agentRun, {
    taskQueue,
    workflowId: uniqueId(idPrefix),
    args: [{ agent, requester: 'alice', closeWhenDone: true, ...input }],
    typedSearchAttributes: [
      { key: AGENT_ATTRIBUTE, value: agent },
      { key: STATUS_ATTRIBUTE, value: 'running' },
      { key: AWAITING_APPROVAL_ATTRIBUTE, value: false },
    ],
  });
  startedRunIds.add(handle.workflowId);
  return handle;
}

/** Polls the run until `predicate` holds (bounded), returning the state that satisfied it. */
export async function waitForRun(
  handle: WorkflowHandle,
  predicate: (run: RunState) => boolean,
  timeoutMs = 30_000,
): Promise<RunState> {
  const deadline = Date.now() + timeoutMs;
  let last: RunState | undefined;
  while (Date.now() < deadline) {
    last = await handle.query(getRunQuery);
    if (predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`run ${handle.workflowId} did not reach the expected state; last: ${JSON.stringify(last?.actions.map((a) => a.status))}`);
}

export const actionIs = (actionId: string, status: ActionState['status']) => (run: RunState) =>
  run.actions.find((a) => a.actionId === actionId)?.status === status;
