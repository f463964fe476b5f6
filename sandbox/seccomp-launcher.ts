import { AF_VSOCK, ALLOWED_SYSCALLS, CLONE3_NR, CLONE_NAMESPACE_FLAGS, PERSONALITIES } from './seccomp-profile.js';
import { SYSCALL_NUMBERS } from './syscall-numbers.js';

/**
 * A second seccomp filter, stacked on the engine's default profile by a tiny launcher that then becomes the
 * program. Filters only ever add refusals, so the result is never weaker than the container's own profile
 * (seccomp-profile.ts, which Docker applies to every process of the container); the launcher repeats its core
 * refusals for the code's process tree (ptrace and process_vm_*, io_uring, device nodes, namespaces through
 * unshare and clone, the mount API) so that they hold even on an engine that ignored the container's profile.
 */

/** System calls refused with EPERM, by name, as numbered on each architecture the launcher knows. */
export const DENIED_SYSCALLS: Readonly<Record<string, { x86_64: number; aarch64: number }>> = {
  ptrace: { x86_64: 101, aarch64: 117 },
  process_vm_readv: { x86_64: 310, aarch64: 270 },
  process_vm_writev: { x86_64: 311, aarch64: 271 },
  kcmp: { x86_64: 312, aarch64: 272 },
  pidfd_getfd: { x86_64: 438, aarch64: 438 },
  perf_event_open: { x86_64: 298, aarch64: 241 },
  userfaultfd: { x86_64: 323, aarch64: 282 },
  io_uring_setup: { x86_64: 425, aarch64: 425 },
  io_uring_enter: { x86_64: 426, aarch64: 426 },
  io_uring_register: { x86_64: 427, aarch64: 427 },
  bpf: { x86_64: 321, aarch64: 280 },
  keyctl: { x86_64: 250, aarch64: 219 },
  add_key: { x86_64: 248, aarch64: 217 },
  request_key: { x86_64: 249, aarch64: 218 },
  mount: { x86_64: 165, aarch64: 40 },
  umount2: { x86_64: 166, aarch64: 39 },
  pivot_root: { x86_64: 155, aarch64: 41 },
  chroot: { x86_64: 161, aarch64: 51 },
  open_tree: { x86_64: 428, aarch64: 428 },
  move_mount: { x86_64: 429, aarch64: 429 },
  fsopen: { x86_64: 430, aarch64: 430 },
  fsconfig: { x86_64: 431, aarch64: 431 },
  fsmount: { x86_64: 432, aarch64: 432 },
  fspick: { x86_64: 433, aarch64: 433 },
  mount_setattr: { x86_64: 442, aarch64: 442 },
  unshare: { x86_64: 272, aarch64: 97 },
  setns: { x86_64: 308, aarch64: 268 },
  open_by_handle_at: { x86_64: 304, aarch64: 265 },
  name_to_handle_at: { x86_64: 303, aarch64: 264 },
  kexec_load: { x86_64: 246, aarch64: 104 },
  kexec_file_load: { x86_64: 320, aarch64: 294 },
  init_module: { x86_64: 175, aarch64: 105 },
  finit_module: { x86_64: 313, aarch64: 273 },
  delete_module: { x86_64: 176, aarch64: 106 },
  reboot: { x86_64: 169, aarch64: 142 },
  swapon: { x86_64: 167, aarch64: 224 },
  swapoff: { x86_64: 168, aarch64: 225 },
  acct: { x86_64: 163, aarch64: 89 },
  syslog: { x86_64: 103, aarch64: 116 },
  quotactl: { x86_64: 179, aarch64: 60 },
  fanotify_init: { x86_64: 300, aarch64: 262 },
};

/** mknod-style calls, and which argument holds the mode: device nodes are refused, files and FIFOs are not. */
const MKNOD_CALLS = {
  x86_64: [
    { nr: 133, modeArg: 1 }, // mknod(path, mode, dev)
    { nr: 259, modeArg: 2 }, // mknodat(dirfd, path, mode, dev)
  ],
  aarch64: [{ nr: 33, modeArg: 2 }],
} as const;

type Arch = 'x86_64' | 'aarch64';

function numberOf(name: string, arch: Arch): number {
  const nr = SYSCALL_NUMBERS[name]?.[arch];
  if (nr === undefined) throw new Error(`no ${arch} number for ${name}`);
  return nr;
}

const AUDIT_ARCH = { x86_64: 0xc000003e, aarch64: 0xc00000b7 } as const;

/** File name of the launcher in the code folder. */
export const LAUNCHER_FILE_NAME = 'launch.py';

function table(arch: Arch): string {
  const denied = Object.values(DENIED_SYSCALLS).map((numbers) => numbers[arch]);
  const mknod = MKNOD_CALLS[arch].map((call) => `(${call.nr}, ${call.modeArg})`).join(', ');
  // The profile's allowlist, as this architecture numbers it (calls it does not have are left out).
  const allowed = ALLOWED_SYSCALLS.map((name) => SYSCALL_NUMBERS[name]?.[arch]).filter((nr): nr is number => nr !== undefined);
  const special = ['clone', 'personality', 'socket'].map((name) => numberOf(name, arch)).join(', ');
  return `'${arch}': (${AUDIT_ARCH[arch]}, [${denied.join(', ')}], [${mknod}], ${special}, [${allowed.join(', ')}])`;
}

