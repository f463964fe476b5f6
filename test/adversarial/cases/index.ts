import type { AdversarialCase } from '../support/adversarial-case.js';
import { EGRESS_CASES } from './egress-cases.js';
import { FILESYSTEM_CASES } from './filesystem-cases.js';
import { HARDENING_CASES } from './hardening-cases.js';
import { INPUT_CASES, OUTPUT_PATH_CASES } from './input-cases.js';
import { NETWORK_CASES } from './network-cases.js';
import { OUTPUT_CASES } from './output-cases.js';
import { PRIVILEGE_CASES } from './privilege-cases.js';
import { PROCESS_CASES } from './process-cases.js';
import { RESOURCE_CASES } from './resource-cases.js';
import { REUSE_CASES } from './reuse-cases.js';

/** Every adversarial case, in the order of docs/security.md. */
export const ADVERSARIAL_CASES: readonly AdversarialCase[] = [
  ...RESOURCE_CASES,
  ...OUTPUT_CASES,
  ...PROCESS_CASES,
  ...NETWORK_CASES,
  // An allowlist gets its own internal network and proxy, made for that one container: never pooled.
  ...EGRESS_CASES.map((c) => ({ ...c, coldOnly: 'an allowlisted action always runs in a container made for it' })),
  ...PRIVILEGE_CASES,
  ...HARDENING_CASES,
  ...FILESYSTEM_CASES,
  ...INPUT_CASES,
  ...OUTPUT_PATH_CASES,
  ...REUSE_CASES,
];
