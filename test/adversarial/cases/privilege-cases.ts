import assert from 'node:assert/strict';
import { DEFAULT_SANDBOX_UID_RANGE } from '../../../sandbox/uid-allocator.js';
import type { AdversarialCase } from '../support/adversarial-case.js';
import { assertRefused, PY_PROBE_PRELUDE, probeRecord } from '../support/python-probe.js';

/** One probe program: the operations named are attempted and must all be refused. */
function refusalCase(id: string, tries: string, body: string, names: readonly string[]): AdversarialCase {
  return {
    id,
    tries,
    async attack(ctx) {
      const result = await ctx.run({ language: 'python', code: `${PY_PROBE_PRELUDE}${body}\nreport()\n` });
      return assertRefused(probeRecord(result), names);
    },
  };
}

/** Privileges: the code is nobody, holds no capability, cannot gain one, and the dangerous system calls fail. */
export const PRIVILEGE_CASES: AdversarialCase[] = [
  {
    id: 'identity',
    tries: 'checks its uid, capabilities and no_new_privs',
    async attack(ctx) {
      const result = await ctx.run({
        language: 'python',
        code: `${PY_PROBE_PRELUDE}
status = dict(l.split(':', 1) for l in open('/proc/self/status').read().splitlines() if ':' in l)
caps = {k: status[k].strip() for k in ('CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb') if k in status}
report(uid=os.getuid(), euid=os.geteuid(), gid=os.getgid(), groups=os.getgroups(), caps=caps,
       no_new_privs=libc.prctl(39, 0, 0, 0, 0))
`,
      });
      const record = probeRecord(result);
      const caps = record.caps as Record<string, string>;
      // Each sandbox has its own uid from the worker's range (and the gid of the same number), never root or nobody.
      const uid = Number(record.uid);
      assert.ok(uid >= DEFAULT_SANDBOX_UID_RANGE.first && uid <= DEFAULT_SANDBOX_UID_RANGE.last, `uid ${uid} outside the sandbox range`);
      assert.equal(record.euid, uid);
      assert.equal(record.gid, uid);
      assert.equal(caps.CapEff, '0000000000000000');
      assert.equal(caps.CapPrm, '0000000000000000');
      assert.equal(record.no_new_privs, 1);
      return `own uid/gid ${uid} (range ${DEFAULT_SANDBOX_UID_RANGE.first}-${DEFAULT_SANDBOX_UID_RANGE.last}), CapEff ${caps.CapEff}, CapPrm ${caps.CapPrm}, CapBnd ${caps.CapBnd ?? 'n/a'}, NoNewPrivs 1`;
    },
  },
  {
    id: 'setuid-binary',
    tries: 'runs setuid-root programs (su, mount) to become root',
    async attack(ctx) {
      const result = await ctx.run({
        language: 'python',
        code: `${PY_PROBE_PRELUDE}
import subprocess
su = subprocess.Popen(['/usr/bin/su', '-c', 'id -u', 'root'], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
time.sleep(0.5)
try:
    uid_line = [l for l in open('/proc/%d/status' % su.pid).read().splitlines() if l.startswith('Uid:')][0]
except (OSError, IndexError):
    uid_line = 'exited'
out, err = su.communicate(b'\\n', timeout=10)
mnt = subprocess.run(['/usr/bin/mount', '-t', 'tmpfs', 'none', '/tmp'], capture_output=True)
report(su_uid_line=uid_line, su_exit=su.returncode, su_out=out.decode(errors='replace'), mount_exit=mnt.returncode,
       mount_err=mnt.stderr.decode(errors='replace').strip()[:120])
`,
      });
      const record = probeRecord(result);
      const uidLine = String(record.su_uid_line);
      if (uidLine !== 'exited') {
        assert.doesNotMatch(uidLine, /\b0\b/, `su ran with ${uidLine}`);
      }
      assert.notEqual(record.su_exit, 0, 'su must not succeed');
      assert.doesNotMatch(String(record.su_out), /^0$/m);
      assert.notEqual(record.mount_exit, 0, 'the setuid mount must not succeed');
      return `su kept ${uidLine.replace(/\s+/g, ' ')} and exited ${String(record.su_exit)}; mount exited ${String(record.mount_exit)} (${String(record.mount_err)})`;
    },
  },
  refusalCase(
    'mount',
    'mounts a tmpfs and a fresh proc',
    `libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_void_p]
def mount(src, target, fstype):
    if libc.mount(src, target, fstype, 0, None) != 0:
        e = ctypes.get_errno(); raise OSError(e, os.strerror(e))
attempt('mount tmpfs', lambda: mount(b'none', b'/tmp', b'tmpfs'))
attempt('mount proc', lambda: mount(b'proc', b'/workspace', b'proc'))`,
    ['mount tmpfs', 'mount proc'],
  ),
  refusalCase(
    'unshare',
    'creates user, mount and network namespaces',
    `attempt('unshare user', lambda: raw(272, 0x10000000))
attempt('unshare mount', lambda: raw(272, 0x00020000))
attempt('unshare net', lambda: raw(272, 0x40000000))`,
    ['unshare user', 'unshare mount', 'unshare net'],
  ),
  refusalCase(
    'ptrace',
    'attaches to its own child and to pid 1 with ptrace',
    `child = os.fork()
if child == 0:
    time.sleep(30)
    os._exit(0)
attempt('attach child', lambda: raw(101, 16, child, 0, 0))
attempt('attach pid 1', lambda: raw(101, 16, 1, 0, 0))
attempt('traceme', lambda: raw(101, 0, 0, 0, 0))
os.kill(child, 9)`,
    ['attach child', 'attach pid 1', 'traceme'],
  ),
  refusalCase(
    'mknod',
    'creates device nodes for memory and a disk',
    `import stat
attempt('char device /dev/mem', lambda: os.mknod('/tmp/mem', stat.S_IFCHR | 0o600, os.makedev(1, 1)))
attempt('block device sda', lambda: os.mknod('/workspace/sda', stat.S_IFBLK | 0o600, os.makedev(8, 0)))`,
    ['char device /dev/mem', 'block device sda'],
  ),
  refusalCase(
    'bpf',
    'loads an eBPF map',
    `attr = ctypes.create_string_buffer(128)
ctypes.memmove(attr, (ctypes.c_uint32 * 4)(1, 4, 4, 1), 16)
attempt('bpf map create', lambda: raw(321, 0, ctypes.addressof(attr), 128))`,
    ['bpf map create'],
  ),
  refusalCase(
    'keyctl',
    'reads and adds kernel keyring keys',
    `attempt('keyctl session keyring', lambda: raw(250, 0, -3, 1))
attempt('add_key', lambda: raw(248, ctypes.c_char_p(b'user'), ctypes.c_char_p(b'airlock'), ctypes.c_char_p(b'x'), 1, -3))`,
    ['keyctl session keyring', 'add_key'],
  ),
];
