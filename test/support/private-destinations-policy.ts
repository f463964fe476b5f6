import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const REPO_POLICY = fileURLToPath(new URL('../../../airlock.policy.yaml', import.meta.url));

/**
 * Writes the repository's policy with `network.privateDestinations` set, into `dir`, and returns its path. Tests
 * whose actions reach servers they run on this machine's loopback opt those destinations in, as a local
 * development policy would; everything else in the policy stays as shipped.
 */
export async function writePrivateDestinationsPolicy(dir: string, privateDestinations: string[]): Promise<string> {
  const policy = YAML.parse(await readFile(REPO_POLICY, 'utf8')) as Record<string, unknown>;
  const network = (policy.network ?? {}) as Record<string, unknown>;
  policy.network = { ...network, privateDestinations };
  const file = path.join(dir, 'private-destinations.policy.yaml');
  await writeFile(file, YAML.stringify(policy));
  return file;
}
