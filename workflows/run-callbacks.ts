/**
 * Pushes the run's events to its callback URL. Each new event (derived from the state by run-events.ts, so the ids
 * match the server-sent events) starts one deliverRunEvent child workflow that the run abandons: delivery is
 * retried by Temporal on its own schedule, never blocks or fails the run, and outlives the run's completion and
 * continue-as-new. The run waits only for the children to *start* (`drain`), which takes no receiver's time.
 */
import { ChildWorkflowCancellationType, log, ParentClosePolicy, patched, startChild } from '@temporalio/workflow';
import { callbackUrlRefusal } from '../policy/callback-url.js';
import type { PolicySnapshot } from '../schemas/policy.js';
import type { RunState } from '../schemas/run.js';
import { deliverRunEvent } from './deliver-run-event.js';
import { runEventPayload, runEvents, type RunEvent } from './run-events.js';

/** Runs with a callback URL schedule child workflows; histories from before never had one. */
export const RUN_CALLBACKS_PATCH = 'run-callbacks';

/**
 * The child workflow's id: unique per execution chain (the first execution id names the run), stable per event.
 * The run id is left out, so it never depends on anything but the history itself.
 */
export function deliveryWorkflowId(executionId: string, event: Pick<RunEvent, 'id' | 'runId'>): string {
  return `callback/${executionId}/${event.id.slice(event.runId.length + 1)}`;
}

export class RunCallbacks {
  private url: string | undefined;
  private readonly sent = new Set<string>();
  private readonly starting = new Set<Promise<void>>();

  constructor(private readonly executionId: string) {}

  /** True while a delivery workflow is still being started (continue-as-new waits for it). */
  get busy(): boolean {
    return this.starting.size > 0;
  }

  /**
   * Turns callbacks on once the policy is pinned: the URL must pass the pinned policy (whoever started the run, the
   * API or a client of Temporal). The events the state already shows were sent by the execution that carried them
   * over, so they count as sent.
   */
  enable(state: RunState, url: string | undefined, policy: PolicySnapshot): void {
    if (url === undefined) return;
    const refused = callbackUrlRefusal(url, policy.callbacks);
    state.callback = refused ? { url, refused } : { url };
    if (refused) {
      log.warn('callback URL refused by the pinned policy: no events will be pushed', { runId: state.runId, refused });
      return;
    }
    if (!patched(RUN_CALLBACKS_PATCH)) return;
    this.url = url;
    for (const event of runEvents(state)) this.sent.add(event.id);
  }

  /** Starts a delivery for every event of the state not yet sent. */
  publish(state: RunState): void {
    const url = this.url;
    if (url === undefined) return;
    for (const event of runEvents(state)) {
      if (this.sent.has(event.id)) continue;
      this.sent.add(event.id);
      const task: Promise<void> = startChild(deliverRunEvent, {
        workflowId: deliveryWorkflowId(this.executionId, event),
        args: [{ url, deliveryId: event.id, type: event.type, payload: runEventPayload(event) }],
        // The run neither waits for nor cancels a delivery: a down receiver gets the event later, on its own time.
        parentClosePolicy: ParentClosePolicy.ABANDON,
        cancellationType: ChildWorkflowCancellationType.ABANDON,
      })
        .then(
          () => undefined,
          (err: unknown) => log.warn('callback delivery could not be started', { runId: state.runId, deliveryId: event.id, error: String(err) }),
        )
        .finally(() => this.starting.delete(task));
      this.starting.add(task);
    }
  }

  /** Waits until every delivery started so far (and any started meanwhile) has its workflow. */
  async drain(): Promise<void> {
    while (this.starting.size > 0) await Promise.allSettled([...this.starting]);
  }
}
