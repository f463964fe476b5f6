import { createHash } from 'node:crypto';

const NAME_PREFIX = 'airlock';
/** Room for the readable part; the hash suffix keeps the full name unique and well under Docker's limits. */
const READABLE_PART_MAX = 48;
const HASH_CHARS = 12;

function sanitise(part: string): string {
  return part.replace(/[^a-zA-Z0-9_.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
}

/**
 * The container name of one attempt of one action: every activity attempt has its own, so a retry never takes over
 * (or kills) a container an earlier attempt may still be running, and a later attempt can find an earlier one's
 * container by name. Docker allows `[a-zA-Z0-9][a-zA-Z0-9_.-]*`; other characters are replaced, so a hash of the
 * raw ids keeps ids that sanitise alike apart.
 */
export function containerNameFor(runId: string, actionId: string, attempt = 1): string {
  const readable = sanitise(`${sanitise(runId)}-${sanitise(actionId)}`).slice(0, READABLE_PART_MAX);
  const hash = createHash('sha256').update(runId).update('\0').update(actionId).update('\0').update(String(attempt)).digest('hex').slice(0, HASH_CHARS);
  const suffix = `a${attempt}-${hash}`;
  return readable ? `${NAME_PREFIX}-${readable}-${suffix}` : `${NAME_PREFIX}-${suffix}`;
}
