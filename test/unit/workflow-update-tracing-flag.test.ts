import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasInstrumentedUpdates } from '../../workflows/update-tracing-flag.js';

describe('update tracing flag repair', () => {
  it('applies to histories written by SDK releases that have the flag', () => {
    for (const version of ['1.13.3', '1.13.10', '1.14.0', '1.24.0', '2.0.0', '1.24.0-rc.1']) {
      assert.equal(hasInstrumentedUpdates(version), true, version);
    }
  });

  it('leaves histories of older or unknown SDK releases to the SDK', () => {
    for (const version of ['1.13.2', '1.12.9', '1.11.1', '0.99.99', '', 'unknown', undefined]) {
      assert.equal(hasInstrumentedUpdates(version), false, String(version));
    }
  });
});
