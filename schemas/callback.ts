import { z } from 'zod';
import { parseDenyEntry } from './network.js';

/**
 * Run events pushed to an agent service: the run's callback URL (given at start) and what the policy allows of it.
 * The URL's shape is checked here; whether its host may be called is the policy's (policy/callback-url.ts).
 */

/** Longest callback URL accepted: it travels in history with every delivery. */
export const MAX_CALLBACK_URL_LENGTH = 2_048;

/** Why a callback URL is malformed (scheme, credentials, fragment), or undefined when its shape is fine. */
export function callbackUrlShapeProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `"${text}" is not an absolute URL`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `the callback URL must use https (or http where the policy allows it), not ${url.protocol.replace(/:$/, '')}`;
  // Credentials in a URL end up in history and logs; the deployment's secret signs deliveries instead.
  if (url.username !== '' || url.password !== '') return 'the callback URL must not carry a user name or password: deliveries are signed with the deployment secret instead';
  if (url.hash !== '') return 'the callback URL must not have a #fragment';
  return undefined;
}

/** A run's callback URL as a client gives it: absolute http(s), no credentials, no fragment. */
export const CallbackUrlSchema = z
  .string()
  .max(MAX_CALLBACK_URL_LENGTH, `the callback URL must be at most ${MAX_CALLBACK_URL_LENGTH} characters`)
  .describe('where the run POSTs its events (action.awaiting_approval, action.decided, action.finished, run.closed), signed with HMAC-SHA256')
  .superRefine((text, ctx) => {
    const problem = callbackUrlShapeProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/**
 * What the policy allows of callbacks. Without `allowHosts` no run may have a callback URL: an agent must not be
 * able to make the workers call an address of the admin's network it picked itself.
 */
export const CallbackPolicySchema = z.object({
  /** Hosts callbacks may go to: `host`, `host:port`, `*.domain[:port]`, `ip[:port]`, `[ipv6][:port]`. */
  allowHosts: z
    .array(
      z.string().superRefine((text, ctx) => {
        const parsed = parseDenyEntry(text);
        if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: `callbacks.allowHosts: ${parsed}` });
      }),
    )
    .max(64),
  /** Plain http to listed hosts other than loopback (which may always use it); https only when false. */
  allowHttp: z.boolean().default(false),
});
export type CallbackPolicy = z.infer<typeof CallbackPolicySchema>;

export const RUN_EVENT_TYPES = ['action.awaiting_approval', 'action.decided', 'action.finished', 'run.closed'] as const;
export type RunEventType = (typeof RUN_EVENT_TYPES)[number];

/** One event on its way to a callback URL (all of it is in history: the URL and the event, never the secret). */
export interface RunEventDelivery {
  url: string;
  /** The event id (`<runId>/<actionId>/<kind>`): the same on every attempt, so receivers drop duplicates by it. */
  deliveryId: string;
  type: RunEventType;
  payload: Record<string, unknown>;
}

/** Failures no retry can fix: the receiver refused the event, or the URL or secret is not allowed/configured. */
export const CALLBACK_PERMANENT_FAILURES = ['CallbackRejected', 'CallbackRefused', 'CallbackNotConfigured'] as const;
export type CallbackPermanentFailure = (typeof CALLBACK_PERMANENT_FAILURES)[number];
