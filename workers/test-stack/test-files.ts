import { readdir } from 'node:fs/promises';
import path from 'node:path';

const COMPILED_TEST_SUFFIX = '.test.js';
const SOURCE_TEST_SUFFIX = '.test.ts';

/**
 * Picks the compiled test files to run. Node 20's `--test <folder>` would treat every .js file under a folder
 * named `test` as a test (helpers, fixtures, the benchmark), so the files are listed explicitly instead: each
 * `*.test.js` whose `*.test.ts` source still exists (dist/ keeps files whose source was deleted). Paths are
 * relative to their own roots, with forward slashes; the result is sorted for a stable order.
 */
export function selectTestFiles(compiled: readonly string[], sources: readonly string[]): string[] {
  const sourceSet = new Set(sources.filter((file) => file.endsWith(SOURCE_TEST_SUFFIX)));
  return compiled
    .filter((file) => file.endsWith(COMPILED_TEST_SUFFIX))
    .filter((file) => sourceSet.has(file.slice(0, -COMPILED_TEST_SUFFIX.length) + SOURCE_TEST_SUFFIX))
    .sort();
}

/** Every file below `root`, relative to it with forward slashes; empty when `root` does not exist. */
export async function listFilesRecursively(root: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(root, { recursive: true, withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
}

/**
 * Folders under test/ whose tests have a command of their own (`npm run test:production`): they start whole
 * topologies and take many minutes, so `npm test` leaves them out.
 */
export const SEPARATE_SUITES = ['production/'] as const;

/**
 * Absolute paths of the compiled tests to run: `<root>/dist/test/**` matched against `<root>/test/**`. Without
 * `suite`, every test but those of the separate suites; with it, only the tests of that folder.
 */
export async function findTestFiles(projectRoot: string, suite?: (typeof SEPARATE_SUITES)[number]): Promise<string[]> {
  const compiledRoot = path.join(projectRoot, 'dist', 'test');
  const [compiled, sources] = await Promise.all([
    listFilesRecursively(compiledRoot),
    listFilesRecursively(path.join(projectRoot, 'test')),
  ]);
  const inSuite = (file: string) => (suite ? file.startsWith(suite) : !SEPARATE_SUITES.some((folder) => file.startsWith(folder)));
  return selectTestFiles(compiled, sources)
    .filter(inSuite)
    .map((file) => path.join(compiledRoot, file));
}

/**
 * `npm test -- PATTERN...` runs only the test files whose path contains one of the patterns (a developer's quick
 * loop); with no pattern every file runs, which is what CI does.
 */
export function filterTestFiles(files: readonly string[], patterns: readonly string[]): string[] {
  if (patterns.length === 0) return [...files];
  return files.filter((file) => patterns.some((pattern) => file.includes(pattern)));
}
