/**
 * Labels mark every container and volume Airlock creates, so that strays left by a crashed worker can be found
 * and removed by the reaper without touching anything else on the Docker host.
 */
import { isWorkerInstanceId } from './worker-instance.js';

export const LABELS = {
  /** Present (value `true`) on everything Airlock created. */
  managed: 'dev.airlock.managed',
  runId: 'dev.airlock.run-id',
  actionId: 'dev.airlock.action-id',
  /**
   * The worker instance that owns the object (see worker-instance.ts); the reaper checks its lease. Objects created
   * before instance ids carry `host:pid`, checked by process id as before.
   */
  owner: 'dev.airlock.owner',
  /** Epoch milliseconds after which the object is certainly abandoned, whoever owns it. */
  deadline: 'dev.airlock.deadline',
  /** The activity attempt the container belongs to (containers only; absent on ones created before attempts). */
  attempt: 'dev.airlock.attempt',
  /** The container's own uid (containers only): another worker on the host does not hand it out again. */
  uid: 'dev.airlock.uid',
} as const;

/** Filter value for `docker ps`/`volume ls` that selects everything Airlock manages. */
export const MANAGED_LABEL_FILTER = `${LABELS.managed}=true`;

/** The owner, as written into the owner label: a worker instance id, or (older objects) `host:pid`. */
export type LabelOwner = { instance: string } | { host: string; pid: number };

/** Formats the owner label value. */
export function formatOwner(owner: LabelOwner): string {
  return 'instance' in owner ? owner.instance : `${owner.host}:${owner.pid}`;
}

/** Parses an owner label value; undefined when it is neither an instance id nor `host:pid`. */
export function parseOwner(value: string | undefined): LabelOwner | undefined {
  if (!value) return undefined;
  if (isWorkerInstanceId(value)) return { instance: value };
  const at = value.lastIndexOf(':');
  if (at <= 0) return undefined;
  const pid = Number(value.slice(at + 1));
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return { host: value.slice(0, at), pid };
}

/** Parses a deadline label value; undefined when missing or not a number. */
export function parseDeadline(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = Number(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The full label set for one execution's container and volume. */
export function sandboxLabels(input: {
  runId: string;
  actionId: string;
  owner: LabelOwner;
  deadlineMs: number;
}): Record<string, string> {
  return {
    [LABELS.managed]: 'true',
    [LABELS.runId]: input.runId,
    [LABELS.actionId]: input.actionId,
    [LABELS.owner]: formatOwner(input.owner),
    [LABELS.deadline]: String(Math.ceil(input.deadlineMs)),
  };
}
