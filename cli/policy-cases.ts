/**
 * Case files for `airlock policy test`: one file of code (language from its extension), or a folder holding
 * `action.<ext>` and the input files that come with it. A comment header states the expected level:
 *
 *   # expect: low            (or medium, high, critical, not-low)
 *   # limits: memoryMb=4096  (optional: limits the action asks for)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { LIMIT_BOUNDS, type Language, type ResourceLimits } from '../schemas/action.js';
import { RISK_LEVELS, type RiskLevel } from '../schemas/risk.js';
import { BadInputError } from './usage-error.js';

/** What a case expects: one exact level, or anything but low (held for a human or denied). */
export type Expectation = RiskLevel | 'not-low';

export interface PolicyCase {
  /** Path relative to the cases folder. */
  name: string;
  language: Language;
  code: string;
  files: Record<string, string>;
  limits?: ResourceLimits;
  expect: Expectation;
}

const EXTENSIONS: Readonly<Record<string, Language>> = { '.py': 'python', '.js': 'node', '.mjs': 'node', '.cjs': 'node', '.sh': 'bash', '.bash': 'bash' };

/** Reads every case under `dir`, sorted by name. @throws BadInputError for a missing folder or a bad header. */
export function loadPolicyCases(dir: string): PolicyCase[] {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch (err) {
    throw new BadInputError(`cannot read the cases folder ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const cases = casesIn(dir, entries, '');
  if (cases.length === 0) throw new BadInputError(`no cases in ${dir}: expected .py, .js or .sh files, or folders with an action file`);
  return cases;
}

/** A folder with an action file is one case; any other folder groups more cases (e.g. evasive/, benign/). */
function casesIn(dir: string, entries: readonly string[], prefix: string): PolicyCase[] {
  const cases: PolicyCase[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) {
      const inner = readdirSync(full).sort();
      if (inner.some((file) => /^action\.[a-z]+$/.test(file))) cases.push(folderCase(full, `${prefix}${entry}`));
      else cases.push(...casesIn(full, inner, `${prefix}${entry}/`));
    } else if (EXTENSIONS[path.extname(entry)]) cases.push(fileCase(full, `${prefix}${entry}`, {}));
  }
  return cases;
}

function folderCase(dir: string, name: string): PolicyCase {
  const all = listFiles(dir);
  const action = all.find((file) => /^action\.[a-z]+$/.test(file) && EXTENSIONS[path.extname(file)]);
  if (!action) throw new BadInputError(`case folder ${name} has no action.py, action.js or action.sh`);
  const files = Object.fromEntries(all.filter((file) => file !== action).map((file) => [file, readFileSync(path.join(dir, file), 'utf8')]));
  return fileCase(path.join(dir, action), name, files);
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const full = path.join(dir, entry);
      return statSync(full).isDirectory() ? listFiles(full, `${prefix}${entry}/`) : [`${prefix}${entry}`];
    });
}

function fileCase(file: string, name: string, files: Record<string, string>): PolicyCase {
  const code = readFileSync(file, 'utf8');
  const header = headerOf(code);
  const expectText = header.get('expect');
  if (!expectText) throw new BadInputError(`${name}: no "expect:" header (e.g. "# expect: low" on the first lines)`);
  if (expectText !== 'not-low' && !(RISK_LEVELS as readonly string[]).includes(expectText)) {
    throw new BadInputError(`${name}: expect must be one of ${RISK_LEVELS.join(', ')} or not-low, not "${expectText}"`);
  }
  const limits = header.has('limits') ? parseLimits(name, header.get('limits')!) : undefined;
  return { name, language: EXTENSIONS[path.extname(file)]!, code, files, expect: expectText as Expectation, ...(limits ? { limits } : {}) };
}

/** `key: value` pairs from the leading comment lines (`#` or `//`). */
function headerOf(code: string): Map<string, string> {
  const header = new Map<string, string>();
  for (const line of code.split('\n')) {
    const m = /^\s*(?:#|\/\/)\s*([a-z]+):\s*(.*?)\s*$/.exec(line);
    if (!m) {
      if (/^\s*(?:#|\/\/)/.test(line)) continue;
      break;
    }
    header.set(m[1]!, m[2]!);
  }
  return header;
}

function parseLimits(name: string, text: string): ResourceLimits {
  const limits: Record<string, number> = {};
  for (const pair of text.split(/\s+/).filter(Boolean)) {
    const [key, value] = pair.split('=');
    if (!key || !Object.hasOwn(LIMIT_BOUNDS, key) || value === undefined || !Number.isFinite(Number(value))) {
      throw new BadInputError(`${name}: bad limit "${pair}" (use ${Object.keys(LIMIT_BOUNDS).join(', ')}=NUMBER)`);
    }
    limits[key] = Number(value);
  }
  return limits as ResourceLimits;
}

/** Whether a level meets a case's expectation. */
export function meetsExpectation(level: RiskLevel, expect: Expectation): boolean {
  return expect === 'not-low' ? level !== 'low' : level === expect;
}
