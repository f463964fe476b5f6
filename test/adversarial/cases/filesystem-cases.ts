import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { AdversarialCase } from '../support/adversarial-case.js';
import { assertRefused, PY_PROBE_PRELUDE, probeRecord } from '../support/python-probe.js';

/** Host kernel settings that a write through /proc/sys would change for every process on the machine. */
const HOST_SYSCTLS = ['/proc/sys/kernel/core_pattern', '/proc/sys/vm/overcommit_memory', '/proc/sys/kernel/panic'];

async function readHostSysctls(): Promise<string[]> {
  return Promise.all(HOST_SYSCTLS.map((file) => readFile(file, 'utf8').catch(() => 'absent')));
}

/** Host sockets an escape would look for; none may exist inside. */
const HOST_SOCKETS = [
  '/var/run/docker.sock',
  '/run/docker.sock',
  '/run/containerd/containerd.sock',
  '/var/run/containerd/containerd.sock',
  '/run/dbus/system_bus_socket',
  '/run/systemd/private',
  '/run/podman/podman.sock',
];

/** The file system: read-only root, kernel interfaces, the running binary, and host sockets. */
export const FILESYSTEM_CASES: AdversarialCase[] = [
  {
    id: 'write-rootfs',
    tries: 'writes to /, /etc, /usr and its own code',
    async attack(ctx) {
      const result = await ctx.run({
        language: 'python',
        code: `${PY_PROBE_PRELUDE}
def write(path, mode='w'):
    with open(path, mode) as f:
        f.write('airlock')
attempt('/', lambda: write('/${ctx.marker}'))
attempt('/etc/passwd', lambda: write('/etc/passwd', 'a'))
attempt('/usr/bin', lambda: write('/usr/bin/${ctx.marker}'))
attempt('/var/tmp', lambda: write('/var/tmp/${ctx.marker}'))
attempt('own code', lambda: write('/airlock/main.py', 'a'))
attempt('code folder', lambda: write('/airlock/${ctx.marker}'))
report()
`,
      });
      return assertRefused(probeRecord(result), ['/', '/etc/passwd', '/usr/bin', '/var/tmp', 'own code', 'code folder']);
    },
  },
  {
    id: 'proc-sys-write',
    tries: 'writes kernel settings through /proc/sys and /proc/sysrq-trigger',
    async attack(ctx) {
      const before = await readHostSysctls();
      const result = await ctx.run({
        language: 'python',
        code: `${PY_PROBE_PRELUDE}
def write(path, text):
    with open(path, 'w') as f:
        f.write(text)
attempt('core_pattern', lambda: write('/proc/sys/kernel/core_pattern', '|/tmp/${ctx.marker}'))
attempt('overcommit', lambda: write('/proc/sys/vm/overcommit_memory', '1'))
attempt('drop_caches', lambda: write('/proc/sys/vm/drop_caches', '3'))
attempt('sysrq-trigger', lambda: write('/proc/sysrq-trigger', 'h'))
attempt('hostname', lambda: write('/proc/sys/kernel/hostname', '${ctx.marker}'))
report()
`,
      });
      const outcome = assertRefused(probeRecord(result), ['core_pattern', 'overcommit', 'drop_caches', 'sysrq-trigger', 'hostname']);
      assert.deepEqual(await readHostSysctls(), before, 'host kernel settings changed');
      return `${outcome}; host settings unchanged`;
    },
  },
  {
    id: 'cgroup-write',
    tries: 'raises its own limits and escapes through /sys/fs/cgroup (release_agent)',
    async attack(ctx) {
      const result = await ctx.run({
        language: 'python',
        code: `${PY_PROBE_PRELUDE}
def write(path, text):
    with open(path, 'w') as f:
        f.write(text)
attempt('memory limit', lambda: write('/sys/fs/cgroup/memory/memory.limit_in_bytes', '-1'))
attempt('pids max', lambda: write('/sys/fs/cgroup/pids/pids.max', 'max'))
attempt('release_agent', lambda: write('/sys/fs/cgroup/memory/release_agent', '/tmp/x'))
attempt('new cgroup', lambda: os.mkdir('/sys/fs/cgroup/memory/${ctx.marker}'))
report()
`,
      });
      return assertRefused(probeRecord(result), ['memory limit', 'pids max', 'release_agent', 'new cgroup']);
    },
  },
  {
    id: 'proc-self-exe',
    tries: 'overwrites its own interpreter through /proc/self/exe (the runc escape)',
    async attack(ctx) {
      const result = await ctx.run({
        language: 'python',
        code: `${PY_PROBE_PRELUDE}
import hashlib
digest = lambda: hashlib.sha256(open('/proc/self/exe', 'rb').read()).hexdigest()
before = digest()
def overwrite(path):
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, b'airlock')
    finally:
        os.close(fd)
attempt('/proc/self/exe', lambda: overwrite('/proc/self/exe'))
attempt('/proc/1/exe', lambda: overwrite('/proc/1/exe'))
attempt('interpreter file', lambda: overwrite(os.path.realpath('/proc/self/exe')))
report(unchanged=digest() == before)
`,
      });
      const record = probeRecord(result);
      const outcome = assertRefused(record, ['/proc/self/exe', '/proc/1/exe', 'interpreter file']);
      assert.equal(record.unchanged, true);
      return `${outcome}; binary unchanged`;
    },
  },
  {
    id: 'host-sockets',
    tries: 'looks for docker.sock and other host sockets',
    async attack(ctx) {
      const result = await ctx.run({
        language: 'python',
        code: `${PY_PROBE_PRELUDE}
import stat
found = []
for root in ('/run', '/var/run', '/tmp', '/dev', '/workspace', '/airlock'):
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames + dirnames:
            try:
                if stat.S_ISSOCK(os.lstat(os.path.join(dirpath, name)).st_mode):
                    found.append(os.path.join(dirpath, name))
            except OSError:
                pass
def connect(path):
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(path)
    finally:
        s.close()
for path in ${JSON.stringify(HOST_SOCKETS)}:
    attempt(path, lambda: connect(path))
try:
    bound = [l.split()[-1] for l in open('/proc/net/unix').read().splitlines()[1:] if len(l.split()) > 7]
except OSError:
    bound = []
report(socket_files=found, bound=bound)
`,
      });
      const record = probeRecord(result);
      assertRefused(record, HOST_SOCKETS);
      assert.deepEqual(record.socket_files, [], 'socket files exist inside the sandbox');
      assert.deepEqual(record.bound, [], 'named unix sockets are visible inside the sandbox');
      return `no socket files, no bound unix sockets; connect to docker.sock: ${String(record['/var/run/docker.sock'])}`;
    },
  },
];
