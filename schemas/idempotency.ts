import { z } from 'zod';

/**
 * A client's name for one request, so that a retried request (a timeout, a dropped connection, a crashed caller)
 * returns what the first one did instead of starting a second run or submitting a second action. Printable ASCII
 * without spaces, as HTTP headers carry it.
 */
export const IdempotencyKeySchema = z
  .string()
  .min(1, 'an idempotency key must not be empty')
  .max(200, 'an idempotency key has at most 200 characters')
  .regex(/^[\x21-\x7e]+$/, 'an idempotency key is printable ASCII without spaces');
export type IdempotencyKey = z.infer<typeof IdempotencyKeySchema>;
