import type { ContainerCreateOptions } from 'dockerode';
import type { ExecutionRequest } from '../schemas/execution.js';
import { CODE_DIR, LANGUAGE_ENTRYPOINTS } from './language-entrypoints.js';
import { LAUNCHER_FILE_NAME } from './seccomp-launcher.js';
import { sandboxSeccompProfile } from './seccomp-profile.js';

export const WORKSPACE_DIR = '/workspace';

const MIB = 1024 * 1024;
/** Size caps of the two writable places; tmpfs pages also count against the memory limit. */
export const TMP_SIZE_BYTES = 64 * MIB;
export const WORKSPACE_SIZE_BYTES = 64 * MIB;
/** Largest single file the code may write (RLIMIT_FSIZE), matching the tmpfs caps. */
export const MAX_FILE_BYTES = 64 * MIB;
export const MAX_OPEN_FILES = 1024;
/**
 * /dev/shm (POSIX shared memory, Python's multiprocessing semaphores): a private tmpfs of this size, mounted by
 * Docker `nosuid,nodev,noexec`; its pages count against the memory limit like the other tmpfs mounts.
 */
export const SHM_SIZE_BYTES = 16 * MIB;
/**
 * Under gVisor the host cgroup counts the user-space kernel's own threads, which grow with the sandboxed processes;
 * a low host pids limit crashes the sandbox instead of refusing a fork. So the host limit gets headroom, and the
 * per-sandbox bound is RLIMIT_NPROC, which gVisor enforces inside its own kernel where only this sandbox's processes
 * exist.
 */
export const STRONG_HOST_PIDS_FLOOR = 1024;
export const STRONG_HOST_PIDS_PER_PROCESS = 8;

/**
 * Beyond the code's own limit, how long the container may live: input files go in before the code starts and
 * outputs come out after it ends (collection is capped at 30 s).
 */
export const CONTAINER_DEADLINE_MARGIN_SEC = 60;

/**
 * What the container itself runs: nothing but a process that keeps it up (under the init, which reaps orphans), and
 * only until the deadline. The code runs as an exec next to it, so that after the code ends the container, its
 * cgroup and its /workspace are still there to be measured and collected from. When that process ends the init
 * ends the container and every exec in it: a container whose worker died stops by itself at the deadline.
 */
export function idleCommand(timeoutSec: number): string[] {
  return ['sleep', String(Math.ceil(timeoutSec) + CONTAINER_DEADLINE_MARGIN_SEC)];
}

/**
 * Python as every helper runs it: isolated (`-I`: no environment variables, no user site, no script folder on the
 * path) and without `site` (`-S`), so nothing the code left in /tmp or /workspace (a `usercustomize.py`, a `.pth`
 * file) runs inside a helper before the launcher's filter is in place.
 */
export const HELPER_PYTHON: readonly string[] = ['python3', '-I', '-S'];

/** The environment helper execs add: a HOME that does not exist and cannot be created (read-only root). */
export const HELPER_ENV: readonly string[] = ['HOME=/nonexistent'];

/** Runs `command` under the seccomp launcher (started as an isolated Python). */
export function launched(command: readonly string[]): string[] {
  return [...HELPER_PYTHON, `${CODE_DIR}/${LAUNCHER_FILE_NAME}`, ...command];
}

/** The command that runs the code: the seccomp launcher, then the language's interpreter on the code file. */
export function codeCommand(language: ExecutionRequest['language']): string[] {
  return launched(LANGUAGE_ENTRYPOINTS[language].command);
}

/** `uid:gid` of a sandbox (the gid has the uid's number). */
export function sandboxUser(uid: number): string {
  return `${uid}:${uid}`;
}

/** The only environment the code sees: nothing from the worker's environment leaks in. */
export const SANDBOX_ENV: readonly string[] = [
  'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  'HOME=/tmp',
  'LANG=C.UTF-8',
];

export interface ContainerSpecInput {
  request: ExecutionRequest;
  /** The image id (`sha256:...`) the result records: the container is created from exactly that image. */
  image: string;
  /** This sandbox's own uid (and gid), from the worker's range: RLIMIT_NPROC is per uid. */
  uid: number;
  name: string;
  /** Random per execution, so code cannot learn anything about the worker host from it. */
  hostname: string;
  /** Applied to the container and its code volume. */
  labels: Record<string, string>;
  /** OCI runtime (e.g. `runsc`); the engine's default when absent. */
  runtime?: string;
  /** `strong` (gVisor) changes how the process count is bounded; `standard` when absent. */
  isolation?: 'standard' | 'strong';
  /** With an allowlist: the action's internal network and its egress proxy. Without: no network at all. */
  egress?: { networkName: string; proxyUrl: string; caCertPem?: string };
}

/** The action's CA certificate alone, and with the usual public roots: files in the read-only code folder. */
export const EGRESS_CA_FILE_NAME = 'airlock-egress-ca.pem';
export const EGRESS_CA_BUNDLE_FILE_NAME = 'airlock-egress-ca-bundle.pem';

