/**
 * The seccomp profile of every sandbox container, passed to Docker as the container's `seccomp` security option,
 * so the engine's runtime installs it for the container's first process and for every exec (the code, the input
 * and output helpers): nothing in a sandbox runs without it. Under gVisor, runsc applies it inside its own kernel
 * (the runtime is registered with `--oci-seccomp`, see workers/setup/ensure-runsc.ts).
 *
 * An allowlist: what an unprivileged interpreter (python3, node, bash and what they run) needs, and nothing that
 * only matters to a privileged or debugging process. Left out on purpose, beyond Docker's default: ptrace and
 * process_vm_*, kcmp, pidfd_getfd, perf_event_open, userfaultfd, io_uring, bpf, the keyring calls, every
 * namespace call (unshare, setns, namespace flags of clone), the mount API, open_by_handle_at, fanotify,
 * personality changes other than the harmless ones, 32-bit and x32 system calls.
 */

/** clone3(2) passes its flags in memory a filter cannot read: refused with ENOSYS, so libc falls back to clone. */
export const CLONE3_NR = 435;
/**
 * Namespace flags of clone(2): CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET and NEWTIME. Any of
 * them set is refused, so a thread or process may be created but never a namespace.
 */
export const CLONE_NAMESPACE_FLAGS = 0x7e020080;

/** System calls allowed with any arguments. */
export const ALLOWED_SYSCALLS: readonly string[] = [
  // files and descriptors
  'access', 'faccessat', 'faccessat2', 'open', 'openat', 'openat2', 'creat', 'close', 'close_range', 'read', 'readv',
  'pread64', 'preadv', 'preadv2', 'write', 'writev', 'pwrite64', 'pwritev', 'pwritev2', 'lseek', 'dup', 'dup2',
  'dup3', 'fcntl', 'flock', 'fsync', 'fdatasync', 'sync', 'syncfs', 'sync_file_range', 'truncate', 'ftruncate',
  'fallocate', 'fadvise64', 'readahead', 'stat', 'fstat', 'lstat', 'newfstatat', 'statx', 'statfs', 'fstatfs',
  'getdents', 'getdents64', 'getcwd', 'chdir', 'fchdir', 'mkdir', 'mkdirat', 'rmdir', 'rename', 'renameat',
  'renameat2', 'link', 'linkat', 'unlink', 'unlinkat', 'symlink', 'symlinkat', 'readlink', 'readlinkat', 'chmod',
  'fchmod', 'fchmodat', 'fchmodat2', 'chown', 'fchown', 'fchownat', 'lchown', 'umask', 'utime', 'utimes',
  'utimensat', 'futimesat', 'mknod', 'mknodat', 'getxattr', 'lgetxattr', 'fgetxattr', 'listxattr', 'llistxattr',
  'flistxattr', 'setxattr', 'lsetxattr', 'fsetxattr', 'removexattr', 'lremovexattr', 'fremovexattr', 'ioctl',
  'sendfile', 'splice', 'tee', 'vmsplice', 'copy_file_range', 'pipe', 'pipe2', 'memfd_create',
  'inotify_init', 'inotify_init1', 'inotify_add_watch', 'inotify_rm_watch',
  // polling, events, timers
  'select', 'pselect6', 'poll', 'ppoll', 'epoll_create', 'epoll_create1', 'epoll_ctl', 'epoll_wait', 'epoll_pwait',
  'epoll_pwait2', 'eventfd', 'eventfd2', 'signalfd', 'signalfd4', 'timerfd_create', 'timerfd_settime',
  'timerfd_gettime', 'timer_create', 'timer_settime', 'timer_gettime', 'timer_getoverrun', 'timer_delete',
  'alarm', 'getitimer', 'setitimer', 'nanosleep', 'clock_nanosleep', 'clock_gettime', 'clock_getres',
  'gettimeofday', 'time', 'times', 'pause',
  // asynchronous I/O (the old interface; io_uring stays out)
  'io_setup', 'io_destroy', 'io_submit', 'io_cancel', 'io_getevents', 'io_pgetevents',
  // memory
  'brk', 'mmap', 'munmap', 'mremap', 'mprotect', 'madvise', 'mincore', 'msync', 'mlock', 'mlock2', 'munlock',
  'mlockall', 'munlockall', 'remap_file_pages', 'membarrier', 'get_mempolicy', 'set_mempolicy', 'mbind',
  'pkey_alloc', 'pkey_free', 'pkey_mprotect',
  // processes and threads (clone is below, with its flags checked)
  'fork', 'vfork', 'execve', 'execveat', 'exit', 'exit_group', 'wait4', 'waitid', 'kill', 'tkill', 'tgkill',
  'getpid', 'getppid', 'gettid', 'getpgid', 'setpgid', 'getpgrp', 'getsid', 'setsid', 'getuid', 'geteuid', 'getgid',
  'getegid', 'getresuid', 'getresgid', 'getgroups', 'setuid', 'setgid', 'setreuid', 'setregid', 'setresuid',
  'setresgid', 'setgroups', 'setfsuid', 'setfsgid', 'capget', 'capset', 'prctl', 'arch_prctl', 'seccomp',
  'set_tid_address', 'set_robust_list', 'get_robust_list', 'futex', 'futex_waitv', 'rseq', 'restart_syscall',
  'getrlimit', 'setrlimit', 'prlimit64', 'getrusage', 'getpriority', 'setpriority', 'sched_yield',
  'sched_getaffinity', 'sched_setaffinity', 'sched_getparam', 'sched_setparam', 'sched_getscheduler',
  'sched_setscheduler', 'sched_getattr', 'sched_setattr', 'sched_get_priority_max', 'sched_get_priority_min',
  'sched_rr_get_interval', 'ioprio_get', 'ioprio_set', 'getcpu', 'getrandom', 'uname', 'sysinfo',
  'get_thread_area', 'set_thread_area', 'pidfd_open', 'pidfd_send_signal',
  // signals
  'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'rt_sigpending', 'rt_sigsuspend', 'rt_sigtimedwait',
  'rt_sigqueueinfo', 'rt_tgsigqueueinfo', 'sigaltstack',
  // sockets (what a socket may reach is the network's business: none, or the egress proxy)
  'socketpair', 'bind', 'listen', 'accept', 'accept4', 'connect', 'getsockname', 'getpeername', 'getsockopt',
  'setsockopt', 'shutdown', 'sendto', 'sendmsg', 'sendmmsg', 'recvfrom', 'recvmsg', 'recvmmsg',
  // System V and POSIX IPC (private to the container: IpcMode private)
  'shmget', 'shmat', 'shmdt', 'shmctl', 'semget', 'semop', 'semtimedop', 'semctl', 'msgget', 'msgsnd', 'msgrcv',
  'msgctl', 'mq_open', 'mq_unlink', 'mq_timedsend', 'mq_timedreceive', 'mq_notify', 'mq_getsetattr',
];

