/**
 * A small Python program, delivered next to the code, that runs inside the sandbox as the sandbox user:
 * `unpack` writes the input files under /workspace before the code starts; `collect` stops whatever the code left
 * running and gathers the declared outputs afterwards. It runs inside because /workspace is a tmpfs that only the
 * container sees; everything it reports is checked again by the worker, since the sandbox is not trusted.
 */

export const HELPER_FILE_NAME = 'helper.py';
export const INPUT_FILE_NAME = 'input.json';

export const WORKSPACE_HELPER_SOURCE = `# Airlock workspace helper: unpack | collect <patterns-json> <per-file> <total> <max-files>
import base64, json, os, re, stat, sys, time
WORKSPACE = '/workspace'

def unpack():
    with open('/airlock/${INPUT_FILE_NAME}', 'rb') as f:
        files = json.load(f)
    for rel, content in files.items():
        target = os.path.join(WORKSPACE, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        with os.fdopen(fd, 'wb') as f:
            f.write(content.encode('utf-8'))

def pids():
    return sorted(int(p) for p in os.listdir('/proc') if p.isdigit())

def stop_leftovers():
    # Pid 1 is the init, the lowest other pid the idle process that keeps the container up (it started first).
    first = pids()
    keep = {1, os.getpid()} | set(p for p in first[1:2] if p != os.getpid())
    for _ in range(50):
        victims = [p for p in pids() if p not in keep]
        if not victims:
            return
        for p in victims:
            try:
                os.kill(p, 9)
            except OSError:
                pass
        time.sleep(0.02)

def collect(patterns, per_file, total_cap, max_files):
    regexes = [re.compile(p) for p in patterns]
    files, skipped, total = [], [], 0
    def skip(rel, reason):
        if len(skipped) < 100:
            skipped.append({'path': rel, 'reason': reason})
    for dirpath, dirnames, filenames in os.walk(WORKSPACE, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]):
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, WORKSPACE)
            if not any(r.fullmatch(rel) for r in regexes):
                continue
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                skip(rel, 'symbolic link (not followed)')
                continue
            if not stat.S_ISREG(st.st_mode):
                skip(rel, 'not a regular file')
                continue
            if len(files) >= max_files:
                skip(rel, 'too many output files')
                continue
            try:
                fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            except OSError as e:
                skip(rel, 'unreadable: ' + os.strerror(e.errno))
                continue
            with os.fdopen(fd, 'rb') as f:
                opened = os.fstat(fd)
                if not stat.S_ISREG(opened.st_mode) or (opened.st_dev, opened.st_ino) != (st.st_dev, st.st_ino):
                    skip(rel, 'changed while being collected')
                    continue
                data = f.read(per_file + 1)
            if len(data) > per_file:
                skip(rel, 'larger than the per-file limit')
                continue
            if total + len(data) > total_cap:
                skip(rel, 'total output limit reached')
                continue
            total += len(data)
            files.append({'path': rel, 'data': base64.b64encode(data).decode('ascii')})
    sys.stdout.write(json.dumps({'files': files, 'skipped': skipped}))

if sys.argv[1] == 'unpack':
    unpack()
else:
    stop_leftovers()
    collect(json.loads(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
`;
