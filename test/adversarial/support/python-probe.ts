import assert from 'node:assert/strict';
import type { ExecutionResult } from '../../../schemas/execution.js';

/**
 * Python helpers prepended to probe programs: `attempt(name, fn)` records `allowed` (with fn's value) or the errno
 * name an operation failed with, `raw(nr, ...)` makes a raw system call, and `report()` prints the record as one
 * JSON line. Probes report instead of crashing, so one refused operation does not hide the next.
 */
export const PY_PROBE_PRELUDE = String.raw`
import ctypes, errno, json, os, platform, signal, socket, sys, time
results = {}
def attempt(name, fn):
    try:
        value = fn()
        results[name] = 'allowed' if value is None else 'allowed: ' + str(value)
    except OSError as e:
        results[name] = errno.errorcode.get(e.errno, str(e.errno)) if e.errno else type(e).__name__ + ': ' + str(e)
    except Exception as e:
        results[name] = type(e).__name__ + ': ' + str(e)
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
def raw(nr, *args):
    r = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) if isinstance(a, int) else a for a in args])
    if r == -1:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return r
def report(**extra):
    results.update(extra)
    sys.stdout.write(json.dumps(results) + '\n')
    sys.stdout.flush()
if platform.machine() != 'x86_64':
    raise SystemExit('these probes use x86_64 system call numbers')
`;

/** The JSON record a probe printed last; fails the case with the program's stderr when there is none. */
export function probeRecord(result: ExecutionResult): Record<string, unknown> {
  const lines = result.stdout.text.trim().split('\n');
  const last = lines[lines.length - 1] ?? '';
  try {
    return JSON.parse(last) as Record<string, unknown>;
  } catch {
    assert.fail(`probe printed no JSON record (exit ${result.exitCode}); stderr: ${result.stderr.text.slice(0, 500)}`);
  }
}

/** Asserts that every named operation was refused (any errno), and returns `name: ERRNO` pairs for the table. */
export function assertRefused(record: Record<string, unknown>, names: readonly string[]): string {
  for (const name of names) {
    const outcome = String(record[name]);
    assert.ok(outcome !== 'undefined', `the probe did not report ${name}`);
    assert.ok(!outcome.startsWith('allowed'), `${name} was allowed: ${outcome}`);
  }
  return names.map((name) => `${name}: ${String(record[name])}`).join('; ');
}
