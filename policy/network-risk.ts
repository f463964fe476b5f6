import {
  DEFAULT_DENY_HOSTS,
  DEFAULT_MAX_HOSTS,
  parseAllowEntry,
  parseDenyEntry,
  type AllowEntry,
  type DenyEntry,
  type NetworkPolicy,
  type NetworkRequest,
} from '../schemas/network.js';
import { privateDestinationFindings } from './private-destination-risk.js';
import { maxRiskLevel, type RiskAssessment, type RiskFinding } from '../schemas/risk.js';

/** Applies when the policy says nothing about network access. */
export const DEFAULT_NETWORK_POLICY: NetworkPolicy = {
  denyHosts: [...DEFAULT_DENY_HOSTS],
  maxHosts: DEFAULT_MAX_HOSTS,
};

/** Rule ids of the network findings; stable, because decisions record them. */
export const NETWORK_RULE_IDS = {
  egressRequested: 'net.egress-requested',
  deniedHost: 'net.denied-host',
  tooManyHosts: 'net.too-many-hosts',
} as const;

function isUnder(name: string, domain: string): boolean {
  return name.endsWith(`.${domain}`);
}

/** Whether an allow entry could reach anything the deny entry names. A denied wildcard covers every depth. */
function overlaps(allow: AllowEntry, deny: DenyEntry): boolean {
  if (!deny.anyPort && deny.entry.port !== allow.port) return false;
  const d = deny.entry;
  if (allow.kind === 'wildcard') {
    if (d.kind === 'wildcard') return allow.domain === d.domain || isUnder(allow.domain, d.domain);
    // `*.example.com` reaches exactly the names one label under example.com.
    return isUnder(d.host, allow.domain) && !d.host.slice(0, -allow.domain.length - 1).includes('.');
  }
  if (d.kind === 'wildcard') return isUnder(allow.host, d.domain);
  return allow.host === d.host;
}

function finding(ruleId: string, description: string, level: RiskFinding['level'], match: string): RiskFinding {
  // line 0: the finding is about the request, not a line of the code.
  return { ruleId, description, level, score: 0, match, line: 0 };
}

/**
 * Network findings for an action: any allowlist makes it at least medium (a human looks at it); an entry that
 * reaches a denylisted destination, or more entries than the policy allows, makes it critical (denied). Pure.
 */
export function networkFindings(network: NetworkRequest | undefined, policy: NetworkPolicy): RiskFinding[] {
  if (!network || network.allow.length === 0) return [];
  const findings: RiskFinding[] = [
    finding(
      NETWORK_RULE_IDS.egressRequested,
      'asks for network access (through the egress proxy, to the listed destinations only)',
      'medium',
      network.allow.join(', ').slice(0, 120),
    ),
  ];
  if (network.allow.length > policy.maxHosts) {
    findings.push(
      finding(
        NETWORK_RULE_IDS.tooManyHosts,
        `lists ${network.allow.length} destinations; the policy allows at most ${policy.maxHosts}`,
        'critical',
        String(network.allow.length),
      ),
    );
  }
  // The schema validated the entries; an invalid one (a snapshot made by hand) cannot match anything.
  const denied = policy.denyHosts.map((text) => parseDenyEntry(text)).filter((d): d is DenyEntry => typeof d !== 'string');
  for (const text of network.allow) {
    const allow = parseAllowEntry(text);
    if (typeof allow === 'string') continue;
    const hit = denied.find((d) => overlaps(allow, d));
    if (hit) {
      findings.push(finding(NETWORK_RULE_IDS.deniedHost, 'allows a destination on the policy\'s network denylist', 'critical', text));
    }
  }
  findings.push(...privateDestinationFindings(network, policy));
  return findings;
}

/** The assessment with the network findings folded in: levels raised, rule ids added (most severe first). */
export function withNetworkRisk(
  assessment: RiskAssessment,
  network: NetworkRequest | undefined,
  policy: NetworkPolicy = DEFAULT_NETWORK_POLICY,
): RiskAssessment {
  const extra = networkFindings(network, policy);
  if (extra.length === 0) return assessment;
  let level = assessment.level;
  for (const f of extra) level = maxRiskLevel(level, f.level);
  const critical = extra.filter((f) => f.level === 'critical').map((f) => f.ruleId);
  const others = extra.filter((f) => f.level !== 'critical').map((f) => f.ruleId);
  const ruleIds = [...new Set([...critical, ...assessment.ruleIds, ...others])];
  return { ...assessment, level, findings: [...extra.filter((f) => f.level === 'critical'), ...assessment.findings, ...extra.filter((f) => f.level !== 'critical')], ruleIds };
}

/** The sandbox's network request: the allowlist, with the policy's private destinations when it lists any. */
export function withPrivateDestinations(
  network: { allow: string[] },
  policy: NetworkPolicy | undefined,
): { allow: string[]; privateDestinations?: string[] } {
  const privateDestinations = policy?.privateDestinations;
  return privateDestinations && privateDestinations.length > 0 ? { ...network, privateDestinations: [...privateDestinations] } : network;
}
