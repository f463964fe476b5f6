/**
 * Which secrets an action may use, and where: the names it asks for, checked against the pinned policy's
 * bindings and the action's own allowlist. Pure: the workflow runs it when an action is submitted (the update
 * validator refuses) and again when it is assessed (the policy denies), so no path can widen a binding.
 */
import {
  describeApply,
  type CredentialPolicy,
  type CredentialUse,
  type ExecutionCredential,
} from '../schemas/credentials.js';
import { entryWithin, parseAllowEntry, type AllowEntry } from '../schemas/network.js';
import { maxRiskLevel, type RiskAssessment, type RiskFinding, type RiskLevel } from '../schemas/risk.js';

/** Rule ids of the credential findings and refusals; stable, because decisions record them. */
export const CREDENTIAL_RULE_IDS = {
  used: 'cred.used',
  refused: 'cred.refused',
} as const;

/** Used when the policy's `credentials.risk` is absent: a human sees every action that uses a secret. */
export const DEFAULT_CREDENTIAL_RISK: RiskLevel = 'medium';

export interface ResolvedCredentials {
  uses: CredentialUse[];
  execution: ExecutionCredential[];
}

function parsed(text: string): AllowEntry | undefined {
  const entry = parseAllowEntry(text);
  return typeof entry === 'string' ? undefined : entry;
}

/** The allowlist entries (canonical text) where a binding's destination and the action's allowlist meet. */
function sharedDestinations(bound: readonly string[], allow: readonly string[]): string[] {
  const shared = new Set<string>();
  for (const boundText of bound) {
    const boundEntry = parsed(boundText);
    if (!boundEntry) continue;
    for (const allowText of allow) {
      const allowEntry = parsed(allowText);
      if (!allowEntry) continue;
      // A listed entry inside the binding (api.example.com under *.example.com), or a bound name inside a
      // listed wildcard: either way only the narrower one gets the secret.
      if (entryWithin(allowEntry, { entry: boundEntry, anyPort: false })) shared.add(allowText);
      else if (boundEntry.kind !== 'wildcard' && entryWithin(boundEntry, { entry: allowEntry, anyPort: false })) shared.add(boundText);
    }
  }
  return [...shared];
}

/**
 * The secrets an action may use and where, or why it may not: a name the policy does not bind, or a secret
 * none of whose destinations the action lists, is refused with a message that says which.
 */
export function resolveCredentials(
  names: readonly string[] | undefined,
  allow: readonly string[] | undefined,
  policy: CredentialPolicy | undefined,
): ResolvedCredentials | { refused: string } {
  const uses: CredentialUse[] = [];
  const execution: ExecutionCredential[] = [];
  for (const name of names ?? []) {
    const binding = policy?.secrets[name];
    if (!binding) {
      const known = Object.keys(policy?.secrets ?? {}).sort();
      return {
        refused:
          `the secret "${name}" is not bound to any destination in the pinned policy ` +
          (known.length > 0 ? `(bound secrets: ${known.join(', ')})` : '(it binds no secrets)') +
          '; an administrator adds it under credentials.secrets',
      };
    }
    const hosts = sharedDestinations(binding.destinations, allow ?? []);
    if (hosts.length === 0) {
      return {
        refused:
          `the secret "${name}" may only be sent to ${binding.destinations.join(', ')}, and this action's ` +
          `network.allow lists none of them`,
      };
    }
    uses.push({ name, hosts, applied: describeApply(binding.apply) });
    execution.push({ name, destinations: hosts, apply: binding.apply });
  }
  return { uses, execution };
}

/** The assessment raised to the policy's credential level (default medium) when the action uses any secret. */
export function withCredentialRisk(
  assessment: RiskAssessment,
  uses: readonly CredentialUse[],
  policy: CredentialPolicy | undefined,
): RiskAssessment {
  if (uses.length === 0) return assessment;
  const level = policy?.risk ?? DEFAULT_CREDENTIAL_RISK;
  const finding: RiskFinding = {
    ruleId: CREDENTIAL_RULE_IDS.used,
    description: `uses ${uses.length === 1 ? 'a secret' : `${uses.length} secrets`} added by the egress proxy: ${uses
      .map((use) => `${use.name} for ${use.hosts.join(', ')}`)
      .join('; ')}`.slice(0, 500),
    level,
    score: 0,
    match: uses.map((use) => use.name).join(', ').slice(0, 120),
    // line 0: the finding is about the request, not a line of the code.
    line: 0,
  };
  return {
    ...assessment,
    level: maxRiskLevel(assessment.level, level),
    findings: [...assessment.findings, finding],
    ruleIds: [...new Set([...assessment.ruleIds, CREDENTIAL_RULE_IDS.used])],
  };
}
