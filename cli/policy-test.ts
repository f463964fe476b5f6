import { PolicyJudge, type GateOutcome } from '../policy/policy-judgement.js';
import type { RiskLevel } from '../schemas/risk.js';
import { jsonLine, type CommandContext } from './context.js';
import { EXIT } from './exit-codes.js';
import { expectPositionals, parseCommandLine } from './parse-args.js';
import { loadPolicyCases, meetsExpectation, type Expectation } from './policy-cases.js';
import { readCandidatePolicy } from './policy-file-input.js';
import { UsageError } from './usage-error.js';

export interface PolicyCaseResult {
  name: string;
  language: string;
  expect: Expectation;
  level: RiskLevel;
  outcome: GateOutcome;
  ruleIds: string[];
  passed: boolean;
}

/** A share of a corpus: how many of `total` did what they should. */
export interface Rate {
  count: number;
  total: number;
  rate: number;
}

export interface PolicyTestReport {
  policyVersion: string;
  cases: PolicyCaseResult[];
  passed: number;
  failed: number;
  /** Cases that must not be low and were held for a human or denied. */
  held: Rate;
  /** Cases expected low that the policy approves on its own. */
  approved: Rate;
}

/** `airlock policy test FILE --cases DIR [--json]`: scores every case under the policy; exit 1 on any mismatch. */
export async function policyTestCommand(context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandLine('policy test', context.argv, { cases: { type: 'string' }, json: { type: 'boolean' } } as const);
  const [file] = expectPositionals('policy test', positionals, ['policy-file']) as [string];
  if (!values.cases) throw new UsageError('policy test: --cases DIR is required');
  const report = await runPolicyTest(file, values.cases);
  context.io.out(values.json ? jsonLine(report) : renderPolicyTest(report));
  return report.failed === 0 ? EXIT.ok : EXIT.actionFailed;
}

/** Scores the cases under the policy file and tallies the rates. */
export async function runPolicyTest(file: string, casesDir: string): Promise<PolicyTestReport> {
  const policy = readCandidatePolicy(file);
  const judge = new PolicyJudge(policy);
  const cases: PolicyCaseResult[] = [];
  for (const c of loadPolicyCases(casesDir)) {
    const judged = await judge.judge({ language: c.language, code: c.code, files: c.files, ...(c.limits ? { limits: c.limits } : {}) });
    // Not-low cases pass only when the gate really holds them; low cases only when it really approves them.
    const gateAgrees = c.expect === 'low' ? judged.outcome === 'auto' : c.expect === 'not-low' ? judged.outcome !== 'auto' : true;
    cases.push({
      name: c.name,
      language: c.language,
      expect: c.expect,
      level: judged.level,
      outcome: judged.outcome,
      ruleIds: judged.ruleIds,
      passed: meetsExpectation(judged.level, c.expect) && gateAgrees,
    });
  }
  const rate = (list: PolicyCaseResult[], ok: (r: PolicyCaseResult) => boolean): Rate => {
    const count = list.filter(ok).length;
    return { count, total: list.length, rate: list.length === 0 ? 1 : count / list.length };
  };
  const passed = cases.filter((c) => c.passed).length;
  return {
    policyVersion: policy.version,
    cases,
    passed,
    failed: cases.length - passed,
    held: rate(cases.filter((c) => c.expect !== 'low'), (c) => c.outcome !== 'auto'),
    approved: rate(cases.filter((c) => c.expect === 'low'), (c) => c.outcome === 'auto'),
  };
}

function renderPolicyTest(report: PolicyTestReport): string {
  const rows = report.cases.map((c) => [c.passed ? 'ok' : 'FAIL', c.name, c.language, c.expect, c.level, c.outcome, c.ruleIds.join(',')]);
  const header = ['RESULT', 'CASE', 'LANG', 'EXPECT', 'LEVEL', 'GATE', 'RULES'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  const percent = (r: Rate) => `${r.count}/${r.total} (${(r.rate * 100).toFixed(1)}%)`;
  return [
    line(header),
    ...rows.map(line),
    '',
    `${report.passed} passed, ${report.failed} failed under policy ${report.policyVersion.slice(0, 12)}`,
    `held for a human or denied (expected not low): ${percent(report.held)}`,
    `approved by the policy (expected low): ${percent(report.approved)}`,
    '',
  ].join('\n');
}
