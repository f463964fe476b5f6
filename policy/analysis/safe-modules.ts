/**
 * What the analyser treats as harmless by default. A policy file may replace each list. Entries are module names
 * or dotted members (`sys.argv`): a use is safe when its qualified name is an entry or lies under one.
 */

/** Python modules for data work: parsing, aggregation, formatting. */
export const DEFAULT_PYTHON_SAFE = [
  '__future__', 'abc', 'argparse', 'array', 'base64', 'binascii', 'bisect', 'calendar', 'cmath', 'collections', 'contextlib',
  'copy', 'csv', 'dataclasses', 'datetime', 'decimal', 'difflib', 'enum', 'fractions', 'functools', 'graphlib', 'hashlib',
  'heapq', 'html', 'io.BytesIO', 'io.StringIO', 'itertools', 'json', 'math', 'numbers', 'operator', 'os.path', 'pprint',
  'random', 're', 'secrets', 'shlex', 'statistics', 'string', 'struct', 'sys.argv', 'sys.exit', 'sys.maxsize', 'sys.stderr', 'sys.stdin',
  'sys.stdout', 'sys.version', 'sys.version_info', 'textwrap', 'time', 'typing', 'unicodedata', 'uuid', 'zoneinfo',
];

/** Node modules (with or without `node:`) that compute without reaching outside the process. */
export const DEFAULT_NODE_SAFE = [
  'assert', 'buffer', 'crypto', 'events', 'path', 'querystring', 'readline', 'stream', 'string_decoder', 'url', 'util',
  'zlib',
];

/** Bash commands that read, transform and print data; anything else needs a human. */
export const DEFAULT_BASH_SAFE = [
  ':', '[', '[[', 'awk', 'base64', 'basename', 'bc', 'break', 'cat', 'cd', 'cmp', 'column', 'comm', 'continue', 'cp',
  'cut', 'date', 'declare', 'diff', 'dirname', 'echo', 'egrep', 'exit', 'export', 'expr', 'false', 'fgrep', 'find',
  'fold', 'grep', 'gzip', 'gunzip', 'head', 'iconv', 'join', 'let', 'local', 'ls', 'md5sum', 'mkdir', 'mv', 'nl', 'od',
  'paste', 'printf', 'pwd', 'read', 'readonly', 'return', 'rev', 'sed', 'seq', 'set', 'sha1sum', 'sha256sum', 'shift',
  'shuf', 'sleep', 'sort', 'split', 'stat', 'tac', 'tail', 'tee', 'test', 'touch', 'tr', 'true', 'typeset', 'uname',
  'uniq', 'unset', 'wait', 'wc', 'xxd', 'zcat', 'nproc',
];

/**
 * Attribute names that reach past a module's data into the interpreter: re-exported modules (`dataclasses.sys`),
 * frames, and the module table. A safe module's member chain containing one of them is not safe.
 */
export const PYTHON_ESCAPE_MEMBERS = new Set([
  'builtins', 'ctypes', 'gc', 'importlib', 'inspect', 'io', 'linecache', 'marshal', 'modules', 'os', 'pickle',
  'posix', 'runpy', 'shutil', 'signal', 'socket', 'subprocess', 'sys', 'threading', 'types', 'warnings', 'weakref',
  'f_back', 'f_builtins', 'f_globals', 'f_locals', 'gi_frame', 'cr_frame', 'ag_frame', 'tb_frame', 'co_code',
  'get_type_hints', 'ForwardRef', 'attrgetter', 'methodcaller', 'open', 'system', 'popen', 'exec', 'eval',
]);
