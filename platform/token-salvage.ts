/**
 * What can be saved from a damaged token file: every complete token object in its `tokens` array, found by a
 * scan that follows JSON's brackets and strings (a file cut short by a crash or a full disk does not parse as a
 * whole, but its first records are intact). Pure; the caller validates each record.
 */

/** The complete objects directly inside the top-level object's array, parsed; `fragments` counts those that were not. */
export function salvageArrayObjects(text: string): { objects: unknown[]; fragments: number } {
  const objects: unknown[] = [];
  let fragments = 0;
  const open: string[] = [];
  let inString = false;
  let escaped = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') {
      // An object opening inside `{ "tokens": [` is a record.
      if (ch === '{' && open.length === 2 && open[0] === '{' && open[1] === '[') start = i;
      open.push(ch);
    } else if (ch === '}' || ch === ']') {
      open.pop();
      if (ch === '}' && open.length === 2 && start >= 0) {
        try {
          objects.push(JSON.parse(text.slice(start, i + 1)));
        } catch {
          fragments++;
        }
        start = -1;
      }
    }
  }
  // A record cut off by the end of the file.
  if (start >= 0) fragments++;
  return { objects, fragments };
}
