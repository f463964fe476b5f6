import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateRunId } from '../../client/run-id.js';

void test('run ids are run- plus 12 lowercase base32 characters, and differ', () => {
  const ids = new Set(Array.from({ length: 200 }, () => generateRunId()));
  assert.equal(ids.size, 200);
  for (const id of ids) assert.match(id, /^run-[a-z2-7]{12}$/);
});
