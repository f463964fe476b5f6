/**
 * The deliverRunEvent workflow: one run event POSTed to the run's callback URL, retried by Temporal until the
 * receiver takes it or the retry bound runs out. It is a child of the run that the run abandons: the run never
 * waits for a receiver, and a delivery still being retried survives the run's completion and continue-as-new.
 */
import { ActivityFailure, ApplicationFailure, log, proxyActivities } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/index.js';
import { CALLBACK_PERMANENT_FAILURES, type RunEventDelivery } from '../schemas/callback.js';
import { describeFailure } from './describe-failure.js';

export interface RunEventDeliveryResult {
  deliveryId: string;
  delivered: boolean;
  /** Why the event was given up on (receiver refused it, URL refused, retries exhausted). */
  error?: string;
}

/**
 * Backoff from a second up to ten minutes, for at most a day: a receiver that is down for a while still gets the
 * event, and a delivery never retries forever. Activity retries add no history events.
 */
const delivery = proxyActivities<ControlActivities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '24 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 minutes', nonRetryableErrorTypes: [...CALLBACK_PERMANENT_FAILURES] },
});

export async function deliverRunEvent(input: RunEventDelivery): Promise<RunEventDeliveryResult> {
  try {
    await delivery.deliverRunCallback.executeWithOptions({ summary: `POST ${input.type} to the run's callback URL` }, [input]);
    return { deliveryId: input.deliveryId, delivered: true };
  } catch (err) {
    // The delivery gives up; the workflow completes normally so the outcome is plain in its result.
    if (!(err instanceof ActivityFailure) && !(err instanceof ApplicationFailure)) throw err;
    const error = describeFailure(err);
    log.warn('run event not delivered', { deliveryId: input.deliveryId, error });
    return { deliveryId: input.deliveryId, delivered: false, error };
  }
}
