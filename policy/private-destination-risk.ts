import {
  DOCKER_API_PORTS,
  entryWithin,
  isLoopbackName,
  parseAllowEntry,
  parseDenyEntry,
  privateAddressReason,
  WELL_KNOWN_CONTROL_PLANE_PORTS,
  type AllowEntry,
  type DenyEntry,
  type NetworkPolicy,
  type NetworkRequest,
} from '../schemas/network.js';
import type { RiskFinding } from '../schemas/risk.js';

/** Rule ids of these findings; stable, because decisions record them. */
export const PRIVATE_DESTINATION_RULE_IDS = {
  privateDestination: 'net.private-destination',
  controlPlane: 'net.control-plane',
} as const;

function finding(ruleId: string, description: string, match: string): RiskFinding {
  // line 0: the finding is about the request, not a line of the code.
  return { ruleId, description, level: 'critical', score: 0, match, line: 0 };
}

/** Why the entry, as written, reaches a loopback or private address; undefined for names and public addresses. */
function privateReason(entry: AllowEntry): string | undefined {
  if (entry.kind === 'ip') return privateAddressReason(entry.host);
  if (entry.kind === 'name' && isLoopbackName(entry.host)) return `${entry.host} is loopback`;
  return undefined;
}

/**
 * Critical findings for entries that name loopback or private destinations: a literal loopback or private
 * address (or a loopback name) is denied unless the policy lists it under `network.privateDestinations`; an
 * entry on a control-plane port of such an address, or on the Docker API's ports anywhere, is denied whatever
 * the policy lists. Names are judged by the egress proxy when they resolve. Pure.
 */
export function privateDestinationFindings(network: NetworkRequest | undefined, policy: NetworkPolicy): RiskFinding[] {
  if (!network) return [];
  const opted = (policy.privateDestinations ?? [])
    .map((text) => parseDenyEntry(text))
    .filter((d): d is DenyEntry => typeof d !== 'string');
  const findings: RiskFinding[] = [];
  for (const text of network.allow) {
    const entry = parseAllowEntry(text);
    if (typeof entry === 'string') continue;
    const reason = privateReason(entry);
    const optedIn = opted.some((cover) => entryWithin(entry, cover));
    if (DOCKER_API_PORTS.includes(entry.port) || ((reason || optedIn) && WELL_KNOWN_CONTROL_PLANE_PORTS.includes(entry.port))) {
      findings.push(
        finding(
          PRIVATE_DESTINATION_RULE_IDS.controlPlane,
          `allows port ${entry.port}, a control-plane port (Temporal, Docker): never a destination`,
          text,
        ),
      );
    } else if (reason && !optedIn) {
      findings.push(
        finding(
          PRIVATE_DESTINATION_RULE_IDS.privateDestination,
          `allows ${reason}; only destinations the policy lists under network.privateDestinations may be private`,
          text,
        ),
      );
    }
  }
  return findings;
}
