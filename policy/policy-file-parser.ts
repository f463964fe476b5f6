/**
 * Parses `airlock.policy.yaml` text into the snapshot a run pins. Every problem names its line and field; the
 * version is the sha256 of the file's bytes, so the same file always means the same version.
 */
import { createHash } from 'node:crypto';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { PolicyFileSchema, type PolicyFile, type PolicyFileLevel, type PolicyFileRule } from '../schemas/policy-file.js';
import type { PolicySigner } from '../schemas/signed-decision.js';
import type { LevelGate, PolicySnapshot, RiskRuleData } from '../schemas/policy.js';
import { RISK_LEVELS } from '../schemas/risk.js';
import { DEFAULT_GATES } from './gate.js';
import { LEVEL_THRESHOLDS } from './level-thresholds.js';
import { PolicyFileError, type PolicyFileIssue } from './policy-file-error.js';
import { analysisPolicyFrom } from './analysis/analysis-policy.js';
import { BUILT_IN_ANALYSIS_RULES } from './analysis/analysis-rules.js';
import { toRuleData } from './rule-data.js';
import { BUILT_IN_RULES } from './risk-rules.js';
import { parsePublicKey, policySigner } from './signer-key.js';

export interface ParsePolicyOptions {
  /** Shown in errors and recorded as the snapshot's source. */
  source: string;
  /** AIRLOCK_APPROVERS: a further restriction, mixed into the version when set. */
  approvers?: string[] | null;
  /**
   * Reads a signer's `publicKeyFile` (the loader resolves it against AIRLOCK_HOME): the key as hex, or undefined
   * when the file does not exist yet (that signer is then left out, which only ever refuses more).
   */
  readPublicKeyFile?: (file: string) => string | undefined;
}

/** Parses and validates policy text. @throws PolicyFileError naming line and field of each problem. */
export function parsePolicyText(text: string, options: ParsePolicyOptions): PolicySnapshot {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new PolicyFileError(
      options.source,
      doc.errors.map((err) => {
        const pos = lineCounter.linePos(err.pos[0]);
        return { line: pos.line, column: pos.col, field: '', message: err.message.split('\n')[0] ?? err.message };
      }),
    );
  }
  const parsed = PolicyFileSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    throw new PolicyFileError(options.source, parsed.error.issues.map((issue) => locateIssue(doc, lineCounter, issue)));
  }
  const file = parsed.data;
  const ruleIssues = duplicateRuleIssues(doc, lineCounter, file);
  if (ruleIssues.length > 0) throw new PolicyFileError(options.source, ruleIssues);

  const approvers = options.approvers ? [...new Set(options.approvers)].sort() : null;
  const signers = signersOf(doc, lineCounter, file, options);
  const hash = createHash('sha256').update(text, 'utf8');
  // AIRLOCK_APPROVERS changes outcomes too, so it must change the version; without it the version is the file's hash.
  if (approvers) hash.update(`\n#AIRLOCK_APPROVERS=${approvers.join(',')}`);
  // Keys read from files decide who can sign: they are part of the version like the file's own text.
  const fromFiles = signers.filter((s) => file.signers?.some((entry) => entry.name === s.name && entry.publicKeyFile !== undefined));
  if (fromFiles.length > 0) hash.update(`\n#signers=${fromFiles.map((s) => `${s.name}:${s.publicKey}`).join(',')}`);
  return {
    version: hash.digest('hex'),
    gates: Object.fromEntries(RISK_LEVELS.map((level) => [level, toGate(level, file.levels?.[level])])) as PolicySnapshot['gates'],
    approvers,
    ...(file.principals ? { principals: file.principals } : {}),
    rules: rulesOf(file),
    analysis: analysisPolicyFrom(file.analysis),
    thresholds: file.thresholds ?? { ...LEVEL_THRESHOLDS },
    ...(file.channels ? { channels: file.channels } : {}),
    ...(file.callbacks ? { callbacks: file.callbacks } : {}),
    ...(file.network ? { network: file.network } : {}),
    ...(file.credentials ? { credentials: file.credentials } : {}),
    ...(file.isolation ? { isolation: file.isolation } : {}),
    ...(file.limitBounds ? { limitBounds: file.limitBounds } : {}),
    ...(file.signers ? { signers } : {}),
    source: options.source,
  };
}

function signersOf(doc: Document, lineCounter: LineCounter, file: PolicyFile, options: ParsePolicyOptions): PolicySigner[] {
  const signers: PolicySigner[] = [];
  const issues: PolicyFileIssue[] = [];
  (file.signers ?? []).forEach((entry, index) => {
    let key: string | undefined;
    if (entry.publicKey !== undefined) {
      key = parsePublicKey(entry.publicKey);
      if (!key) issues.push(at(doc, lineCounter, ['signers', index, 'publicKey'], 'not an Ed25519 public key (64 hex digits or base64 of 32 bytes)'));
    } else if (entry.publicKeyFile !== undefined) {
      if (!options.readPublicKeyFile) {
        issues.push(at(doc, lineCounter, ['signers', index, 'publicKeyFile'], 'key files cannot be read here; give the key inline as publicKey'));
      } else {
        try {
          key = options.readPublicKeyFile(entry.publicKeyFile);
        } catch (err) {
          issues.push(at(doc, lineCounter, ['signers', index, 'publicKeyFile'], (err as Error).message));
        }
      }
    }
    if (key) signers.push(policySigner(entry.name, key));
  });
  if (issues.length > 0) throw new PolicyFileError(options.source, issues);
  return signers;
}

