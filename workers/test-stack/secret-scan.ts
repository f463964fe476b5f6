import { randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';

/**
 * Canary secrets handed to every test process through its environment under names the redaction must cover. If
 * any of them shows up in what the tests print (logs included), something logged the environment or a secret.
 */
export function makeCanarySecrets(): Record<string, string> {
  const canary = () => `canary-${randomBytes(12).toString('hex')}`;
  return { AIRLOCK_CANARY_SECRET: canary(), AIRLOCK_CANARY_TOKEN: canary() };
}

/** Copies `from` to `to` while watching for any of `secrets`, also across chunk boundaries. */
export function teeWithSecretScan(from: Readable, to: Writable, secrets: readonly string[]): { leaked: () => string[] } {
  const found = new Set<string>();
  const overlap = Math.max(0, ...secrets.map((s) => s.length)) - 1;
  let tail = '';
  from.on('data', (chunk: Buffer) => {
    to.write(chunk);
    const text = tail + chunk.toString('utf8');
    for (const secret of secrets) if (text.includes(secret)) found.add(secret);
    tail = overlap > 0 ? text.slice(-overlap) : '';
  });
  return { leaked: () => [...found] };
}
