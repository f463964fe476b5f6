import type { BlockList } from 'node:net';
import { classifyIp, connectAddress, formatIp, parseIp } from '../../schemas/ip-address.js';
import { DOCKER_API_PORTS } from '../../schemas/network.js';
import type { ControlPlane } from './control-plane.js';

/** What the proxy knows about this host when it judges an address. */
export interface AddressContext {
  /** The host's own interface addresses and every Docker network's subnet: private, whatever their range. */
  hostAddresses: BlockList;
  controlPlane: ControlPlane;
  /** The control plane's endpoints as addresses (their names resolved), canonical text. */
  controlPlaneAddresses: readonly { address: string; port: number }[];
}

/** Connect here (canonical text; an IPv6 spelling of an IPv4 address becomes that address), or refuse with why. */
export type AddressJudgement = { address: string } | { refused: string };

/**
 * Judges the addresses a destination is (a literal) or resolves to (a name), as bytes: every address must be
 * fit, or the destination is refused, so one bad answer poisons a name. Forbidden ranges (metadata, link-local,
 * multicast, ...) and the control plane are refused always; loopback, private, host and Docker-network
 * addresses only when the policy names the destination as private (`privateAllowed`). Opens no connection.
 */
export function judgeAddresses(input: {
  port: number;
  addresses: readonly string[];
  privateAllowed: boolean;
  context: AddressContext;
}): AddressJudgement {
  const { port, context } = input;
  let first: string | undefined;
  for (const text of input.addresses) {
    const parsed = parseIp(text);
    if (!parsed) return { refused: `the resolver answered ${JSON.stringify(text.slice(0, 60))}, which is not an address` };
    const target = connectAddress(parsed);
    const address = formatIp(target);
    const verdict = classifyIp(parsed);
    const shown = verdict.embeddedIpv4 ? `${text} (${verdict.embeddedIpv4})` : text;
    if (verdict.class === 'forbidden') return { refused: `${shown} is ${verdict.range}` };
    const hostOwn = context.hostAddresses.check(address, target.family === 4 ? 'ipv4' : 'ipv6');
    const local = verdict.class === 'private' || hostOwn;
    const controlPlane =
      DOCKER_API_PORTS.includes(port) ||
      (local && context.controlPlane.ports.has(port)) ||
      context.controlPlaneAddresses.some((endpoint) => endpoint.port === port && endpoint.address === address);
    if (controlPlane) return { refused: `${shown} port ${port} is Airlock's control plane, never a destination` };
    if (local && !input.privateAllowed) {
      const what = verdict.class === 'private' ? verdict.range : 'an address of this host or of a Docker network';
      return {
        refused: `${shown} is ${what}; a private destination must be listed in the policy's network.privateDestinations`,
      };
    }
    first ??= address;
  }
  return first ? { address: first } : { refused: 'the name has no addresses' };
}
