import type { PolicyFileAnalysis } from '../../schemas/policy-file.js';
import type { AnalysisPolicy, AnalysisRuleData, LimitThresholds } from '../../schemas/policy.js';
import { riskRank, type RiskLevel } from '../../schemas/risk.js';
import { BUILT_IN_ANALYSIS_RULES, NOT_ANALYSABLE, type AnalysisRule } from './analysis-rules.js';
import { DEFAULT_PARSE_BUDGET } from './parse-budget.js';
import { DEFAULT_BASH_SAFE, DEFAULT_NODE_SAFE, DEFAULT_PYTHON_SAFE } from './safe-modules.js';

/** Requests above these need a human even for harmless code: a long, large job deserves a look. */
export const DEFAULT_LIMIT_THRESHOLDS: Required<LimitThresholds> = {
  timeoutSec: 300,
  memoryMb: 1_024,
  cpus: 2,
  pids: 512,
  outputBytes: 8 * 1024 * 1024,
};

/** The built-in analysis data as a pinnable value (a fresh copy, so callers may not alter the defaults). */
export function defaultAnalysisPolicy(): AnalysisPolicy {
  return {
    rules: BUILT_IN_ANALYSIS_RULES.map((r) => ({ ...r })),
    safe: { python: [...DEFAULT_PYTHON_SAFE], node: [...DEFAULT_NODE_SAFE], bash: [...DEFAULT_BASH_SAFE] },
    limitThresholds: { ...DEFAULT_LIMIT_THRESHOLDS },
    parseBudget: DEFAULT_PARSE_BUDGET,
  };
}

/** The floor of a rule the analyser could not see through: it is never auto-approved, whatever a policy says. */
const OPAQUE_FLOOR: RiskLevel = 'medium';

/** Rules by id, with the guarantee that "not analysable" never weighs less than medium. */
export class AnalysisRuleTable {
  private readonly byId = new Map<string, AnalysisRule>();

  constructor(rules: readonly AnalysisRuleData[]) {
    for (const rule of rules) this.byId.set(rule.id, rule);
  }

  /**
   * The pinned rule for `id`; a rule newer than the pinned table falls back to its built-in default (the analyser
   * is code, and may learn to see a new form).
   */
  get(id: string): AnalysisRule {
    const found = this.byId.get(id) ?? BUILT_IN_ANALYSIS_RULES.find((r) => r.id === id);
    if (!found) throw new Error(`unknown analysis rule ${id}`);
    const opaque = BUILT_IN_ANALYSIS_RULES.find((r) => r.id === id)?.description.startsWith(NOT_ANALYSABLE) ?? false;
    if (opaque && riskRank(found.level) < riskRank(OPAQUE_FLOOR)) return { ...found, level: OPAQUE_FLOOR };
    return found;
  }
}

/** A policy file's `analysis` section applied to the built-in data. */
export function analysisPolicyFrom(section: PolicyFileAnalysis | undefined): AnalysisPolicy {
  const base = defaultAnalysisPolicy();
  if (!section) return base;
  const languages = ['python', 'node', 'bash'] as const;
  const safe = Object.fromEntries(
    languages.map((language) => {
      const list = section.safe?.[language] ?? base.safe[language];
      return [language, [...new Set([...list, ...(section.additionalSafe?.[language] ?? [])])]];
    }),
  ) as AnalysisPolicy['safe'];
  const rules = base.rules.map((rule) => {
    const override = section.rules?.[rule.id];
    return override ? { ...rule, ...(override.level ? { level: override.level } : {}), ...(override.score !== undefined ? { score: override.score } : {}) } : rule;
  });
  return {
    rules,
    safe,
    limitThresholds: { ...base.limitThresholds, ...section.limitThresholds },
    parseBudget: section.parseBudget ?? base.parseBudget,
  };
}
