import type { Language } from '../../schemas/action.js';

/** One thing the analyser found; the rule table turns it into a scored finding. */
export interface AnalyserFinding {
  ruleId: string;
  line: number;
  /** What was found, in the analyser's words (a resolved name, the call as written). */
  match: string;
}

/** Code the analysed code runs that must be scored too: an input file, or a constant handed to an interpreter. */
export type NestedCode =
  | { kind: 'file'; path: string; language: Language; line: number }
  | { kind: 'inline'; code: string; language: Language; line: number };

/** What one language analyser reports; pure data. */
export interface AnalyserReport {
  findings: AnalyserFinding[];
  /** Strings the code builds at run time (folded constants, resolved command lines), checked by the text rules. */
  derivedTexts: { text: string; line: number }[];
  nested: NestedCode[];
}

/** What every analyser receives besides the code. */
export interface AnalyserContext {
  /** The policy's safe list for this language (modules, members or commands). */
  safe: readonly string[];
  /** Paths of the action's input files, relative to /workspace. */
  files: ReadonlySet<string>;
}

const MAX_MATCH_CHARS = 120;

/** Collects findings for one analysis; drops exact repeats so a loop of the same call is one finding per line. */
export class ReportBuilder {
  readonly report: AnalyserReport = { findings: [], derivedTexts: [], nested: [] };
  private readonly seen = new Set<string>();

  add(ruleId: string, line: number, match: string): void {
    const text = excerpt(match);
    const key = `${ruleId}\u0000${line}\u0000${text}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.report.findings.push({ ruleId, line, match: text });
  }

  derived(text: string, line: number): void {
    this.report.derivedTexts.push({ text, line });
  }

  nested(code: NestedCode): void {
    this.report.nested.push(code);
  }
}

/** One line, at most MAX_MATCH_CHARS characters. */
export function excerpt(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_MATCH_CHARS ? `${oneLine.slice(0, MAX_MATCH_CHARS - 1)}…` : oneLine;
}

/** Whether `name` is an entry of `safe` or lies under one (`os.path.join` under `os.path`). */
export function isUnderSafe(name: string, safe: readonly string[]): boolean {
  return safe.some((entry) => name === entry || name.startsWith(`${entry}.`));
}

/** Whether some safe entry lies under `name` (`sys` has `sys.argv`): importing it is harmless, its uses decide. */
export function hasSafeMembers(name: string, safe: readonly string[]): boolean {
  return safe.some((entry) => entry.startsWith(`${name}.`));
}

/** Escapes a name for use inside a regular expression. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A path is inside the sandbox's own writable area: relative (under /workspace), /workspace or /tmp. */
export function isWorkspacePath(path: string): boolean {
  if (path.includes('..')) return false;
  if (!path.startsWith('/') && !path.startsWith('~')) return true;
  return /^\/(?:workspace|tmp)(?:\/|$)/.test(path) || /^\/dev\/(?:null|stdout|stderr|stdin)$/.test(path);
}

/** POSIX path joining of constant parts: an absolute part restarts the path; `.` and `..` are resolved. */
export function joinPath(parts: readonly string[]): string {
  const absolute = parts.reduce((at, part, i) => (part.startsWith('/') ? i : at), -1);
  const segments: string[] = [];
  for (const part of parts.slice(Math.max(absolute, 0))) {
    for (const segment of part.split('/')) {
      if (segment === '' || segment === '.') continue;
      if (segment === '..') segments.pop();
      else segments.push(segment);
    }
  }
  return `${absolute >= 0 ? '/' : ''}${segments.join('/')}`;
}

/** Nodes from one `descendantsOfType` walk, grouped by type (document order kept within each type). */
export function byType<N extends { type: string }>(nodes: readonly (N | null)[]): Map<string, N[]> {
  const groups = new Map<string, N[]>();
  for (const node of nodes) {
    if (!node) continue;
    const list = groups.get(node.type);
    if (list) list.push(node);
    else groups.set(node.type, [node]);
  }
  return groups;
}
