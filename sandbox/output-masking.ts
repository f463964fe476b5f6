/**
 * Defence in depth for secrets the egress proxy added: the code never holds their values, but a destination may
 * echo one back (or the code may find it some other way). Before output is stored or shown, every occurrence of a
 * used secret's value in stdout, stderr and output files is replaced by a marker naming the secret, and the
 * record says where. Only exact byte matches are found: an encoded or split value is not (docs/secrets.md).
 */
import { secretMask, type MaskedSecret } from '../schemas/credentials.js';
import type { CapturedOutput } from '../schemas/execution.js';
import { CappedOutputCollector } from './output-capture.js';

export interface SecretValue {
  name: string;
  value: string;
}

/** Replaces every occurrence of each value; returns the new bytes and how many of each were found. */
export function maskSecrets(bytes: Buffer, secrets: readonly SecretValue[]): { bytes: Buffer; found: { name: string; occurrences: number }[] } {
  let current = bytes;
  const found: { name: string; occurrences: number }[] = [];
  // Longest first, so a value that contains another is masked whole.
  for (const { name, value } of [...secrets].sort((a, b) => b.value.length - a.value.length)) {
    const needle = Buffer.from(value, 'utf8');
    if (needle.length === 0) continue;
    const mask = Buffer.from(secretMask(name), 'utf8');
    const parts: Buffer[] = [];
    let occurrences = 0;
    let from = 0;
    for (let at = current.indexOf(needle, from); at >= 0; at = current.indexOf(needle, from)) {
      parts.push(current.subarray(from, at), mask);
      from = at + needle.length;
      occurrences++;
    }
    if (occurrences === 0) continue;
    parts.push(current.subarray(from));
    current = Buffer.concat(parts);
    found.push({ name, occurrences });
  }
  return { bytes: current, found };
}

/** A captured stream with the values masked: text, size and sha256 are those of the masked bytes. */
export function maskCapture(
  capture: { output: CapturedOutput; bytes: Buffer },
  secrets: readonly SecretValue[],
  where: string,
): { output: CapturedOutput; bytes: Buffer; masked: MaskedSecret[] } {
  if (secrets.length === 0) return { ...capture, masked: [] };
  const { bytes, found } = maskSecrets(capture.bytes, secrets);
  if (found.length === 0) return { ...capture, masked: [] };
  const collector = new CappedOutputCollector(bytes.length);
  collector.write(bytes);
  const rebuilt = collector.finish();
  return {
    output: { ...rebuilt.output, truncated: capture.output.truncated },
    bytes: rebuilt.bytes,
    masked: found.map(({ name, occurrences }) => ({ name, where, occurrences })),
  };
}
