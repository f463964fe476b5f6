/**
 * The zygote: the main process of a pooled container (under the init and the seccomp launcher, as the sandbox user).
 * It starts with the container, so Python is already loaded when an action arrives; it waits on its attached stdin
 * for one request, runs it once, reports how it ended, and exits. It never runs a second request.
 *
 * Why it is shaped like this:
 * - The request arrives as a length-prefixed JSON frame on stdin (a stream, never a shell string); the code is
 *   written to a file in /tmp (0400) and run from there, so tracebacks and `__file__` name a real file.
 * - The code runs in a forked child: Python code is executed inside the child's already loaded interpreter (the
 *   speed-up), node and bash are exec'd on the file. The child gets /dev/null as stdin.
 * - The end report ("trailer") goes to stdout and stderr after every other process of the container is killed, so
 *   it is the last thing on both streams. It carries a token that is written to stdin only after the fork and read
 *   by the parent alone: the code never sees it, so it cannot forge its own end. The zygote is non-dumpable, so the
 *   code (same uid) cannot read the token through /proc either.
 * - Deadlines hold without the worker: an idle zygote exits after its idle lifetime or when stdin closes (its
 *   worker is gone); a running one kills everything and exits at the wall-clock limit plus a grace. The container's
 *   main process ending stops the container.
 */

/** What the zygote prints on stdout once it is loaded and waiting. */
export const ZYGOTE_READY = 'AIRLOCK-ZYGOTE-READY\n';
/** Fixed length of each end report, so the worker can hold back exactly that many trailing bytes. */
export const TRAILER_BYTES = 320;
export const TRAILER_MAGIC = 'AIRLOCK-END ';
/** Bytes of the per-execution token, sent (hex) after the request frame. */
export const TOKEN_BYTES = 16;
/** Largest request frame the zygote accepts: code (256 KiB) and input files (1 MiB) in JSON, with room. */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;
export const ZYGOTE_FILE_NAME = 'zygote.py';

export const ZYGOTE_SOURCE = `# Airlock zygote: zygote.py <idle-seconds> <grace-seconds>
import builtins, ctypes, json, os, signal, sys, time, types
IDLE = float(sys.argv[1])
GRACE = float(sys.argv[2])
TRAILER_BYTES = ${TRAILER_BYTES}
TOKEN_HEX = ${TOKEN_BYTES * 2}
MAX_FRAME = ${MAX_FRAME_BYTES}
WORKSPACE = '/workspace'
EXT = {'python': 'py', 'node': 'js', 'bash': 'sh'}
libc = ctypes.CDLL(None, use_errno=True)
libc.prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0: /proc/<this pid> is not readable by the code's uid

def bye(code=0):
    os._exit(code)

def read_exact(n):
    # Blocking reads: the interval timer (on_deadline) bounds every wait. No select: gVisor refuses it on this stdin.
    buf = b''
    while len(buf) < n:
        chunk = os.read(0, n - len(buf))
        if not chunk:
            bye()  # stdin closed: the worker is gone or gave the container up
        buf += chunk
    return buf

def others():
    me = os.getpid()
    return [int(p) for p in os.listdir('/proc') if p.isdigit() and int(p) not in (1, me)]

def kill_others():
    for _ in range(100):
        try:
            os.kill(-1, signal.SIGKILL)  # every process of this pid namespace this uid may signal, but not itself
        except OSError:
            pass
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            pass
        if not others():
            return
        time.sleep(0.01)

def read_int(path):
    try:
        with open(path) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None

def on_deadline(signum, frame):
    kill_others()
    bye(137)

def deadline_in(seconds):
    signal.setitimer(signal.ITIMER_REAL, seconds)

# Idle: nothing ran, so nothing to kill; the exit says it ended normally.
signal.signal(signal.SIGALRM, lambda signum, frame: bye(0))

sys.stdout.write(${JSON.stringify(ZYGOTE_READY)})
sys.stdout.flush()
deadline_in(IDLE)
size = int.from_bytes(read_exact(4), 'big')
if size <= 0 or size > MAX_FRAME:
    bye(2)
deadline_in(30)
request = json.loads(read_exact(size).decode('utf-8'))
# From here the wall-clock limit (and a grace) bounds everything, the worker alive or not.
signal.signal(signal.SIGALRM, on_deadline)
deadline_in(float(request['timeoutSec']) + GRACE)
language = request['language']
os.umask(0o022)
for rel, content in (request.get('files') or {}).items():
    target = os.path.join(WORKSPACE, rel)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, 'wb') as f:
        f.write(content.encode('utf-8'))
os.mkdir('/tmp/.airlock', 0o700)
path = '/tmp/.airlock/main.' + EXT[language]
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o400)
with os.fdopen(fd, 'wb') as f:
    f.write(request['code'].encode('utf-8'))
os.chdir(WORKSPACE)
sys.stdout.flush()
sys.stderr.flush()
started = time.monotonic()
pid = os.fork()
if pid == 0:
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    null = os.open('/dev/null', os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    libc.prctl(4, 1, 0, 0, 0)
    if language != 'python':
        interpreter = 'node' if language == 'node' else 'bash'
        os.execvp(interpreter, [interpreter, path])
    with open(path, 'rb') as f:
        compiled = compile(f.read(), path, 'exec')
    main = types.ModuleType('__main__')
    main.__file__ = path
    main.__builtins__ = builtins
    sys.modules['__main__'] = main
    sys.argv = [path]
    sys.path[0] = os.path.dirname(path)
    del request, f, fd
    # Tracebacks start at the code, not at this line.
    def excepthook(kind, value, tb, show=sys.__excepthook__):
        if tb is not None and value is not None:
            tb = tb.tb_next
            value = value.with_traceback(tb)
        show(kind, value, tb)
    sys.excepthook = excepthook
    exec(compiled, main.__dict__)
else:
    token = read_exact(TOKEN_HEX).decode('ascii')
    _, status, usage = os.wait4(pid, 0)
    wall_ms = (time.monotonic() - started) * 1000
    kill_others()
    report = {
        'exit': os.waitstatus_to_exitcode(status),
        'wallMs': round(wall_ms, 1),
        'cpuMs': round((usage.ru_utime + usage.ru_stime) * 1000),
        'maxRssKb': usage.ru_maxrss,
        'memPeak': read_int('/sys/fs/cgroup/memory/memory.max_usage_in_bytes'),
        'memLimit': read_int('/sys/fs/cgroup/memory/memory.limit_in_bytes'),
        'memFail': read_int('/sys/fs/cgroup/memory/memory.failcnt'),
    }
    line = (${JSON.stringify(TRAILER_MAGIC)} + token + ' ' + json.dumps(report, separators=(',', ':'))).encode('ascii')
    trailer = line + b' ' * (TRAILER_BYTES - 1 - len(line)) + b'\\n'
    os.write(1, trailer)
    os.write(2, trailer)
    # Stay up (so outputs can be collected) until the worker closes stdin, for a bounded time.
    deadline_in(GRACE + 60)
    while os.read(0, 4096):
        pass
    bye(0)
`;
