import { randomBytes } from 'node:crypto';

/** Lowercase RFC 4648 base32 alphabet: no padding, no look-alike case issues in shells or URLs. */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const RANDOM_CHARS = 12;

/** A fresh run id (`run-` + 12 random base32 characters, 60 bits); the run id is the workflow id. */
export function generateRunId(): string {
  // 32 divides 256, so taking each byte modulo 32 keeps every character equally likely.
  const bytes = randomBytes(RANDOM_CHARS);
  let suffix = '';
  for (const byte of bytes) suffix += ALPHABET[byte % ALPHABET.length];
  return `run-${suffix}`;
}