/**
 * The launcher's source (Python: every sandbox image carries it). It builds a classic BPF program that is the
 * container profile again (seccomp-profile.ts), by number: the wrong architecture (32-bit or x32 calls on a 64-bit
 * host) and every denied number return EPERM; clone with a namespace flag, personality changes and vsock sockets
 * return EPERM, clone3 ENOSYS; mknod of a character or block device returns EPERM; the profile's allowlist is
 * allowed and everything else refused. gVisor (this runsc build) applies the container's profile to the first
 * process only, not to execs: the launcher is what puts every exec Airlock makes under the same rules there. An unknown architecture runs under the
 * engine's filter alone; a filter that cannot be installed stops the run (exit 126) rather than run without it.
 */
export const SECCOMP_LAUNCHER_SOURCE = `# Airlock launcher: stacks a stricter seccomp filter, then becomes the program (argv[1:]).
import ctypes, os, platform, sys
args = sys.argv[1:]
TABLES = {${table('x86_64')}, ${table('aarch64')}}
entry = TABLES.get(platform.machine())
if entry is not None:
    audit_arch, denied, mknods, clone_nr, personality_nr, socket_nr, allowed = entry
    LD_ABS, JEQ, JGE, AND, RET = 0x20, 0x15, 0x35, 0x54, 0x06
    ALLOW, EPERM, ENOSYS = 0x7fff0000, 0x00050001, 0x00050026
    S_IFMT, S_IFCHR, S_IFBLK = 0o170000, 0o020000, 0o060000
    prog = [(LD_ABS, 0, 0, 4), (JEQ, 1, 0, audit_arch), (RET, 0, 0, EPERM), (LD_ABS, 0, 0, 0)]
    if platform.machine() == 'x86_64':
        prog.append((JGE, 0, 1, 0x40000000))  # x32 system calls
        prog.append((RET, 0, 0, EPERM))
    for nr in denied:
        prog.append((JEQ, 0, 1, nr))
        prog.append((RET, 0, 0, EPERM))
    prog.append((JEQ, 0, 1, ${CLONE3_NR}))  # clone3: its flags are out of reach; ENOSYS makes libc use clone
    prog.append((RET, 0, 0, ENOSYS))
    prog.append((JEQ, 0, 5, clone_nr))
    prog.append((LD_ABS, 0, 0, 16))  # the low 32 bits of the flags (the namespace flags all live there)
    prog.append((AND, 0, 0, ${CLONE_NAMESPACE_FLAGS}))
    prog.append((JEQ, 1, 0, 0))
    prog.append((RET, 0, 0, EPERM))
    prog.append((RET, 0, 0, ALLOW))
    prog.append((JEQ, 0, ${PERSONALITIES.length + 3}, personality_nr))
    prog.append((LD_ABS, 0, 0, 16))
    for i, value in enumerate(${JSON.stringify(PERSONALITIES)}):
        prog.append((JEQ, ${PERSONALITIES.length} - i, 0, value))
    prog.append((RET, 0, 0, EPERM))
    prog.append((RET, 0, 0, ALLOW))
    prog.append((JEQ, 0, 4, socket_nr))
    prog.append((LD_ABS, 0, 0, 16))
    prog.append((JEQ, 0, 1, ${AF_VSOCK}))  # vsock: a way to the hypervisor's host
    prog.append((RET, 0, 0, EPERM))
    prog.append((RET, 0, 0, ALLOW))
    for nr, mode_arg in mknods:
        prog.append((JEQ, 0, 6, nr))
        prog.append((LD_ABS, 0, 0, 16 + 8 * mode_arg))
        prog.append((AND, 0, 0, S_IFMT))
        prog.append((JEQ, 2, 0, S_IFCHR))
        prog.append((JEQ, 1, 0, S_IFBLK))
        prog.append((RET, 0, 0, ALLOW))
        prog.append((RET, 0, 0, EPERM))
    for nr in allowed:
        prog.append((JEQ, 0, 1, nr))
        prog.append((RET, 0, 0, ALLOW))
    prog.append((RET, 0, 0, EPERM))
    class Filter(ctypes.Structure):
        _fields_ = [('code', ctypes.c_ushort), ('jt', ctypes.c_ubyte), ('jf', ctypes.c_ubyte), ('k', ctypes.c_uint)]
    class Program(ctypes.Structure):
        _fields_ = [('len', ctypes.c_ushort), ('filter', ctypes.POINTER(Filter))]
    filters = (Filter * len(prog))(*[Filter(*step) for step in prog])
    program = Program(len(prog), filters)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(38, 1, 0, 0, 0) != 0 or libc.prctl(22, 2, ctypes.byref(program), 0, 0) != 0:
        sys.stderr.write('airlock: could not install the seccomp filter (errno %d); not running\\n' % ctypes.get_errno())
        sys.exit(126)
os.execvp(args[0], args)
`;
