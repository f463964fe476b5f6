import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { CappedOutputCollector, utf8CutPoint } from '../../sandbox/output-capture.js';
import { INLINE_OUTPUT_BYTES } from '../../schemas/execution.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

void describe('CappedOutputCollector', () => {
  void it('keeps everything under the cap', () => {
    const c = new CappedOutputCollector(100);
    c.write(Buffer.from('hello '));
    c.write(Buffer.from('world'));
    const { output, bytes } = c.finish();
    assert.equal(output.text, 'hello world');
    assert.equal(output.bytes, 11);
    assert.equal(output.truncated, false);
    assert.equal(output.inlineComplete, true);
    assert.equal(output.sha256, sha(Buffer.from('hello world')));
    assert.equal(bytes.toString(), 'hello world');
  });

  void it('keeps the first capBytes, counts the rest and flags truncation', () => {
    const c = new CappedOutputCollector(10);
    c.write(Buffer.from('0123456'));
    c.write(Buffer.from('789abcdef'));
    c.write(Buffer.from('more'));
    const { output, bytes } = c.finish();
    assert.equal(bytes.toString(), '0123456789');
    assert.equal(c.droppedBytes, 10);
    assert.equal(output.truncated, true);
    assert.equal(output.bytes, 10);
    assert.equal(output.sha256, sha(Buffer.from('0123456789')));
  });

  void it('is not truncated when the output is exactly the cap', () => {
    const c = new CappedOutputCollector(4);
    c.write(Buffer.from('abcd'));
    assert.equal(c.finish().output.truncated, false);
  });

  void it('cuts the inline preview on a character boundary', () => {
    const c = new CappedOutputCollector(1000);
    // 'é' is 2 bytes: with a 5-byte preview, the third 'é' (bytes 4-5) does not fit whole.
    c.write(Buffer.from('éééé'));
    const { output } = c.finish(5);
    assert.equal(output.text, 'éé');
    assert.equal(output.inlineComplete, false);
    assert.equal(output.bytes, 8);
  });

  void it('does not end the text with a character the cap split', () => {
    const c = new CappedOutputCollector(5);
    c.write(Buffer.from('ab€cd')); // '€' is 3 bytes: the cap keeps 'ab' + all of '€'
    assert.equal(c.finish().output.text, 'ab€');
    const d = new CappedOutputCollector(4);
    d.write(Buffer.from('ab€cd')); // the cap keeps 'ab' + 2 of the 3 bytes of '€'
    const { output } = d.finish();
    assert.equal(output.text, 'ab');
    assert.equal(output.truncated, true);
    assert.equal(output.bytes, 4);
  });

  void it('decodes invalid UTF-8 with replacement characters instead of failing', () => {
    const c = new CappedOutputCollector(100);
    c.write(Buffer.from([0x61, 0xff, 0xfe, 0x62, 0xc3]));
    const { output } = c.finish();
    assert.equal(output.text, 'a\uFFFD\uFFFDb\uFFFD');
    assert.equal(output.bytes, 5);
  });

  void it('keeps the preview within INLINE_OUTPUT_BYTES by default', () => {
    const c = new CappedOutputCollector(INLINE_OUTPUT_BYTES * 2);
    c.write(Buffer.alloc(INLINE_OUTPUT_BYTES + 10, 0x41));
    const { output } = c.finish();
    assert.equal(output.text.length, INLINE_OUTPUT_BYTES);
    assert.equal(output.inlineComplete, false);
    assert.equal(output.bytes, INLINE_OUTPUT_BYTES + 10);
  });

  void it('copies chunks so a reused buffer does not change what was kept', () => {
    const c = new CappedOutputCollector(10);
    const chunk = Buffer.from('abc');
    c.write(chunk);
    chunk.fill(0x7a);
    assert.equal(c.finish().output.text, 'abc');
  });
});

void describe('utf8CutPoint', () => {
  void it('never splits 2, 3 or 4 byte sequences', () => {
    const text = 'aé€😀b';
    const bytes = Buffer.from(text);
    for (let limit = 0; limit <= bytes.length; limit++) {
      const cut = utf8CutPoint(bytes, limit);
      assert.ok(cut <= limit);
      assert.ok(text.startsWith(bytes.subarray(0, cut).toString()), `limit ${limit}`);
      assert.ok(!bytes.subarray(0, cut).toString().includes('\uFFFD'), `limit ${limit}`);
      assert.ok(limit - cut < 4);
    }
  });

  void it('leaves runs of stray continuation bytes alone', () => {
    const bytes = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80]);
    assert.equal(utf8CutPoint(bytes, 5), 5);
  });
});
