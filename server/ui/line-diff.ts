/**
 * Line diff between two versions of an action's code (longest common subsequence), grouped into hunks with a
 * little context, the way a reviewer reads a patch.
 */

export type DiffLineKind = 'same' | 'added' | 'removed';

export interface DiffLine {
  kind: DiffLineKind;
  text: string;
  /** 1-based line in the old code (same, removed). */
  oldLine?: number;
  /** 1-based line in the new code (same, added). */
  newLine?: number;
}

/** Above this many cells the quadratic table costs too much for a page render; the caller shows no diff then. */
export const MAX_DIFF_CELLS = 4_000_000;

function splitLines(code: string): string[] {
  const lines = code.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Every line of both versions in order, marked same/added/removed; undefined when the inputs are too large. */
export function diffLines(oldCode: string, newCode: string): DiffLine[] | undefined {
  const a = splitLines(oldCode);
  const b = splitLines(newCode);
  if (a.length * b.length > MAX_DIFF_CELLS) return undefined;
  // lengths[i][j]: LCS length of a[i..] and b[j..], in one flat array.
  const width = b.length + 1;
  const lengths = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      lengths[i * width + j] =
        a[i] === b[j]
          ? (lengths[(i + 1) * width + j + 1] as number) + 1
          : Math.max(lengths[(i + 1) * width + j] as number, lengths[i * width + j + 1] as number);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push({ kind: 'same', text: a[i] as string, oldLine: i + 1, newLine: j + 1 });
      i += 1;
      j += 1;
    } else if (j < b.length && (i >= a.length || (lengths[i * width + j + 1] as number) >= (lengths[(i + 1) * width + j] as number))) {
      out.push({ kind: 'added', text: b[j] as string, newLine: j + 1 });
      j += 1;
    } else {
      out.push({ kind: 'removed', text: a[i] as string, oldLine: i + 1 });
      i += 1;
    }
  }
  return out;
}

/** Changed lines with `context` unchanged lines around them; runs of more unchanged lines become gaps (null). */
export function diffHunks(lines: readonly DiffLine[], context = 2): Array<DiffLine | null> {
  const keep = lines.map(() => false);
  lines.forEach((line, index) => {
    if (line.kind === 'same') return;
    for (let k = Math.max(0, index - context); k <= Math.min(lines.length - 1, index + context); k += 1) keep[k] = true;
  });
  const out: Array<DiffLine | null> = [];
  lines.forEach((line, index) => {
    if (keep[index]) out.push(line);
    else if (out.length === 0 || out[out.length - 1] !== null) out.push(null);
  });
  return out;
}
