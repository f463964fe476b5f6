import type { Language } from '../schemas/action.js';
import { maxRiskLevel, riskRank, type RiskFinding, type RiskLevel } from '../schemas/risk.js';
import { levelForScore } from './level-thresholds.js';
import type { RiskRule } from './risk-rules.js';

const MAX_MATCH_CHARS = 120;
/** One rule reports at most this many matches, so a hostile file cannot bloat the record. */
const MAX_MATCHES_PER_RULE = 5;

export interface RiskScore {
  level: RiskLevel;
  score: number;
  findings: RiskFinding[];
  /** Rules that matched, most severe first. */
  ruleIds: string[];
}

/**
 * Scores code against the rules. Pure and deterministic: the same code, language and rules always give the same
 * result, which is what lets a decision be audited and replayed. A rule's score counts once however often it
 * matches.
 */
export function assessRisk(
  code: string,
  language: Language,
  rules: readonly RiskRule[],
  thresholds?: Readonly<Record<'medium' | 'high', number>>,
): RiskScore {
  const findings: RiskFinding[] = [];
  let score = 0;
  let level: RiskLevel = 'low';
  const ruleIds: string[] = [];

  for (const rule of rules) {
    if (rule.languages !== 'any' && !rule.languages.includes(language)) continue;
    const matches = findMatches(code, rule.pattern);
    if (matches.length === 0) continue;
    score += rule.score;
    level = maxRiskLevel(level, rule.level);
    ruleIds.push(rule.id);
    for (const match of matches) {
      findings.push({
        ruleId: rule.id,
        description: rule.description,
        level: rule.level,
        score: rule.score,
        match: excerpt(match.text),
        line: match.line,
      });
    }
  }
  level = maxRiskLevel(level, levelForScore(score, thresholds));
  findings.sort((a, b) => riskRank(b.level) - riskRank(a.level) || a.line - b.line);
  const severityOf = new Map(findings.map((f) => [f.ruleId, riskRank(f.level)]));
  ruleIds.sort((a, b) => (severityOf.get(b) ?? 0) - (severityOf.get(a) ?? 0));
  return { level, score, findings, ruleIds };
}

function findMatches(code: string, pattern: RegExp): { text: string; line: number }[] {
  const global = pattern.flags.includes('g') ? pattern : new RegExp(pattern.source, `${pattern.flags}g`);
  const found: { text: string; line: number }[] = [];
  for (const match of code.matchAll(global)) {
    found.push({ text: match[0], line: lineOf(code, match.index ?? 0) });
    if (found.length >= MAX_MATCHES_PER_RULE) break;
  }
  return found;
}

function lineOf(code: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (code.charCodeAt(i) === 10) line++;
  return line;
}

function excerpt(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_MATCH_CHARS ? `${oneLine.slice(0, MAX_MATCH_CHARS - 1)}…` : oneLine;
}
