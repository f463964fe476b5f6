/**
 * The policy of the fault suite, written into its AIRLOCK_HOME. Runs pin the policy when they start and the control
 * worker reads the file for every new run, so the suite edits the file (the broken-edit fault included) without
 * restarting anything. Levels are chosen by markers in the code, so each run's path is known in advance:
 * - plain code is low and network access is medium: both run without a human (nothing sits between a kill and the
 *   retry);
 * - code containing NEEDS_HUMAN_MARKER is high: one signed approval, an escalation step to the webhook after
 *   ESCALATION_AFTER, denied (timed_out) after APPROVAL_TIMEOUT;
 * - code containing DENIED_MARKER is critical: denied by the policy, no container.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { writePrivateDestinationsPolicy } from '../support/private-destinations-policy.js';

export const NEEDS_HUMAN_MARKER = 'CHAOS_NEEDS_HUMAN';
export const DENIED_MARKER = 'CHAOS_DENIED';
export const APPROVAL_TIMEOUT_MS = 30_000;
export const ESCALATION_AFTER_MS = 12_000;

/** Writes the suite's policy into `dir` and returns its path. */
export async function writeChaosPolicy(dir: string, webhookUrl: string): Promise<string> {
  const file = await writePrivateDestinationsPolicy(dir, ['127.0.0.1']);
  const policy = YAML.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  policy.levels = {
    low: { mode: 'auto' },
    medium: { mode: 'auto' },
    high: {
      mode: 'human',
      quorum: 1,
      timeout: `${APPROVAL_TIMEOUT_MS / 1000}s`,
      escalation: [{ after: `${ESCALATION_AFTER_MS / 1000}s`, notify: ['webhook'] }],
    },
    critical: { mode: 'deny' },
  };
  policy.channels = { webhook: { url: webhookUrl } };
  policy.additionalRules = [
    { id: 'chaos.needs-human', description: 'marked for a human decision by the fault suite', languages: 'any', pattern: NEEDS_HUMAN_MARKER, score: 70, level: 'high' },
    { id: 'chaos.denied', description: 'marked for denial by the fault suite', languages: 'any', pattern: DENIED_MARKER, score: 100, level: 'critical' },
  ];
  const out = path.join(dir, 'chaos.policy.yaml');
  await writeFile(out, YAML.stringify(policy));
  return out;
}
