/**
 * Warnings for a policy file that is valid but says something it does not mean: text rules that can never match,
 * analyser weights the floor overrides, safe entries another rule always decides first. Each carries its line.
 */
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { PolicySnapshot } from '../schemas/policy.js';
import { riskRank } from '../schemas/risk.js';
import { BUILT_IN_ANALYSIS_RULES, NOT_ANALYSABLE } from './analysis/analysis-rules.js';
import { bashCategoryOf } from './analysis/bash-analyser.js';
import { nodeCategoryOf } from './analysis/node-analyser.js';
import { pythonCategoryOf } from './analysis/python-analyser.js';

export interface PolicyWarning {
  line?: number;
  field: string;
  message: string;
}

/** Shapes of a regular expression that no text can satisfy. */
const ANCHORS: readonly [RegExp, string][] = [
  [/(?<!\\)\$(?![)|]|$|\\[nsZz]|\?)/, 'text after an end-of-line anchor ($) can never follow it'],
  [/(?<![\\(|^?:=!]|\\n)(?<=.)\^/, 'a start-of-line anchor (^) after other text can never match'],
];
const IMPOSSIBLE: readonly [RegExp, string][] = [
  [/\(\?!\)/, 'an empty negative lookahead (?!) never matches'],
  [/(?<!\\)\[\](?!\])/, 'an empty character class [] never matches'],
  [/\[\^\\s\\S\]|\[\^\\d\\D\]|\[\^\\w\\W\]/, 'a class that excludes every character never matches'],
  [/\\b\\B|\\B\\b/, 'a word boundary that is also not one never matches'],
];

/** Warnings for `text`, already validated into `policy`. */
export function lintPolicy(text: string, policy: PolicySnapshot): PolicyWarning[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const lineAt = (path: (string | number)[]) => lineOf(doc, lineCounter, path);
  const warnings: PolicyWarning[] = [];
  const file = (doc.toJS() ?? {}) as { rules?: { pattern?: string }[]; additionalRules?: { pattern?: string }[]; analysis?: { rules?: Record<string, { level?: string }>; safe?: Record<string, string[]>; additionalSafe?: Record<string, string[]> } };

  for (const key of ['rules', 'additionalRules'] as const) {
    (file[key] ?? []).forEach((rule, index) => {
      const source = rule.pattern ?? '';
      // Anchors are judged outside character classes, where `$` and `^` are plain characters.
      const outsideClasses = source.replace(/\[(?:\\.|[^\]\\])*\]/g, 'X');
      const checks = [...ANCHORS.map(([shape, why]) => [shape, why, outsideClasses] as const), ...IMPOSSIBLE.map(([shape, why]) => [shape, why, source] as const)];
      for (const [shape, why, subject] of checks) {
        if (shape.test(subject)) {
          warnings.push({ line: lineAt([key, index, 'pattern']), field: `${key}[${index}].pattern`, message: `can never match: ${why}` });
          break;
        }
      }
    });
  }

  for (const [id, override] of Object.entries(file.analysis?.rules ?? {})) {
    const builtIn = BUILT_IN_ANALYSIS_RULES.find((r) => r.id === id);
    if (builtIn?.description.startsWith(NOT_ANALYSABLE) && override.level && riskRank(override.level as 'low') < riskRank('medium')) {
      warnings.push({
        line: lineAt(['analysis', 'rules', id, 'level']),
        field: `analysis.rules.${id}.level`,
        message: `${id} is about code the analyser cannot see through: it stays at least medium, level ${override.level} has no effect`,
      });
    }
  }

  const categoryOf = { python: pythonCategoryOf, node: nodeCategoryOf, bash: bashCategoryOf } as const;
  for (const list of ['safe', 'additionalSafe'] as const) {
    for (const language of ['python', 'node', 'bash'] as const) {
      (file.analysis?.[list]?.[language] ?? []).forEach((entry, index) => {
        const rule = categoryOf[language](entry);
        if (rule) {
          warnings.push({
            line: lineAt(['analysis', list, language, index]),
            field: `analysis.${list}.${language}[${index}]`,
            message: `"${entry}" never counts as safe: rule ${rule} judges it first`,
          });
        }
      });
    }
  }
  if (policy.gates.low?.mode !== 'auto') {
    warnings.push({ line: lineAt(['levels', 'low', 'mode']), field: 'levels.low.mode', message: 'nothing is approved without a human: every action waits or is denied' });
  }
  return warnings;
}

function lineOf(doc: Document, lineCounter: LineCounter, path: (string | number)[]): number | undefined {
  for (let depth = path.length; depth > 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}
