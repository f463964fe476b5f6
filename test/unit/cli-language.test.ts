import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inferLanguage } from '../../cli/language.js';
import { UsageError } from '../../cli/usage-error.js';

void test('the extension decides the language when --lang is absent', () => {
  assert.equal(inferLanguage('job.py', undefined), 'python');
  assert.equal(inferLanguage('dir/x.js', undefined), 'node');
  assert.equal(inferLanguage('x.mjs', undefined), 'node');
  assert.equal(inferLanguage('x.cjs', undefined), 'node');
  assert.equal(inferLanguage('x.sh', undefined), 'bash');
  assert.equal(inferLanguage('X.BASH', undefined), 'bash');
});

void test('--lang wins over the extension', () => {
  assert.equal(inferLanguage('script.py', 'bash'), 'bash');
  assert.equal(inferLanguage('-', 'node'), 'node');
});

void test('stdin and unknown extensions need --lang', () => {
  assert.throws(() => inferLanguage('-', undefined), (err: Error) => err instanceof UsageError && /stdin.*--lang/.test(err.message));
  assert.throws(() => inferLanguage('main.rb', undefined), (err: Error) => err instanceof UsageError && /main\.rb.*--lang python\|node\|bash/.test(err.message));
  assert.throws(() => inferLanguage('Makefile', undefined), UsageError);
});

void test('an unknown --lang is a usage error naming the choices', () => {
  assert.throws(() => inferLanguage('x.py', 'ruby'), (err: Error) => err instanceof UsageError && err.message === 'unknown language "ruby": use --lang python|node|bash');
});
