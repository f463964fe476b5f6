import { BlockList } from 'node:net';
import { networkInterfaces } from 'node:os';
import type Docker from 'dockerode';
import { parseIp } from '../../schemas/ip-address.js';

/**
 * This host's own addresses and every Docker network's subnet, as a block list: a destination there is this host
 * or a container on it, whatever its range (a cloud VM's public address is on its own interface). Read when an
 * action's egress opens, so networks made since are included.
 */
export async function hostAddressBlockList(docker: Docker): Promise<BlockList> {
  const list = new BlockList();
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) {
      const bare = a.address.split('%')[0] as string;
      if (parseIp(bare)) list.addAddress(bare, a.family === 'IPv4' ? 'ipv4' : 'ipv6');
    }
  }
  const networks = (await docker.listNetworks()) as { IPAM?: { Config?: { Subnet?: string; Gateway?: string }[] } }[];
  for (const network of networks) {
    for (const config of network.IPAM?.Config ?? []) {
      const [prefix, bits] = (config.Subnet ?? '').split('/');
      const parsed = prefix ? parseIp(prefix) : undefined;
      if (parsed && bits !== undefined) list.addSubnet(prefix as string, Number(bits), parsed.family === 4 ? 'ipv4' : 'ipv6');
      if (config.Gateway && parseIp(config.Gateway)) list.addAddress(config.Gateway, config.Gateway.includes(':') ? 'ipv6' : 'ipv4');
    }
  }
  return list;
}
