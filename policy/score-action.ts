/**
 * Scores everything an action would run: its code, read from a syntax tree by the language's analyser; the input
 * files that are code (by extension or `#!`), and code handed to interpreters or eval as constants; the text
 * rules over all of it and over the strings the code builds; and requested limits above the review thresholds.
 * Parsing draws on the pinned analysis budget (analysis/parse-budget.ts): code past it is not analysable, which
 * bounds the cost of one score. Deterministic: the same input and pinned policy always give the same score.
 */
import { performance } from 'node:perf_hooks';
import type { Language, ResourceLimits } from '../schemas/action.js';
import type { AnalysisPolicy, LevelThresholds, RiskRuleData } from '../schemas/policy.js';
import { maxRiskLevel, riskRank, type RiskFinding, type RiskLevel } from '../schemas/risk.js';
import { AnalysisRuleTable } from './analysis/analysis-policy.js';
import type { AnalyserContext, AnalyserReport } from './analysis/analysis-result.js';
import { analyseBash } from './analysis/bash-analyser.js';
import { fileKind } from './analysis/code-files.js';
import { limitsAboveThresholds } from './analysis/limit-risk.js';
import { analyseNode } from './analysis/node-analyser.js';
import { DEFAULT_PARSE_BUDGET, ParseBudget } from './analysis/parse-budget.js';
import { syntaxParsers, withSyntaxTree, type SyntaxTree } from './analysis/parsers.js';
import { analysePython } from './analysis/python-analyser.js';
import { assessRisk, type RiskScore } from './assess-risk.js';
import { levelForScore } from './level-thresholds.js';
import { fromRuleData } from './rule-data.js';
import type { RiskRule } from './risk-rules.js';
import { ScoreCache } from './score-cache.js';
import { escapeHiddenCharacters } from '../schemas/hidden-characters.js';

/** The text rule for control characters, ANSI escapes, bidi overrides and zero-width characters. */
const HIDDEN_CHARACTERS_RULE_ID = 'any.hidden-characters';

/** What is scored: the action as submitted. */
export interface ScoredAction {
  language: Language;
  code: string;
  files?: Record<string, string>;
  limits?: ResourceLimits;
}

/** Where one scoring spent its time, in milliseconds summed over the action and everything nested in it. */
export interface ScoringPhases {
  /** Tree-sitter building the syntax trees. */
  parseMs: number;
  /** The language analysers walking the trees. */
  analyseMs: number;
  /** The text rules over the code and the strings it builds. */
  textMs: number;
  /** Freeing the trees (they live in WASM memory). */
  freeMs: number;
}

/** How one call scores: `fresh` skips the cache (the benchmark's honest cost), `phases` collects timings. */
export interface ScoreOptions {
  fresh?: boolean;
  phases?: ScoringPhases;
}

/** The pinned data scoring reads. */
export interface ScoringPolicy {
  /** Text rules (regular expressions), built-in or from the policy file. */
  rules: readonly RiskRuleData[];
  thresholds?: LevelThresholds;
  analysis: AnalysisPolicy;
}

/** The finding of code the analysis budget did not reach. */
const BUDGET_RULE_ID = 'analysis.budget';
/** Constant code handed to exec/eval/`bash -c` is followed this deep; deeper is not analysable. */
const MAX_NESTING = 4;
/** Findings kept per rule, so a hostile file cannot bloat the record. */
const MAX_FINDINGS_PER_RULE = 5;

type Analyser = (code: string, tree: SyntaxTree, context: AnalyserContext) => AnalyserReport;
const ANALYSERS: Readonly<Record<Language, Analyser>> = { python: analysePython, node: analyseNode, bash: analyseBash };

/** A compiled policy, reusable across actions (compiling regexes once per policy version keeps cost flat). */
export class ActionScorer {
  private readonly table: AnalysisRuleTable;
  private readonly textRules: readonly RiskRule[];
  private readonly cache = new ScoreCache();

  constructor(private readonly policy: ScoringPolicy) {
    this.table = new AnalysisRuleTable(policy.analysis.rules);
    this.textRules = policy.rules.map(fromRuleData);
  }

  /**
   * Scores one action; loads the parsers on first use (once per process). The same action scored again by this
   * scorer (same policy version) comes from the cache unless `fresh` is set; the result is the same either way.
   */
  async score(action: ScoredAction, options: ScoreOptions = {}): Promise<RiskScore> {
    const key = ScoreCache.keyOf(action);
    if (!options.fresh) {
      const cached = this.cache.get(key);
      if (cached) return cached;
    }
    const scored = await this.scoreFresh(action, options.phases);
    this.cache.set(key, scored);
    return scored;
  }

