import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { logFormatFor, prettyDestination, prettyLogLine } from '../../platform/log-format.js';
import { REDACTED_PATHS } from '../../platform/logger.js';

describe('log format', () => {
  it('is readable on a terminal and JSON when piped, unless LOG_FORMAT says otherwise', () => {
    assert.equal(logFormatFor(undefined, true), 'pretty');
    assert.equal(logFormatFor(undefined, false), 'json');
    assert.equal(logFormatFor('json', true), 'json');
    assert.equal(logFormatFor('pretty', false), 'pretty');
  });

  it('prints time, level, name and message, then the bindings as key=value, secrets still redacted', () => {
    const lines: string[] = [];
    const logger = pino({ name: 'airlock', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, prettyDestination({ write: (text) => lines.push(text) }));
    logger.child({ runId: 'run-1', actionId: 'a1' }).info({ status: 'awaiting approval', token: 'al_secret' }, 'action status');
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^\d\d:\d\d:\d\d\.\d{3} INFO {2}airlock: action status runId=run-1 actionId=a1 status="awaiting approval" token=\[redacted\]\n$/);
    assert.doesNotMatch(lines[0]!, /al_secret/);
  });

  it('shows an error with its stack under the line, and passes through what is not JSON', () => {
    const err = { message: 'boom', stack: 'Error: boom\n    at here' };
    const text = prettyLogLine(JSON.stringify({ level: 50, time: 0, name: 'w', msg: 'worker failed', err }));
    assert.equal(text, '00:00:00.000 ERROR w: worker failed\n    Error: boom\n        at here\n');
    assert.equal(prettyLogLine('plain text'), 'plain text\n');
  });
});
