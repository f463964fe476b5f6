/**
 * Turns an output glob (validated by OutputGlobsSchema) into an anchored regular expression over paths relative to
 * /workspace: `*` and `?` stay within one path part, a `**` part matches any number of parts. The syntax is the
 * common subset of JavaScript and Python regular expressions, because the sandbox helper matches with Python.
 */
export function globToRegexSource(glob: string): string {
  const parts = glob.split('/');
  let source = '';
  parts.forEach((part, index) => {
    const last = index === parts.length - 1;
    if (part === '**') {
      source += last ? '.*' : '(?:[^/]+/)*';
      return;
    }
    source += part.replace(/[.+^${}()|[\]\\*?]/g, (c) => (c === '*' ? '[^/]*' : c === '?' ? '[^/]' : `\\${c}`));
    if (!last) source += '/';
  });
  return `^${source}$`;
}

/** Whether a relative path matches any of the globs (the worker's own check of what the sandbox sent back). */
export function matchesAnyGlob(path: string, globs: readonly string[]): boolean {
  return globs.some((glob) => new RegExp(globToRegexSource(glob)).test(path));
}
