import type { ContainerCreateOptions } from 'dockerode';
import type { ExecutionRequest } from '../schemas/execution.js';
import { CODE_DIR, LANGUAGE_ENTRYPOINTS } from './language-entrypoints.js';

/** The unprivileged `nobody:nogroup` identity every sandbox runs as. */
export const SANDBOX_UID = 65534;
export const SANDBOX_GID = 65534;
export const WORKSPACE_DIR = '/workspace';

const MIB = 1024 * 1024;
/** Size caps of the two writable places; tmpfs pages also count against the memory limit. */
export const TMP_SIZE_BYTES = 64 * MIB;
export const WORKSPACE_SIZE_BYTES = 64 * MIB;
/** Largest single file the code may write (RLIMIT_FSIZE), matching the tmpfs caps. */
export const MAX_FILE_BYTES = 64 * MIB;
export const MAX_OPEN_FILES = 1024;
/**
 * RLIMIT_NPROC counts every process of the uid on the whole host, and all sandboxes share uid 65534, so this is
 * only a host-wide backstop against fork bombs; the per-container bound is PidsLimit.
 */
export const MAX_PROCESSES_PER_UID = 4096;

/** The only environment the code sees: nothing from the worker's environment leaks in. */
export const SANDBOX_ENV: readonly string[] = [
  'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  'HOME=/tmp',
  'LANG=C.UTF-8',
];

export interface ContainerSpecInput {
  request: ExecutionRequest;
  image: string;
  name: string;
  /** Random per execution, so code cannot learn anything about the worker host from it. */
  hostname: string;
  /** Applied to the container and its code volume. */
  labels: Record<string, string>;
  /** OCI runtime (e.g. `runsc`); the engine's default when absent. */
  runtime?: string;
}

/**
 * Builds the create options for one execution's container: hardened defaults that hold for every run, sized by
 * the request's resolved limits. Pure, so every hardening field can be asserted by a unit test.
 */
export function buildContainerSpec(input: ContainerSpecInput): ContainerCreateOptions {
  const { request, image, name, hostname, labels } = input;
  const { limits } = request;
  const memoryBytes = limits.memoryMb * MIB;
  return {
    name,
    Image: image,
    Cmd: [...LANGUAGE_ENTRYPOINTS[request.language].command],
    Entrypoint: [],
    Env: [...SANDBOX_ENV],
    User: `${SANDBOX_UID}:${SANDBOX_GID}`,
    WorkingDir: WORKSPACE_DIR,
    Hostname: hostname,
    Labels: { ...labels },
    NetworkDisabled: true,
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    OpenStdin: false,
    Tty: false,
    HostConfig: {
      NetworkMode: 'none',
      CapDrop: ['ALL'],
      CapAdd: [],
      SecurityOpt: ['no-new-privileges'],
      Privileged: false,
      ReadonlyRootfs: true,
      Init: true,
      IpcMode: 'private',
      PidsLimit: limits.pids,
      Memory: memoryBytes,
      // Equal to Memory: no swap, so the memory limit is a real limit.
      MemorySwap: memoryBytes,
      NanoCpus: Math.round(limits.cpus * 1e9),
      Ulimits: [
        { Name: 'nofile', Soft: MAX_OPEN_FILES, Hard: MAX_OPEN_FILES },
        { Name: 'fsize', Soft: MAX_FILE_BYTES, Hard: MAX_FILE_BYTES },
        { Name: 'nproc', Soft: MAX_PROCESSES_PER_UID, Hard: MAX_PROCESSES_PER_UID },
      ],
      Tmpfs: {
        '/tmp': `rw,nosuid,nodev,size=${TMP_SIZE_BYTES},mode=1777`,
        [WORKSPACE_DIR]: `rw,nosuid,nodev,size=${WORKSPACE_SIZE_BYTES},uid=${SANDBOX_UID},gid=${SANDBOX_GID},mode=0700`,
      },
      // Docker refuses put-archive into a read-only root or a tmpfs, so the code arrives in an anonymous volume
      // (root-owned, so the code cannot change its own source). It is removed together with the container.
      Mounts: [
        {
          Type: 'volume',
          Source: '', // empty: an anonymous volume, removed with the container (`remove({ v: true })`)
          Target: CODE_DIR,
          VolumeOptions: { NoCopy: true, Labels: { ...labels }, DriverConfig: { Name: 'local', Options: {} } },
        },
      ],
      Binds: [],
      Devices: [],
      // Airlock captures and caps the output itself; the engine keeps no copy on disk.
      LogConfig: { Type: 'none', Config: {} },
      RestartPolicy: { Name: 'no' },
      AutoRemove: false,
      ...(input.runtime ? { Runtime: input.runtime } : {}),
    },
  };
}
