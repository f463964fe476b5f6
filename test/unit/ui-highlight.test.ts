import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { highlightLines, tokenize } from '../../server/ui/highlight.js';

describe('web UI syntax highlighter', () => {
  it('gives the code back unchanged when its tokens are joined', () => {
    const code = 'import os\n# note\nx = "a\\"b" + \'c\'\nos.system(f"ls {x}")\n';
    assert.equal(tokenize(code, 'python').map((t) => t.text).join(''), code);
  });

  it('classifies python keywords, strings, comments, numbers and calls', () => {
    const kinds = tokenize('def f(): return 42  # done\nprint("x")', 'python').filter((t) => t.kind !== 'plain');
    assert.deepEqual(
      kinds.map((t) => [t.kind, t.text]),
      [['keyword', 'def'], ['function', 'f'], ['keyword', 'return'], ['number', '42'], ['comment', '# done'], ['builtin', 'print'], ['string', '"x"']],
    );
  });

  it('keeps a bash $# variable apart from a comment', () => {
    const tokens = tokenize('echo $# # count', 'bash');
    assert.ok(tokens.some((t) => t.kind === 'variable' && t.text === '$#'));
    assert.ok(tokens.some((t) => t.kind === 'comment' && t.text === '# count'));
  });

  it('escapes markup in code and splits a multi-line string over its lines', () => {
    const lines = highlightLines('s = """<b>\n</b>"""\nprint(s)\n', 'python');
    assert.equal(lines.length, 3);
    assert.ok(!lines.join('').includes('<b>'), 'code text never becomes markup');
    assert.match(lines[0] as string, /<span class="tok-string">&quot;&quot;&quot;&lt;b&gt;<\/span>/);
    assert.match(lines[1] as string, /^<span class="tok-string">&lt;\/b&gt;&quot;&quot;&quot;<\/span>$/);
  });

  it('highlights node template literals and block comments', () => {
    const kinds = tokenize('/* a */ const s = `x${1}`;', 'node').map((t) => t.kind);
    assert.deepEqual(kinds.filter((k) => k !== 'plain'), ['comment', 'keyword', 'string']);
  });
});
