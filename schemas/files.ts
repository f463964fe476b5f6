import { z } from 'zod';
import { utf8ByteLength } from './utf8.js';

/** Input files an action may carry: they travel in workflow history, so they stay small. */
export const MAX_INPUT_FILES = 64;
export const MAX_INPUT_FILES_BYTES = 1024 * 1024;
/** Output globs an action may declare, and what is collected after exit. */
export const MAX_OUTPUT_GLOBS = 16;
export const MAX_OUTPUT_FILES = 100;
export const MAX_OUTPUT_FILE_BYTES = 8 * 1024 * 1024;
export const MAX_OUTPUT_TOTAL_BYTES = 16 * 1024 * 1024;
/** Bytes of each output file kept inline in history; the whole file is in the artifact store. */
export const OUTPUT_PREVIEW_BYTES = 256;

const MAX_PATH_CHARS = 200;
const MAX_SEGMENTS = 16;

/** Why a relative path (or glob) is unacceptable, or undefined when it is fine. Pure; shared with the sandbox. */
export function relativePathProblem(path: string, allowGlob: boolean): string | undefined {
  if (path.length === 0) return 'is empty';
  if (path.length > MAX_PATH_CHARS) return `is longer than ${MAX_PATH_CHARS} characters`;
  if (path.startsWith('/')) return 'must be relative to /workspace, not absolute';
  if (path.includes('\\') || [...path].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
    return 'contains a backslash or a control character';
  }
  if (!allowGlob && /[*?[\]]/.test(path)) return 'contains a wildcard';
  const segments = path.split('/');
  if (segments.length > MAX_SEGMENTS) return `has more than ${MAX_SEGMENTS} parts`;
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return 'has an empty, "." or ".." part (no leading, trailing or double slashes, no escaping /workspace)';
  if (allowGlob && segments.some((s) => s.includes('**') && s !== '**')) return 'uses ** other than as a whole path part';
  return undefined;
}

/** Input files: relative path under /workspace → UTF-8 content; counted and capped in total. */
export const InputFilesSchema = z
  .record(z.string(), z.string())
  .superRefine((files, ctx) => {
    const entries = Object.entries(files);
    if (entries.length > MAX_INPUT_FILES) ctx.addIssue({ code: 'custom', message: `at most ${MAX_INPUT_FILES} input files` });
    let total = 0;
    for (const [path, content] of entries) {
      const problem = relativePathProblem(path, false);
      if (problem) ctx.addIssue({ code: 'custom', message: `input file path ${JSON.stringify(path)} ${problem}` });
      total += utf8ByteLength(content);
    }
    if (total > MAX_INPUT_FILES_BYTES) {
      ctx.addIssue({ code: 'custom', message: `input files total ${total} bytes, above the ${MAX_INPUT_FILES_BYTES}-byte limit` });
    }
    const paths = new Set(entries.map(([path]) => path));
    for (const path of paths) {
      const parts = path.split('/');
      for (let i = 1; i < parts.length; i++) {
        if (paths.has(parts.slice(0, i).join('/'))) {
          ctx.addIssue({ code: 'custom', message: `input file ${JSON.stringify(path)} lies inside another input file` });
        }
      }
    }
  });
export type InputFiles = z.infer<typeof InputFilesSchema>;

/** Globs under /workspace (`*` and `?` within a part, `**` for any depth) naming files to collect after exit. */
export const OutputGlobsSchema = z
  .array(
    z.string().superRefine((glob, ctx) => {
      const problem = relativePathProblem(glob, true);
      if (problem) ctx.addIssue({ code: 'custom', message: `output path ${JSON.stringify(glob)} ${problem}` });
    }),
  )
  .min(1)
  .max(MAX_OUTPUT_GLOBS, `at most ${MAX_OUTPUT_GLOBS} output paths`);

/** One collected output file: its content is in the artifact store under sha256. */
export const OutputFileSchema = z.object({
  path: z.string(),
  sha256: z.string(),
  bytes: z.number().int(),
  /** The first OUTPUT_PREVIEW_BYTES as text (cut on a character boundary). */
  preview: z.string(),
});
export type OutputFile = z.infer<typeof OutputFileSchema>;

/** A matching path that was not collected, and why (symlink, special file, too large, caps reached). */
export const SkippedOutputSchema = z.object({ path: z.string(), reason: z.string() });
export type SkippedOutput = z.infer<typeof SkippedOutputSchema>;