function toGate(level: (typeof RISK_LEVELS)[number], entry: PolicyFileLevel | undefined): LevelGate {
  const base = DEFAULT_GATES[level];
  if (!entry) return { ...base };
  return {
    mode: entry.mode,
    quorum: entry.quorum ?? base.quorum,
    ...(entry.roles ? { roles: entry.roles } : {}),
    ...(entry.timeout !== undefined ? { timeoutMs: entry.timeout } : {}),
    ...(entry.notify ? { notify: entry.notify } : {}),
    ...(entry.escalation
      ? {
          escalation: entry.escalation
            .map((step) => ({ afterMs: step.after, channels: step.notify, roles: step.roles }))
            .sort((a, b) => a.afterMs - b.afterMs),
        }
      : {}),
  };
}

function rulesOf(file: PolicyFile): RiskRuleData[] {
  const base = file.rules ? file.rules.map(fileRuleData) : BUILT_IN_RULES.map(toRuleData);
  return [...base, ...(file.additionalRules ?? []).map(fileRuleData)];
}

function fileRuleData(rule: PolicyFileRule): RiskRuleData {
  return { ...rule, flags: [...new Set(`${rule.flags}gm`)].join('') };
}

function duplicateRuleIssues(doc: Document, lineCounter: LineCounter, file: PolicyFile): PolicyFileIssue[] {
  const issues: PolicyFileIssue[] = [];
  // Text rules and analyser rules share one id space: a decision names the rule by id alone.
  const seen = new Set<string>([...(file.rules ? [] : BUILT_IN_RULES.map((r) => r.id)), ...BUILT_IN_ANALYSIS_RULES.map((r) => r.id)]);
  const lists = [['rules', file.rules ?? []], ['additionalRules', file.additionalRules ?? []]] as const;
  for (const id of Object.keys(file.analysis?.rules ?? {})) {
    if (!BUILT_IN_ANALYSIS_RULES.some((r) => r.id === id)) {
      issues.push(at(doc, lineCounter, ['analysis', 'rules', id], `no analyser rule has the id "${id}"`, true));
    }
  }
  for (const [key, rules] of lists) {
    rules.forEach((rule, index) => {
      if (seen.has(rule.id)) {
        issues.push(at(doc, lineCounter, [key, index, 'id'], `rule id "${rule.id}" is already in use; rule ids are unique`));
      }
      seen.add(rule.id);
    });
  }
  return issues;
}

function locateIssue(doc: Document, lineCounter: LineCounter, issue: z.core.$ZodIssue): PolicyFileIssue {
  const path = issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key));
  // Unknown keys are reported on their parent; point at the first offending key instead.
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) {
    return at(doc, lineCounter, [...path, issue.keys[0]!], `unknown key "${issue.keys.join('", "')}"`, true);
  }
  return at(doc, lineCounter, path, unionMessage(issue) ?? issue.message);
}

/** A union's own message is "Invalid input"; the branch that explains itself (a custom message) says more. */
function unionMessage(issue: z.core.$ZodIssue): string | undefined {
  if (issue.code !== 'invalid_union') return undefined;
  const branches = issue.errors.flat();
  return (branches.find((branch) => branch.code === 'custom') ?? branches.find((branch) => branch.code !== 'invalid_type'))?.message;
}

/** Places a message at the YAML node for `path`, or its nearest ancestor when the node is missing. */
function at(
  doc: Document,
  lineCounter: LineCounter,
  path: readonly (string | number)[],
  message: string,
  keyNode = false,
): PolicyFileIssue {
  const field = path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i > 0 ? '.' : ''}${key}`)).join('');
  for (let depth = path.length; depth >= 0; depth--) {
    const offset = keyNode && depth === path.length ? keyOffset(doc, path) : nodeOffset(doc, path.slice(0, depth));
    if (offset !== undefined) {
      const pos = lineCounter.linePos(offset);
      return { line: pos.line, column: pos.col, field, message };
    }
  }
  return { field, message };
}

function nodeOffset(doc: Document, path: readonly (string | number)[]): number | undefined {
  const node = path.length === 0 ? doc.contents : doc.getIn(path, true);
  return isNode(node) && node.range ? node.range[0] : undefined;
}

function keyOffset(doc: Document, path: readonly (string | number)[]): number | undefined {
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  if (!parent || typeof parent !== 'object' || !('items' in parent)) return undefined;
  const items = (parent as { items: Array<{ key?: unknown }> }).items;
  const pair = items.find((item) => isNode(item.key) && (item.key as { value?: unknown }).value === path.at(-1));
  const key = pair?.key;
  return isNode(key) && key.range ? key.range[0] : undefined;
}
