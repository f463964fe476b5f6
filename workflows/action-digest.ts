/**
 * The content hash a human decision is bound to: sha256 over everything the action will run with (language, code,
 * input files, resolved limits, network allowlist, isolation asked for). Pure and deterministic: the workflow
 * computes it when an action arrives, `airlock audit --verify` recomputes it from history.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { Language, ResolvedLimits } from '../schemas/action.js';

/** Bump when the encoding changes; old signatures then stop matching, which is the point. */
const DIGEST_DOMAIN = 'airlock-action-content/v1';

export interface InputFileDigest {
  path: string;
  sha256: string;
  bytes: number;
}

export interface ActionContent {
  language: Language;
  code: string;
  files?: Record<string, string> | undefined;
  limits: ResolvedLimits;
  network?: { allow: readonly string[] } | undefined;
  isolation?: string | undefined;
  /** Secret names the proxy adds; part of the hash only when present, so earlier hashes are unchanged. */
  credentialNames?: readonly string[] | undefined;
}

export function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/** Each input file's sha256 and size in bytes, sorted by path. */
export function inputFileDigests(files: Record<string, string> | undefined): InputFileDigest[] {
  return Object.entries(files ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, content]) => {
      const bytes = utf8ToBytes(content);
      return { path, sha256: bytesToHex(sha256(bytes)), bytes: bytes.length };
    });
}

/** The action's content sha256 (hex). Arrays only in the encoding, so key order can never change the hash. */
export function actionContentSha256(content: ActionContent): string {
  const limits = content.limits;
  const encoded = JSON.stringify([
    DIGEST_DOMAIN,
    content.language,
    sha256Hex(content.code),
    inputFileDigests(content.files).map((file) => [file.path, file.sha256]),
    [limits.timeoutSec, limits.memoryMb, limits.cpus, limits.pids, limits.outputBytes],
    [...(content.network?.allow ?? [])].sort(),
    content.isolation ?? 'standard',
    ...(content.credentialNames && content.credentialNames.length > 0 ? [[...content.credentialNames].sort()] : []),
  ]);
  return sha256Hex(encoded);
}
