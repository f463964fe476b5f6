import { createHash } from 'node:crypto';

/** Lowercase RFC 4648 base32, as run ids use. */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
/** 20 characters of 5 bits: 100 bits of the hash, so two keys never meet by chance. */
const KEYED_RUN_ID_CHARS = 20;

/**
 * The run id a keyed start uses: derived from the requester and the key, so a retried start finds the run the
 * first one created (Temporal keeps one workflow per id). The requester is part of it so one principal's keys can
 * never name another principal's runs.
 */
export function runIdForIdempotencyKey(requester: string, key: string): string {
  const digest = createHash('sha256').update(`airlock-start\n${requester}\n${key}`).digest();
  let suffix = '';
  for (let i = 0; i < KEYED_RUN_ID_CHARS; i++) suffix += ALPHABET[digest[i]! % ALPHABET.length];
  return `run-${suffix}`;
}

/**
 * The update id a keyed submit uses. Temporal answers a second update with the same id in the same run with the
 * first one's outcome, without running it again.
 */
export function submitUpdateIdForIdempotencyKey(key: string): string {
  return `submit-${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}
