import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containerNameFor } from '../../sandbox/container-name.js';

const DOCKER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

void describe('containerNameFor', () => {
  void it('is deterministic for the same run and action', () => {
    assert.equal(containerNameFor('run-1', 'a1'), containerNameFor('run-1', 'a1'));
    assert.match(containerNameFor('run-1', 'a1'), /^airlock-run-1-a1-a1-[0-9a-f]{12}$/);
  });

  void it('gives every attempt of an action its own name', () => {
    assert.equal(containerNameFor('run-1', 'a1'), containerNameFor('run-1', 'a1', 1));
    assert.match(containerNameFor('run-1', 'a1', 2), /^airlock-run-1-a1-a2-[0-9a-f]{12}$/);
    const names = new Set([1, 2, 3, 10].map((attempt) => containerNameFor('run-1', 'a1', attempt)));
    assert.equal(names.size, 4);
  });

  void it('differs between actions and between ids that sanitise alike', () => {
    assert.notEqual(containerNameFor('run-1', 'a1'), containerNameFor('run-1', 'a2'));
    assert.notEqual(containerNameFor('run/1', 'a'), containerNameFor('run:1', 'a'));
    assert.notEqual(containerNameFor('ab', 'c'), containerNameFor('a', 'bc'));
  });

  void it('only uses characters Docker allows, at a bounded length', () => {
    for (const [run, action] of [
      ['agent/run:42', 'act#1'],
      ['--..', '..--'],
      ['ünïcödé 🚀', ''],
      ['x'.repeat(500), 'y'.repeat(500)],
    ] as const) {
      const name = containerNameFor(run, action, 99);
      assert.match(name, DOCKER_NAME, name);
      assert.ok(name.length <= 80, name);
    }
  });
});