/** personality(2) values that change nothing that matters (query, Linux, with ADDR_NO_RANDOMIZE and friends). */
export const PERSONALITIES: readonly number[] = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];
export const AF_VSOCK = 40;
const ENOSYS = 38;

/** A Docker seccomp profile (the JSON Docker reads from `--security-opt seccomp=`). */
export interface SeccompProfile {
  defaultAction: string;
  archMap: { architecture: string; subArchitectures: string[] }[];
  syscalls: {
    names: string[];
    action: string;
    errnoRet?: number;
    args?: { index: number; value: number; valueTwo?: number; op: string }[];
  }[];
}

/** Builds the profile. Pure; the default action refuses with EPERM whatever is not listed. */
export function sandboxSeccompProfile(): SeccompProfile {
  return {
    defaultAction: 'SCMP_ACT_ERRNO',
    // No sub-architectures: 32-bit and x32 calls match no rule, so they are refused.
    archMap: [
      { architecture: 'SCMP_ARCH_X86_64', subArchitectures: [] },
      { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: [] },
    ],
    syscalls: [
      { names: [...ALLOWED_SYSCALLS], action: 'SCMP_ACT_ALLOW' },
      // Threads and processes, but no namespace flag.
      {
        names: ['clone'],
        action: 'SCMP_ACT_ALLOW',
        args: [{ index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
      },
      // Its flags are out of a filter's reach: ENOSYS makes libc use clone instead.
      { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS },
      // Every socket family but vsock (a way to the hypervisor's host).
      { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: AF_VSOCK, op: 'SCMP_CMP_NE' }] },
      ...PERSONALITIES.map((value) => ({
        names: ['personality'],
        action: 'SCMP_ACT_ALLOW',
        args: [{ index: 0, value, op: 'SCMP_CMP_EQ' }],
      })),
    ],
  };
}

