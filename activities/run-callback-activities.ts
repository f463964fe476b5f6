/**
 * The run-event callback as an activity: one signed POST of one event to the run's callback URL. The secret is the
 * worker's (AIRLOCK_CALLBACK_SECRET), never in the workflow's input or history. The URL is checked again against
 * the policy in force, so a delivery workflow started by hand (anyone who can reach Temporal can start one) is no
 * way to make the worker call an address the admin never listed.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Logger } from 'pino';
import { postSignedJson } from '../channels/webhook/signed-post.js';
import { callbackUrlRefusal } from '../policy/callback-url.js';
import type { PolicySnapshot } from '../schemas/policy.js';
import type { CallbackPermanentFailure, RunEventDelivery } from '../schemas/callback.js';

/** Headers a receiver reads besides the signature and timestamp (webhook-signature.ts). */
export const CALLBACK_HEADERS = { deliveryId: 'x-airlock-delivery', event: 'x-airlock-event' } as const;

export interface RunCallbackDeps {
  logger: Logger;
  policy: () => PolicySnapshot;
  /** Signs every delivery; without it deliveries fail as not configured (no retry can fix that). */
  callbackSecret?: string;
}

function permanent(message: string, type: CallbackPermanentFailure): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, type);
}

export function createRunCallbackActivities(deps: RunCallbackDeps) {
  return {
    /** POSTs one run event; throws (retryable) while the receiver is down or failing. */
    async deliverRunCallback(input: RunEventDelivery): Promise<void> {
      const logger = deps.logger.child({ deliveryId: input.deliveryId, event: input.type });
      if (!deps.callbackSecret) throw permanent('run callbacks need AIRLOCK_CALLBACK_SECRET on the control worker', 'CallbackNotConfigured');
      const refused = callbackUrlRefusal(input.url, deps.policy().callbacks);
      if (refused) throw permanent(`callback URL refused: ${refused}`, 'CallbackRefused');
      await postSignedJson({
        kind: 'callback',
        url: input.url,
        secret: deps.callbackSecret,
        body: JSON.stringify(input.payload),
        headers: { [CALLBACK_HEADERS.deliveryId]: input.deliveryId, [CALLBACK_HEADERS.event]: input.type },
      });
      logger.info('run event delivered');
    },
  };
}