  private async scoreFresh(action: ScoredAction, phases: ScoringPhases | undefined): Promise<RiskScore> {
    const parsers = await syntaxParsers();
    const clock = phaseClock(phases);
    const findings: RiskFinding[] = [];
    const files = action.files ?? {};
    const context = (language: Language): AnalyserContext => ({ safe: this.policy.analysis.safe[language], files: new Set(Object.keys(files)) });
    const analysedFiles = new Set<string>();

    // One budget for everything this action would run, spent in a fixed order: the code, what it runs, then the
    // remaining code files by path. Once it is spent nothing more is parsed.
    const budget = new ParseBudget(this.policy.analysis.parseBudget ?? DEFAULT_PARSE_BUDGET);

    const analyse = (code: string, language: Language, origin: string | undefined, depth: number): void => {
      const source = language === 'python' ? code.normalize('NFKC') : code;
      let report: AnalyserReport | undefined;
      if (!budget.exhausted) {
        report = withSyntaxTree(parsers, language, source, (tree) => ANALYSERS[language](source, tree, context(language)), clock, budget);
        if (!report) {
          const line = lineAtIndex(source, budget.stoppedAt?.index ?? 0);
          findings.push(this.finding(BUDGET_RULE_ID, line, `parsing stopped at line ${line} when the budget of ${budget.steps} parser steps was spent`, origin));
        }
      }
      for (const f of report?.findings ?? []) findings.push(this.finding(f.ruleId, f.line, f.match, origin));
      // The text rules read every text, parsed or not: they cost time in proportion to its size, which the size
      // limits bound, and they keep `rm -rf /` critical behind any amount of padding.
      clock('textMs', () => {
        const text = assessRisk(source, language, this.textRules);
        for (const f of text.findings) findings.push(withOrigin(f, origin));
        for (const derived of report?.derivedTexts ?? []) {
          for (const f of assessRisk(derived.text, language, this.textRules).findings) findings.push(withOrigin({ ...f, line: derived.line }, origin));
        }
      });
      for (const nested of report?.nested ?? []) {
        if (nested.kind === 'file') {
          if (analysedFiles.has(nested.path)) continue;
          analysedFiles.add(nested.path);
          analyse(files[nested.path] ?? '', nested.language, `input file ${nested.path}`, depth);
        } else if (depth >= MAX_NESTING) {
          findings.push(this.finding(`${prefixOf(nested.language)}.dynamic-code`, nested.line, 'code nested deeper than the analyser follows', origin));
        } else {
          analyse(nested.code, nested.language, `code run from line ${nested.line}${origin ? ` of ${origin}` : ''}`, depth + 1);
        }
      }
    };

    analyse(action.code, action.language, undefined, 0);
    for (const [path, content] of Object.entries(files).sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (analysedFiles.has(path)) continue;
      const kind = fileKind(path, content);
      if (kind.kind === 'code') {
        analysedFiles.add(path);
        analyse(content, kind.language, `input file ${path}`, 0);
      } else if (kind.kind === 'foreign-code') {
        findings.push(this.finding('files.unknown-code', 1, `${path} (${kind.interpreter})`, `input file ${path}`));
      }
    }
    // What a reviewer reads must be what lands in /workspace: hidden characters in any file, data files included,
    // and in file names raise the same finding as in code (code files had it from the text rules above).
    const hiddenRules = this.textRules.filter((rule) => rule.id === HIDDEN_CHARACTERS_RULE_ID);
    for (const [path, content] of Object.entries(files).sort(([a], [b]) => (a < b ? -1 : 1))) {
      for (const f of assessRisk(path, action.language, hiddenRules).findings) findings.push(withOrigin({ ...f, line: 0 }, `the name of input file ${escapeHiddenCharacters(path)}`));
      if (analysedFiles.has(path)) continue;
      for (const f of assessRisk(content, action.language, hiddenRules).findings) findings.push(withOrigin(f, `input file ${path}`));
    }
    const above = limitsAboveThresholds(action.limits, this.policy.analysis.limitThresholds);
    if (above.length > 0) findings.push(this.finding('limits.above-threshold', 0, above.join(', '), undefined));
    return summarise(findings, this.policy.thresholds);
  }

  private finding(ruleId: string, line: number, match: string, origin: string | undefined): RiskFinding {
    const rule = this.table.get(ruleId);
    return withOrigin({ ruleId, description: rule.description, level: rule.level, score: rule.score, match, line }, origin);
  }
}

type PhaseClock = <T>(phase: keyof ScoringPhases, run: () => T) => T;

/** Runs a step and adds its wall time to `phases`, when timings are asked for. */
function phaseClock(phases: ScoringPhases | undefined): PhaseClock {
  if (!phases) return (_phase, run) => run();
  return (phase, run) => {
    const started = performance.now();
    try {
      return run();
    } finally {
      phases[phase] += performance.now() - started;
    }
  };
}

/** 1-based line of a character offset. */
function lineAtIndex(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function prefixOf(language: Language): string {
  return language === 'python' ? 'py' : language === 'node' ? 'js' : 'sh';
}

function withOrigin(finding: RiskFinding, origin: string | undefined): RiskFinding {
  return origin ? { ...finding, description: `${finding.description} (in ${origin})` } : finding;
}

/** Adds each rule's score once, applies the floors and thresholds, orders findings most severe first. */
function summarise(all: readonly RiskFinding[], thresholds: LevelThresholds | undefined): RiskScore {
  const perRule = new Map<string, RiskFinding[]>();
  for (const f of all) {
    const list = perRule.get(f.ruleId) ?? [];
    if (list.length < MAX_FINDINGS_PER_RULE && !list.some((g) => g.line === f.line && g.match === f.match && g.description === f.description)) list.push(f);
    perRule.set(f.ruleId, list);
  }
  let score = 0;
  let level: RiskLevel = 'low';
  const ruleLevel = new Map<string, RiskLevel>();
  for (const [ruleId, list] of perRule) {
    const top = list.reduce((a, b) => (riskRank(b.level) > riskRank(a.level) ? b : a));
    score += top.score;
    level = maxRiskLevel(level, top.level);
    ruleLevel.set(ruleId, top.level);
  }
  level = maxRiskLevel(level, levelForScore(score, thresholds));
  const findings = [...perRule.values()].flat().sort((a, b) => riskRank(b.level) - riskRank(a.level) || a.line - b.line || (a.ruleId < b.ruleId ? -1 : 1));
  const ruleIds = [...perRule.keys()].sort((a, b) => riskRank(ruleLevel.get(b)!) - riskRank(ruleLevel.get(a)!) || (a < b ? -1 : 1));
  return { level, score, findings, ruleIds };
}
