import { randomBytes } from 'node:crypto';
import { finished } from 'node:stream/promises';
import { Writable } from 'node:stream';
import type Docker from 'dockerode';
import type { ResolvedLimits } from '../../schemas/action.js';
import { buildContainerSpec, launched } from '../container-spec.js';
import { CODE_DIR } from '../language-entrypoints.js';
import { formatOwner, LABELS, type LabelOwner } from '../labels.js';
import { rootOwnedTar } from '../root-owned-tar.js';
import { LAUNCHER_FILE_NAME, SECCOMP_LAUNCHER_SOURCE } from '../seccomp-launcher.js';
import { HELPER_FILE_NAME, WORKSPACE_HELPER_SOURCE } from '../workspace-helper.js';
import { MAX_POOLED_TIMEOUT_SEC, poolClassTag, type PoolClass } from './pool-class.js';
import { ZYGOTE_FILE_NAME, ZYGOTE_READY, ZYGOTE_SOURCE } from './zygote-source.js';

/** Label of pooled containers: the class tag, so a reader of `docker ps` sees which pool a container is in. */
export const POOL_LABEL = 'dev.airlock.pool';
/** After the wall-clock limit, how long the zygote waits before it kills everything itself (the worker acts first). */
export const ZYGOTE_GRACE_SEC = 5;
/** Added to the label deadline, as for cold containers: after that the reaper may remove it whoever owns it. */
const DEADLINE_GRACE_MS = 5 * 60_000;
/** A zygote that is not loaded within this time is given up (the engine or the host is overloaded). */
const READY_TIMEOUT_MS = 30_000;
const CODE_FILE_MODE = 0o444;

/** Where a pooled container's output goes: the ready watcher while idle, the execution's collectors once leased. */
export interface OutputRoute {
  stdout: (chunk: Buffer) => void;
  stderr: (chunk: Buffer) => void;
}

/** One started, hardened container whose zygote waits on stdin; used for one execution, then destroyed. */
export interface WarmContainer {
  id: string;
  name: string;
  uid: number;
  poolClass: PoolClass;
  container: Docker.Container;
  /** The attach connection: stdin of the zygote, and its multiplexed stdout and stderr. */
  stream: NodeJS.ReadWriteStream & { destroy(): void };
  route: OutputRoute;
  /** Settles when the attach stream ends: the container stopped (or the engine dropped the connection). */
  ended: Promise<void>;
  createdAt: number;
  /** When the zygote exits by itself if nothing arrives. */
  idleUntil: number;
}

/** The labels of a pooled container: managed, owned and deadlined like any other, plus its pool and uid. */
export function pooledLabels(input: { owner: LabelOwner; deadlineMs: number; poolClass: PoolClass; uid: number }): Record<string, string> {
  return {
    [LABELS.managed]: 'true',
    [LABELS.owner]: formatOwner(input.owner),
    [LABELS.deadline]: String(Math.ceil(input.deadlineMs)),
    [LABELS.uid]: String(input.uid),
    [POOL_LABEL]: poolClassTag(input.poolClass),
  };
}

/** Create options of a pooled container: the cold spec for the class's limits, with the zygote as main process. */
export function warmContainerSpec(input: {
  poolClass: PoolClass;
  uid: number;
  name: string;
  labels: Record<string, string>;
  idleSec: number;
}): Docker.ContainerCreateOptions {
  const { poolClass } = input;
  const limits: ResolvedLimits = {
    timeoutSec: MAX_POOLED_TIMEOUT_SEC,
    memoryMb: poolClass.memoryMb,
    cpus: poolClass.cpus,
    pids: poolClass.pids,
    outputBytes: 1024,
  };
  const spec = buildContainerSpec({
    // Only the limits and the network shape the container; the code arrives later, on stdin.
    request: { runId: 'pool', actionId: 'pool', language: 'python', code: '', limits },
    image: poolClass.imageId,
    uid: input.uid,
    name: input.name,
    hostname: `sbx-${randomBytes(6).toString('hex')}`,
    labels: input.labels,
    ...(poolClass.runtime ? { runtime: poolClass.runtime } : {}),
    isolation: poolClass.isolation,
  });
  return {
    ...spec,
    Cmd: launched(['python3', `${CODE_DIR}/${ZYGOTE_FILE_NAME}`, String(input.idleSec), String(ZYGOTE_GRACE_SEC)]),
    // stdin stays open while the worker holds the attach, and closes for good when it lets go (or dies).
    OpenStdin: true,
    StdinOnce: true,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
  };
}

