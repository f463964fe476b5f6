import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { globToRegexSource, matchesAnyGlob } from '../../sandbox/output-globs.js';
import { InputFilesSchema, MAX_INPUT_FILES_BYTES, OutputGlobsSchema, relativePathProblem } from '../../schemas/files.js';

void describe('relative paths under /workspace', () => {
  void it('accepts plain relative paths', () => {
    assert.equal(relativePathProblem('data/in.csv', false), undefined);
    assert.equal(relativePathProblem('out/**/*.csv', true), undefined);
  });

  void it('refuses absolute paths, traversal, empty parts, control characters and stray wildcards', () => {
    for (const bad of ['/etc/passwd', '../x', 'a/../../x', 'a//b', 'a/./b', 'a/', '', 'a\\b', 'a\u0000b', 'a\nb']) {
      assert.notEqual(relativePathProblem(bad, true), undefined, bad);
    }
    assert.match(relativePathProblem('*.csv', false) ?? '', /wildcard/);
    assert.match(relativePathProblem('a**/b', true) ?? '', /\*\*/);
  });
});

void describe('InputFilesSchema', () => {
  void it('caps the total size and refuses a file nested inside another', () => {
    assert.equal(InputFilesSchema.safeParse({ 'a.txt': 'x', 'dir/b.txt': 'y' }).success, true);
    assert.equal(InputFilesSchema.safeParse({ 'a.txt': 'x'.repeat(MAX_INPUT_FILES_BYTES + 1) }).success, false);
    assert.equal(InputFilesSchema.safeParse({ a: 'x', 'a/b': 'y' }).success, false);
    assert.equal(InputFilesSchema.safeParse({ '../escape': 'x' }).success, false);
  });
});

void describe('output globs', () => {
  void it('keeps * and ? within one path part and lets ** span parts', () => {
    assert.equal(globToRegexSource('out/*.csv'), '^out/[^/]*\\.csv$');
    assert.ok(matchesAnyGlob('out/a.csv', ['out/*.csv']));
    assert.ok(!matchesAnyGlob('out/sub/a.csv', ['out/*.csv']));
    assert.ok(matchesAnyGlob('out/sub/a.csv', ['out/**/*.csv']));
    assert.ok(matchesAnyGlob('out/a.csv', ['out/**/*.csv']));
    assert.ok(matchesAnyGlob('report.txt', ['**']));
    assert.ok(matchesAnyGlob('outXa.csv', ['out?a.csv']));
    assert.ok(!matchesAnyGlob('out/a.csv', ['out?a.csv']));
    assert.ok(!matchesAnyGlob('out.csv+', ['out.csv']));
  });

  void it('refuses globs that leave /workspace', () => {
    assert.equal(OutputGlobsSchema.safeParse(['../*']).success, false);
    assert.equal(OutputGlobsSchema.safeParse(['/etc/*']).success, false);
    assert.equal(OutputGlobsSchema.safeParse([]).success, false);
  });
});
