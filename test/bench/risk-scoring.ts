/**
 * Cost of scoring one action at the code size limit, scored with the built-in policy the way the assessRisk
 * activity does (parsers loaded once, then reused). Three 256 KiB actions per language (risk-bench-inputs.ts):
 * dense code, which is over the analysis budget and so comes out medium ("not analysable"); the most code the
 * budget lets through whole, with data after it, analysed fully and low; and a little code with a lot of data.
 * The headline is the worst p95 of the three. The numbers are uncached (`fresh`): a new action always pays them.
 * The cold first call, the first call per language and the cached repeat are reported beside them, with the
 * median of each phase of the dense case.
 */
import { performance } from 'node:perf_hooks';
import { DEFAULT_PARSE_BUDGET } from '../../policy/analysis/parse-budget.js';
import { syntaxParsers } from '../../policy/analysis/parsers.js';
import type { RiskScore } from '../../policy/assess-risk.js';
import { currentPolicy } from '../../policy/policy-snapshot.js';
import { ActionScorer, type ScoringPhases } from '../../policy/score-action.js';
import type { Language } from '../../schemas/action.js';
import type { RiskLevel } from '../../schemas/risk.js';
import { percentile } from './percentiles.js';
import { codeAtLimit, dataHeavyAtLimit, parseStepsOf, withinBudgetAtLimit } from './risk-bench-inputs.js';

const WARM_UP = 3;
const LANGUAGES = ['python', 'node', 'bash'] as const;
const BUDGET_RULE_ID = 'analysis.budget';

/** What one language's action came to, and whether the analysis budget stopped its parse. */
export interface CaseOutcome {
  p50Ms: number;
  p95Ms: number;
  cpuP95Ms: number;
  level: RiskLevel;
  /** Parser steps the whole code needs; above the budget the parse stops there. */
  parseSteps: number;
  /** Whether the score carries the "larger than the analysis budget" finding. */
  budgetFired: boolean;
}

/** One kind of action, per language and at its worst language. */
export interface CaseStats {
  bytes: number;
  p95Ms: number;
  cpuP95Ms: number;
  perLanguage: Record<Language, CaseOutcome>;
}

export interface RiskScoringBench {
  runs: number;
  /** Size of the dense action (the other two are within a few bytes of it). */
  bytes: number;
  /** The built-in policy's analysis budget, in parser steps per action. */
  parseBudget: number;
  /**
   * The worst p95 (wall clock) of an uncached score over every language and all three actions: the number the
   * 50 ms target is about.
   */
  p95Ms: number;
  /** The same in CPU time of this process: what the scoring itself costs when the machine is shared. */
  cpuP95Ms: number;
  /** Which action and language gave `cpuP95Ms`. */
  worst: string;
  /** Loading the WASM runtime and the three grammars, once per process (the first action pays it). */
  parserLoadMs: number;
  /** The process's first score of all: parser loading plus the first python action. */
  coldFirstCallMs: number;
  /** The dense action (`codeAtLimit`), uncached. */
  dense: CaseStats & {
    perLanguage: Record<
      Language,
      CaseOutcome & {
        /** The first score in this language once the parsers are loaded (its grammar's code not yet optimised). */
        firstCallMs: number;
        /** Scoring the same action again: answered from the cache of (content SHA-256, policy version). */
        cachedP95Ms: number;
        /** Median of each phase of the uncached score. */
        phases: ScoringPhases;
      }
    >;
  };
  /** The most code the budget lets through whole, then data (`withinBudgetAtLimit`), uncached. */
  withinBudget: CaseStats;
  /** A little code and a lot of data (`dataHeavyAtLimit`), uncached. */
  dataHeavy: CaseStats;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

async function timed<T>(run: () => Promise<T>): Promise<{ result: T; ms: number; cpuMs: number }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const result = await run();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { result, ms, cpuMs: (used.user + used.system) / 1_000 };
}

const noPhases = (): ScoringPhases => ({ parseMs: 0, analyseMs: 0, textMs: 0, freeMs: 0 });

/** `runs` uncached scores of one action after a warm-up, each sample with its phases. */
async function sample(scorer: ActionScorer, language: Language, code: string, runs: number) {
  for (let i = 0; i < WARM_UP; i++) await scorer.score({ language, code }, { fresh: true });
  const wall: number[] = [];
  const cpu: number[] = [];
  const phases: ScoringPhases[] = [];
  let risk: RiskScore | undefined;
  for (let i = 0; i < runs; i++) {
    const spent = noPhases();
    // `fresh`: every sample pays the whole cost, as a new action does; the cache is measured on its own.
    const { result, ms, cpuMs } = await timed(() => scorer.score({ language, code }, { fresh: true, phases: spent }));
    wall.push(ms);
    cpu.push(cpuMs);
    phases.push(spent);
    risk = result;
  }
  return { wall, cpu, phases, risk: risk! };
}