/** The pooled container's code folder: the launcher, the workspace helper (output collection) and the zygote. */
export function warmCodeArchive(): Promise<Buffer> {
  return rootOwnedTar(
    [
      [LAUNCHER_FILE_NAME, SECCOMP_LAUNCHER_SOURCE],
      [HELPER_FILE_NAME, WORKSPACE_HELPER_SOURCE],
      [ZYGOTE_FILE_NAME, ZYGOTE_SOURCE],
    ].map(([name, text]) => ({ name: name!, body: Buffer.from(text!, 'utf8'), mode: CODE_FILE_MODE })),
  );
}

function routed(route: OutputRoute, which: keyof OutputRoute): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      route[which](chunk);
      callback();
    },
  });
}

/** The zygote stopped before it said it was ready; stderr says why. */
export class ZygoteStartError extends Error {
  override readonly name = 'ZygoteStartError';
}

/**
 * Creates, fills and starts one pooled container and waits until its zygote is loaded. On any failure the caller
 * removes the container by `name`.
 */
export async function startWarmContainer(input: {
  docker: Docker;
  poolClass: PoolClass;
  uid: number;
  owner: LabelOwner;
  idleSec: number;
  archive: Buffer;
}): Promise<WarmContainer> {
  const { docker, poolClass, uid } = input;
  const createdAt = Date.now();
  const name = `airlock-pool-${poolClassTag(poolClass)}-${randomBytes(6).toString('hex')}`;
  const labels = pooledLabels({
    owner: input.owner,
    deadlineMs: createdAt + (input.idleSec + MAX_POOLED_TIMEOUT_SEC + ZYGOTE_GRACE_SEC) * 1000 + DEADLINE_GRACE_MS,
    poolClass,
    uid,
  });
  const container = await docker.createContainer(warmContainerSpec({ poolClass, uid, name, labels, idleSec: input.idleSec }));
  await container.putArchive(input.archive, { path: CODE_DIR });
  const stream = (await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as WarmContainer['stream'];
  const ended = finished(stream).then(
    () => undefined,
    () => undefined,
  );
  let seen = Buffer.alloc(0);
  let errors = '';
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const route: OutputRoute = {
    stdout: (chunk) => {
      seen = Buffer.concat([seen, chunk]).subarray(0, ZYGOTE_READY.length);
      if (seen.toString('latin1') === ZYGOTE_READY) onReady();
    },
    stderr: (chunk) => {
      if (errors.length < 2048) errors += chunk.toString('utf8');
    },
  };
  docker.modem.demuxStream(stream, routed(route, 'stdout'), routed(route, 'stderr'));
  const warm: WarmContainer = { id: container.id, name, uid, poolClass, container, stream, route, ended, createdAt, idleUntil: 0 };
  await container.start();
  let timer: NodeJS.Timeout | undefined;
  try {
    const outcome = await Promise.race([
      ready.then(() => 'ready' as const),
      ended.then(() => 'ended' as const),
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), READY_TIMEOUT_MS))),
    ]);
    if (outcome !== 'ready') {
      stream.destroy();
      throw new ZygoteStartError(`the warm sandbox's zygote did not start (${outcome}): ${errors.trim().slice(-500) || 'no output'}`);
    }
  } finally {
    clearTimeout(timer);
  }
  // Idle from now on: whatever it prints while idle is dropped (it prints nothing).
  route.stdout = () => undefined;
  route.stderr = () => undefined;
  warm.idleUntil = Date.now() + input.idleSec * 1000;
  return warm;
}
