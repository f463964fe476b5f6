import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildDevServerArgs } from '../../workers/dev-stack/temporal-dev-server.js';
import {
  missingSearchAttributes,
  searchAttributeCliFlags,
} from '../../workers/dev-stack/search-attribute-registration.js';
import { AIRLOCK_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.js';

const base = {
  dbFile: '/state/temporal.db',
  ip: '127.0.0.1',
  port: 7233,
  uiPort: 8233,
  namespace: 'default',
  withSearchAttributes: true,
};

/** Value that follows `flag` in an argument list. */
function valueOf(args: string[], flag: string): string | undefined {
  const index = args.indexOf(flag);
  return index < 0 ? undefined : args[index + 1];
}

describe('buildDevServerArgs', () => {
  it('starts the dev server on the given database, loopback address and ports', () => {
    const args = buildDevServerArgs(base);
    assert.deepEqual(args.slice(0, 2), ['server', 'start-dev']);
    assert.equal(valueOf(args, '--db-filename'), '/state/temporal.db');
    assert.equal(valueOf(args, '--ip'), '127.0.0.1');
    assert.equal(valueOf(args, '--port'), '7233');
    assert.equal(valueOf(args, '--ui-port'), '8233');
    assert.ok(args.includes('--ui-disable-news-fetch'), 'the UI must not fetch its news feed from the internet');
    assert.ok(!args.includes('--headless'));
  });

  it('registers all four Airlock search attributes with their types', () => {
    const args = buildDevServerArgs(base);
    const pairs = args.filter((_, index) => args[index - 1] === '--search-attribute').sort();
    assert.deepEqual(pairs, [
      'AirlockAgent=Keyword',
      'AirlockAwaitingApproval=Bool',
      'AirlockRisk=Keyword',
      'AirlockStatus=Keyword',
    ]);
  });

  it('leaves the search attribute flags out on the retry without them', () => {
    const args = buildDevServerArgs({ ...base, withSearchAttributes: false });
    assert.ok(!args.includes('--search-attribute'));
  });

  it('runs headless without a UI port, as the test stack does', () => {
    const args = buildDevServerArgs({ ...base, uiPort: undefined });
    assert.ok(args.includes('--headless'));
    assert.equal(valueOf(args, '--ui-port'), undefined);
  });

  it('creates a namespace other than default, and only then', () => {
    assert.equal(valueOf(buildDevServerArgs(base), '--namespace'), undefined);
    assert.equal(valueOf(buildDevServerArgs({ ...base, namespace: 'airlock-ci' }), '--namespace'), 'airlock-ci');
  });
});

describe('search attribute registration helpers', () => {
  it('spells types the way the Temporal CLI expects', () => {
    assert.deepEqual(
      searchAttributeCliFlags([
        { name: 'A', type: 'KEYWORD_LIST' },
        { name: 'B', type: 'DATETIME' },
      ]),
      ['--search-attribute', 'A=KeywordList', '--search-attribute', 'B=Datetime'],
    );
  });

  it('asks only for the attributes a server lacks', () => {
    const missing = missingSearchAttributes(AIRLOCK_SEARCH_ATTRIBUTES, ['AirlockAgent', 'AirlockRisk', 'WorkflowId']);
    assert.deepEqual(
      missing.map((attribute) => attribute.name),
      ['AirlockStatus', 'AirlockAwaitingApproval'],
    );
    assert.deepEqual(missingSearchAttributes(AIRLOCK_SEARCH_ATTRIBUTES, AIRLOCK_SEARCH_ATTRIBUTES.map((a) => a.name)), []);
  });
});
