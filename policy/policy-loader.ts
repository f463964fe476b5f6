/**
 * Finds and reads the policy file. It is read again on every load, so an edit applies to the next run that starts;
 * a run already going keeps the snapshot it pinned.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PolicySnapshot } from '../schemas/policy.js';
import { PolicyFileError } from './policy-file-error.js';
import { parsePolicyText } from './policy-file-parser.js';
import { currentPolicy } from './policy-snapshot.js';
import { readPublicKeyFile } from './signer-key.js';

export const POLICY_FILE_NAME = 'airlock.policy.yaml';

/** The default policy shipped at the package root (next to package.json). */
export const SHIPPED_POLICY_PATH = fileURLToPath(new URL(`../../${POLICY_FILE_NAME}`, import.meta.url));

/**
 * Where the policy lives: AIRLOCK_POLICY when set, else `airlock.policy.yaml` in the working directory, else the
 * shipped default; undefined when none exists (then the built-in policy applies).
 */
export function resolvePolicyPath(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string | undefined {
  const explicit = env.AIRLOCK_POLICY?.trim();
  if (explicit) return path.resolve(cwd, explicit);
  const local = path.join(cwd, POLICY_FILE_NAME);
  if (existsSync(local)) return local;
  return existsSync(SHIPPED_POLICY_PATH) ? SHIPPED_POLICY_PATH : undefined;
}

/** AIRLOCK_HOME as every Airlock process resolves it (signers' relative key files are taken from there). */
export function defaultHome(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.AIRLOCK_HOME?.trim() || '.airlock');
}

/**
 * Reads and validates one policy file; signers' key files are read relative to `home`.
 * @throws PolicyFileError (missing file, bad YAML, schema problems).
 */
export function readPolicyFile(file: string, approvers: string[] | null = null, home: string = defaultHome()): PolicySnapshot {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : (err as Error).message;
    throw new PolicyFileError(file, [{ field: '', message: `${reason}; check AIRLOCK_POLICY` }], { cause: err });
  }
  return parsePolicyText(text, { source: file, approvers, readPublicKeyFile: (keyFile) => readPublicKeyFile(keyFile, home).publicKey });
}

/**
 * A loader the control worker calls once per run: the file at `file` (re-read each time), or the built-in policy
 * when there is no file.
 */
export function policyLoader(options: { file: string | undefined; approvers: string[] | null; home?: string }): () => PolicySnapshot {
  const { file, approvers } = options;
  const home = options.home ?? defaultHome();
  if (file === undefined) return () => currentPolicy({ approvers, localSigner: readPublicKeyFile(LOCAL_SIGNING_KEY_PUB, home).publicKey });
  return () => readPolicyFile(file, approvers, home);
}

/** Where the API server keeps the public half of its signing key, relative to AIRLOCK_HOME. */
export const LOCAL_SIGNING_KEY_PUB = 'signing-key.pub';
