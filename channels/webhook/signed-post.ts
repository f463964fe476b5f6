/**
 * One signed JSON POST, shared by the approval webhook and the run callbacks: the body is signed with the shared
 * secret over timestamp and body (webhook-signature.ts), redirects are refused (a redirect could lead anywhere the
 * policy never listed), and the failure says whether a retry can help.
 */
import { ApplicationFailure } from '@temporalio/common';
import { signWebhook, WEBHOOK_HEADERS } from './webhook-signature.js';

const POST_TIMEOUT_MS = 10_000;

/** What is being posted: names the failure types (`WebhookUnreachable`, `CallbackRejected`, ...) and messages. */
export type SignedPostKind = 'webhook' | 'callback';

export type SignedPostFailureType = `${'Webhook' | 'Callback'}${'Unreachable' | 'Rejected' | 'Failed'}`;

function failureType(kind: SignedPostKind, outcome: 'Unreachable' | 'Rejected' | 'Failed'): SignedPostFailureType {
  return `${kind === 'webhook' ? 'Webhook' : 'Callback'}${outcome}`;
}

/**
 * POSTs `body` (JSON text) to `url` with the timestamp and signature headers and any `headers` given. Throws a
 * retryable ApplicationFailure when the receiver is unreachable or fails, a non-retryable one when it refuses.
 */
export async function postSignedJson(options: { kind: SignedPostKind; url: string; secret: string; body: string; headers?: Record<string, string> }): Promise<void> {
  const { kind, url, secret, body } = options;
  const timestamp = Math.floor(Date.now() / 1_000);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...options.headers,
        [WEBHOOK_HEADERS.timestamp]: String(timestamp),
        [WEBHOOK_HEADERS.signature]: signWebhook(secret, timestamp, body),
      },
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(POST_TIMEOUT_MS),
    });
  } catch (err) {
    throw ApplicationFailure.retryable(`${kind} ${url} unreachable: ${(err as Error).message}`, failureType(kind, 'Unreachable'));
  }
  await response.body?.cancel();
  if (response.ok) return;
  // A 4xx other than timeout/rate limit means the receiver refuses this delivery; retrying will not change that.
  const permanent = response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429;
  const message = `${kind} ${url} answered ${response.status}`;
  throw permanent ? ApplicationFailure.nonRetryable(message, failureType(kind, 'Rejected')) : ApplicationFailure.retryable(message, failureType(kind, 'Failed'));
}