/**
 * Where TLS clients look for trusted roots, pointed at the action's CA (the root filesystem is read-only, so the
 * image's own store cannot be changed): OpenSSL and Python (SSL_CERT_FILE), requests, curl, git, and Node (which
 * adds NODE_EXTRA_CA_CERTS to its bundled roots).
 */
export function egressCaEnv(): string[] {
  const bundle = `${CODE_DIR}/${EGRESS_CA_BUNDLE_FILE_NAME}`;
  return [
    `SSL_CERT_FILE=${bundle}`,
    `REQUESTS_CA_BUNDLE=${bundle}`,
    `CURL_CA_BUNDLE=${bundle}`,
    `GIT_SSL_CAINFO=${bundle}`,
    `NODE_EXTRA_CA_CERTS=${CODE_DIR}/${EGRESS_CA_FILE_NAME}`,
  ];
}

/**
 * Proxy settings for both spellings tools read; NO_PROXY empty so that nothing bypasses the proxy. Names are
 * resolved by the proxy, so the container needs no DNS.
 */
export function egressEnv(proxyUrl: string): string[] {
  return [
    `HTTP_PROXY=${proxyUrl}`,
    `HTTPS_PROXY=${proxyUrl}`,
    `http_proxy=${proxyUrl}`,
    `https_proxy=${proxyUrl}`,
    'NO_PROXY=',
    'no_proxy=',
  ];
}

/**
 * Network fields for an action with an allowlist. Docker's embedded DNS (127.0.0.11) serves every user-defined
 * network and forwards unknown names to the host's resolvers, even from internal networks on this engine version;
 * a loopback upstream makes it forward into the container's own namespace, where nothing answers.
 */
function egressNetworkFields(egress: { networkName: string }) {
  return {
    hostConfig: {
      NetworkMode: egress.networkName,
      Dns: ['127.0.0.1'],
      DnsSearch: [],
      // Fail a lookup at once instead of after the resolver's default retries.
      DnsOptions: ['timeout:1', 'attempts:1'],
      ExtraHosts: [],
    },
    networkingConfig: { EndpointsConfig: { [egress.networkName]: {} } },
  };
}

/**
 * Builds the create options for one execution's container: hardened defaults that hold for every run, sized by
 * the request's resolved limits. Pure, so every hardening field can be asserted by a unit test.
 */
export function buildContainerSpec(input: ContainerSpecInput): ContainerCreateOptions {
  const { request, image, name, hostname, labels } = input;
  const { limits } = request;
  const memoryBytes = limits.memoryMb * MIB;
  const strong = input.isolation === 'strong';
  // The uid is this sandbox's alone, so its process count is this sandbox's alone on both runtimes.
  const nproc = limits.pids;
  return {
    name,
    Image: image,
    Cmd: idleCommand(limits.timeoutSec),
    Entrypoint: [],
    Env: [
      ...SANDBOX_ENV,
      ...(input.egress ? egressEnv(input.egress.proxyUrl) : []),
      ...(input.egress?.caCertPem ? egressCaEnv() : []),
    ],
    User: sandboxUser(input.uid),
    WorkingDir: WORKSPACE_DIR,
    Hostname: hostname,
    Labels: { ...labels },
    NetworkDisabled: !input.egress,
    ...(input.egress ? { NetworkingConfig: egressNetworkFields(input.egress).networkingConfig } : {}),
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    OpenStdin: false,
    Tty: false,
    HostConfig: {
      NetworkMode: 'none',
      CapDrop: ['ALL'],
      CapAdd: [],
      // The profile covers every process of the container, execs included (seccomp-profile.ts).
      SecurityOpt: ['no-new-privileges', `seccomp=${JSON.stringify(sandboxSeccompProfile())}`],
      Privileged: false,
      ReadonlyRootfs: true,
      Init: true,
      IpcMode: 'private',
      PidsLimit: strong ? Math.max(STRONG_HOST_PIDS_FLOOR, limits.pids * STRONG_HOST_PIDS_PER_PROCESS) : limits.pids,
      Memory: memoryBytes,
      // Equal to Memory: no swap, so the memory limit is a real limit.
      MemorySwap: memoryBytes,
      NanoCpus: Math.round(limits.cpus * 1e9),
      Ulimits: [
        { Name: 'nofile', Soft: MAX_OPEN_FILES, Hard: MAX_OPEN_FILES },
        { Name: 'fsize', Soft: MAX_FILE_BYTES, Hard: MAX_FILE_BYTES },
        { Name: 'nproc', Soft: nproc, Hard: nproc },
        // No core dumps: a crash writes nothing anywhere.
        { Name: 'core', Soft: 0, Hard: 0 },
      ],
      // noexec: nothing written by the code runs as a program (interpreters still read scripts from there).
      Tmpfs: {
        '/tmp': `rw,noexec,nosuid,nodev,size=${TMP_SIZE_BYTES},mode=1777`,
        [WORKSPACE_DIR]: `rw,noexec,nosuid,nodev,size=${WORKSPACE_SIZE_BYTES},uid=${input.uid},gid=${input.uid},mode=0700`,
      },
      ShmSize: SHM_SIZE_BYTES,
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
      ...(input.egress ? egressNetworkFields(input.egress).hostConfig : {}),
    },
  };
}
