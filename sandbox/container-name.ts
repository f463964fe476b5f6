import { createHash } from 'node:crypto';

const NAME_PREFIX = 'airlock';
/** Room for the readable part; the hash suffix keeps the full name unique and well under Docker's limits. */
const READABLE_PART_MAX = 48;
const HASH_CHARS = 12;

function sanitise(part: string): string {
  return part.replace(/[^a-zA-Z0-9_.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
}

/**
 * The container name for one action, the same on every attempt: a retried activity finds (and removes) the
 * container of an earlier attempt, and two actions never share a name. Docker allows `[a-zA-Z0-9][a-zA-Z0-9_.-]*`;
 * other characters are replaced, so a hash of the raw ids keeps ids that sanitise alike apart.
 */
export function containerNameFor(runId: string, actionId: string): string {
  const readable = sanitise(`${sanitise(runId)}-${sanitise(actionId)}`).slice(0, READABLE_PART_MAX);
  const hash = createHash('sha256').update(runId).update('\0').update(actionId).digest('hex').slice(0, HASH_CHARS);
  return readable ? `${NAME_PREFIX}-${readable}-${hash}` : `${NAME_PREFIX}-${hash}`;
}
