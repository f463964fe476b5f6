import type { RiskRuleData } from '../schemas/policy.js';
import type { RiskRule } from './risk-rules.js';

/** A rule as data (pattern source and flags), so a pinned policy can carry its rules through workflow history. */
export function toRuleData(rule: RiskRule): RiskRuleData {
  return {
    id: rule.id,
    description: rule.description,
    languages: rule.languages === 'any' ? 'any' : [...rule.languages],
    pattern: rule.pattern.source,
    flags: rule.pattern.flags,
    score: rule.score,
    level: rule.level,
  };
}

/** The inverse of toRuleData; `g` and `m` are always added so every match is found with its line. */
export function fromRuleData(data: RiskRuleData): RiskRule {
  const flags = [...new Set(`${data.flags}gm`)].join('');
  return {
    id: data.id,
    description: data.description,
    languages: data.languages,
    pattern: new RegExp(data.pattern, flags),
    score: data.score,
    level: data.level,
  };
}
