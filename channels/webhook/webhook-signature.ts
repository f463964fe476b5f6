import { createHmac, timingSafeEqual } from 'node:crypto';

export const WEBHOOK_HEADERS = { timestamp: 'x-airlock-timestamp', signature: 'x-airlock-signature' } as const;
const SCHEME = 'v1';

/**
 * `v1=<hex>`: HMAC-SHA256 with the shared secret over `<timestamp>.<body>`. The timestamp (Unix seconds) is signed
 * so a receiver can refuse old deliveries and replays.
 */
export function signWebhook(secret: string, timestampSec: number, body: string): string {
  return `${SCHEME}=${createHmac('sha256', secret).update(`${timestampSec}.${body}`).digest('hex')}`;
}

/** The receiver's check, in constant time; exported for receivers written in TypeScript and for tests. */
export function verifyWebhookSignature(secret: string, timestampSec: number, body: string, signature: string): boolean {
  const expected = Buffer.from(signWebhook(secret, timestampSec, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