/**
 * Checks the score is what the budget says it must be, so the bench cannot report a cheap score that skipped
 * work it should have done: over the budget, the budget finding and at least medium; within it, no such finding
 * and (for this ordinary code) low.
 */
function outcomeOf(what: string, language: Language, risk: RiskScore, parseSteps: number, budget: number, wall: number[], cpu: number[]): CaseOutcome {
  const budgetFired = risk.ruleIds.includes(BUDGET_RULE_ID);
  const over = parseSteps > budget;
  if (budgetFired !== over || (over ? risk.level === 'low' : risk.level !== 'low')) {
    throw new Error(`${what} ${language}: ${parseSteps} parser steps against a budget of ${budget}, scored ${risk.level} (${risk.ruleIds.join(', ')})`);
  }
  return { p50Ms: round(percentile(wall, 50)), p95Ms: round(percentile(wall, 95)), cpuP95Ms: round(percentile(cpu, 95)), level: risk.level, parseSteps, budgetFired };
}

function worstOf<T extends CaseOutcome>(bytes: number, perLanguage: Record<Language, T>): CaseStats & { perLanguage: Record<Language, T> } {
  const all = Object.values(perLanguage);
  return { bytes, p95Ms: Math.max(...all.map((l) => l.p95Ms)), cpuP95Ms: Math.max(...all.map((l) => l.cpuP95Ms)), perLanguage };
}

/** Scores each language's action of one kind and checks each score against the budget. */
async function measureCase(scorer: ActionScorer, what: string, budget: number, runs: number, inputOf: (language: Language) => Promise<string>): Promise<CaseStats> {
  const perLanguage = {} as Record<Language, CaseOutcome>;
  let bytes = 0;
  for (const language of LANGUAGES) {
    const code = await inputOf(language);
    bytes = Math.max(bytes, Buffer.byteLength(code));
    const { wall, cpu, risk } = await sample(scorer, language, code, runs);
    perLanguage[language] = outcomeOf(what, language, risk, await parseStepsOf(language, code), budget, wall, cpu);
  }
  return worstOf(bytes, perLanguage);
}

export async function benchRiskScoring(runs: number): Promise<RiskScoringBench> {
  const policy = currentPolicy({ approvers: null });
  const budget = policy.analysis?.parseBudget ?? DEFAULT_PARSE_BUDGET;
  const scorer = new ActionScorer({ rules: policy.rules ?? [], thresholds: policy.thresholds, analysis: policy.analysis! });
  const load = await timed(() => syntaxParsers());
  let coldFirstCallMs = 0;
  let bytes = 0;
  const densePerLanguage = {} as RiskScoringBench['dense']['perLanguage'];
  for (const language of LANGUAGES) {
    const code = codeAtLimit(language);
    bytes = Math.max(bytes, Buffer.byteLength(code));
    const first = await timed(() => scorer.score({ language, code }, { fresh: true }));
    if (language === 'python') coldFirstCallMs = load.ms + first.ms;
    const { wall, cpu, phases, risk } = await sample(scorer, language, code, runs);
    const cached: number[] = [];
    for (let i = 0; i < runs; i++) cached.push((await timed(() => scorer.score({ language, code }))).ms);
    const phaseMedian = (key: keyof ScoringPhases) => round(percentile(phases.map((p) => p[key]), 50));
    densePerLanguage[language] = {
      ...outcomeOf('dense', language, risk, await parseStepsOf(language, code), budget, wall, cpu),
      firstCallMs: round(first.ms),
      cachedP95Ms: round(percentile(cached, 95)),
      phases: { parseMs: phaseMedian('parseMs'), analyseMs: phaseMedian('analyseMs'), textMs: phaseMedian('textMs'), freeMs: phaseMedian('freeMs') },
    };
  }
  const dense = worstOf(bytes, densePerLanguage);
  const withinBudget = await measureCase(scorer, 'within budget', budget, runs, (language) => withinBudgetAtLimit(language, budget));
  const dataHeavy = await measureCase(scorer, 'data-heavy', budget, runs, async (language) => dataHeavyAtLimit(language));
  const candidates = Object.entries({ dense, withinBudget, dataHeavy }).flatMap(([what, stats]) =>
    Object.entries(stats.perLanguage).map(([language, outcome]) => ({ name: `${what} ${language}`, ...outcome })),
  );
  const worst = candidates.reduce((a, b) => (b.cpuP95Ms > a.cpuP95Ms ? b : a));
  return {
    runs,
    bytes,
    parseBudget: budget,
    p95Ms: Math.max(...candidates.map((c) => c.p95Ms)),
    cpuP95Ms: worst.cpuP95Ms,
    worst: worst.name,
    parserLoadMs: round(load.ms),
    coldFirstCallMs: round(coldFirstCallMs),
    dense,
    withinBudget,
    dataHeavy,
  };
}
