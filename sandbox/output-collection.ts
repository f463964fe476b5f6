import { Writable } from 'node:stream';
import type Docker from 'dockerode';
import { z } from 'zod';
import {
  MAX_OUTPUT_FILE_BYTES,
  MAX_OUTPUT_FILES,
  MAX_OUTPUT_TOTAL_BYTES,
  OUTPUT_PREVIEW_BYTES,
  relativePathProblem,
  type OutputFile,
  type SkippedOutput,
} from '../schemas/files.js';
import type { ArtifactStore } from '../platform/artifact-store.js';
import { runExec } from './container-exec.js';
import { HELPER_ENV, HELPER_PYTHON, launched } from './container-spec.js';
import { CODE_DIR } from './language-entrypoints.js';
import { globToRegexSource, matchesAnyGlob } from './output-globs.js';
import { CappedOutputCollector, utf8CutPoint } from './output-capture.js';
import { HELPER_FILE_NAME } from './workspace-helper.js';
import { maskSecrets, type SecretValue } from './output-masking.js';
import type { MaskedSecret } from '../schemas/credentials.js';

/** Room for base64 (4/3) and the JSON around it. */
const REPORT_CAP_BYTES = Math.ceil((MAX_OUTPUT_TOTAL_BYTES * 4) / 3) + 256 * 1024;
const MAX_SKIPPED_REPORTED = 100;

const HelperReportSchema = z.object({
  files: z.array(z.object({ path: z.string(), data: z.string() })),
  skipped: z.array(z.object({ path: z.string(), reason: z.string() })),
});

/** Declared outputs as they end up in the result. */
export interface CollectedOutputs {
  outputFiles: OutputFile[];
  skippedOutputs: SkippedOutput[];
  /** Files in which a used secret's value was found and masked. */
  maskedSecrets?: MaskedSecret[];
}

function sink(collector: CappedOutputCollector): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      collector.write(chunk);
      callback();
    },
  });
}

function preview(bytes: Buffer): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, utf8CutPoint(bytes, OUTPUT_PREVIEW_BYTES)));
}

/**
 * Collects the files matching `globs` from the container's /workspace after the code ended: the helper (run as the
 * sandbox user, an isolated Python under the seccomp launcher, with a HOME it cannot write) stops leftover processes and reports regular files only, never following
 * a symbolic link. Its report is untrusted: every path, size and count is checked again here, and what passes goes
 * into the artifact store.
 */
export async function collectOutputs(input: {
  docker: Docker;
  container: Docker.Container;
  globs: readonly string[];
  user: string;
  workingDir: string;
  artifactStore: ArtifactStore;
  /** Values of the secrets the action used: masked in every file before it is stored. */
  secrets?: readonly SecretValue[];
}): Promise<CollectedOutputs> {
  const report = new CappedOutputCollector(REPORT_CAP_BYTES);
  const errors = new CappedOutputCollector(4096);
  const patterns = JSON.stringify(input.globs.map(globToRegexSource));
  const { exitCode } = await runExec(input.docker, input.container, {
    cmd: launched([
      ...HELPER_PYTHON,
      `${CODE_DIR}/${HELPER_FILE_NAME}`,
      'collect',
      patterns,
      String(MAX_OUTPUT_FILE_BYTES),
      String(MAX_OUTPUT_TOTAL_BYTES),
      String(MAX_OUTPUT_FILES),
    ]),
    user: input.user,
    workingDir: input.workingDir,
    env: HELPER_ENV,
    stdout: sink(report),
    stderr: sink(errors),
  });
  const failed = (reason: string): CollectedOutputs => ({ outputFiles: [], skippedOutputs: [{ path: input.globs.join(' '), reason }] });
  if (exitCode !== 0 || report.truncated) {
    return failed(exitCode === null ? 'the sandbox ended before its outputs could be collected' : 'the outputs could not be collected');
  }
  let parsed: z.infer<typeof HelperReportSchema>;
  try {
    parsed = HelperReportSchema.parse(JSON.parse(report.bytes().toString('utf8')));
  } catch {
    return failed('the sandbox sent back an unreadable list of outputs');
  }

  const outputFiles: OutputFile[] = [];
  const skippedOutputs: SkippedOutput[] = parsed.skipped.slice(0, MAX_SKIPPED_REPORTED).map((s) => ({
    path: s.path.slice(0, 200),
    reason: s.reason.slice(0, 200),
  }));
  const seen = new Set<string>();
  const maskedSecrets: MaskedSecret[] = [];
  let total = 0;
  for (const file of parsed.files) {
    const path = file.path;
    const refuse = (reason: string) => skippedOutputs.length < MAX_SKIPPED_REPORTED && skippedOutputs.push({ path: path.slice(0, 200), reason });
    if (relativePathProblem(path, false) !== undefined || !matchesAnyGlob(path, input.globs)) {
      refuse('path outside the declared outputs');
      continue;
    }
    if (seen.has(path)) continue;
    const masking = maskSecrets(Buffer.from(file.data, 'base64'), input.secrets ?? []);
    const bytes = masking.bytes;
    for (const { name, occurrences } of masking.found) maskedSecrets.push({ name, where: path.slice(0, 200), occurrences });
    if (outputFiles.length >= MAX_OUTPUT_FILES) refuse('too many output files');
    else if (bytes.length > MAX_OUTPUT_FILE_BYTES) refuse('larger than the per-file limit');
    else if (total + bytes.length > MAX_OUTPUT_TOTAL_BYTES) refuse('total output limit reached');
    else {
      seen.add(path);
      total += bytes.length;
      const stored = await input.artifactStore.put(bytes);
      outputFiles.push({ path, sha256: stored.sha256, bytes: stored.bytes, preview: preview(bytes) });
    }
  }
  return { outputFiles, skippedOutputs, ...(maskedSecrets.length > 0 ? { maskedSecrets } : {}) };
}
