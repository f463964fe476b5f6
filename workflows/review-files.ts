/**
 * What reviewers see of an action's input files: each file's path, size and sha256, and the beginning of its text.
 * The content itself stays out of the queryable state (it can be 1 MiB); the preview is capped per file and in
 * total, and says when it was cut. Pure and deterministic (runs inside the workflow).
 */
import { inputFileDigests } from './action-digest.js';

/** Characters of each file shown to reviewers. */
export const FILE_PREVIEW_CHARS = 4_096;
/** Characters of all previews of one action together. */
export const FILES_PREVIEW_TOTAL_CHARS = 32_768;

export interface ReviewedFile {
  path: string;
  sha256: string;
  bytes: number;
  preview: string;
  /** True when the preview is not the whole file. */
  previewTruncated: boolean;
}

export function filesForReview(files: Record<string, string> | undefined): ReviewedFile[] {
  let budget = FILES_PREVIEW_TOTAL_CHARS;
  return inputFileDigests(files).map((digest) => {
    const content = (files ?? {})[digest.path] ?? '';
    const take = Math.max(Math.min(FILE_PREVIEW_CHARS, budget), 0);
    let preview = content.slice(0, take);
    // Cut on a code point, never inside a surrogate pair.
    if (/[\uD800-\uDBFF]$/.test(preview)) preview = preview.slice(0, -1);
    budget -= preview.length;
    return { ...digest, preview, previewTruncated: preview.length < content.length };
  });
}
