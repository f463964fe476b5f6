import { createHash, type Hash } from 'node:crypto';
import { INLINE_OUTPUT_BYTES, type CapturedOutput } from '../schemas/execution.js';

/** Number of bytes a UTF-8 sequence takes, judged from its first byte (1 for bytes that cannot start one). */
function sequenceLength(firstByte: number): number {
  if (firstByte >= 0xf0 && firstByte <= 0xf4) return 4;
  if (firstByte >= 0xe0 && firstByte <= 0xef) return 3;
  if (firstByte >= 0xc2 && firstByte <= 0xdf) return 2;
  return 1;
}

function isContinuationByte(byte: number): boolean {
  return (byte & 0xc0) === 0x80;
}

/**
 * The largest cut point at or before `limit` that does not split a UTF-8 character: a sequence that starts
 * before `limit` but would end after it is left out entirely. Invalid bytes are treated as one-byte units.
 */
export function utf8CutPoint(bytes: Uint8Array, limit: number): number {
  const end = Math.min(limit, bytes.length);
  let start = end - 1;
  // A sequence is at most 4 bytes, so at most 3 continuation bytes need to be stepped over.
  while (start >= 0 && end - start <= 3 && isContinuationByte(bytes[start]!)) start--;
  if (start < 0 || isContinuationByte(bytes[start]!)) return end;
  return start + sequenceLength(bytes[start]!) > end ? start : end;
}

/**
 * Collects one output stream up to a byte cap: keeps the first `capBytes` bytes, counts what it drops, and hashes
 * what it kept. Memory use is bounded by the cap however much the program writes.
 */
export class CappedOutputCollector {
  private readonly chunks: Buffer[] = [];
  private readonly hash: Hash = createHash('sha256');
  private kept = 0;
  private dropped = 0;

  constructor(readonly capBytes: number) {
    if (!Number.isInteger(capBytes) || capBytes < 0) throw new RangeError(`capBytes must be a whole number >= 0`);
  }

  /** Adds a chunk; the part beyond the cap is counted and discarded. */
  write(chunk: Uint8Array): void {
    const room = this.capBytes - this.kept;
    const keep = Math.min(room, chunk.length);
    if (keep > 0) {
      const part = Buffer.from(chunk.buffer, chunk.byteOffset, keep);
      // Copy: the caller (a socket) may reuse its buffer.
      const copy = Buffer.from(part);
      this.chunks.push(copy);
      this.hash.update(copy);
      this.kept += keep;
    }
    this.dropped += chunk.length - keep;
  }

  get keptBytes(): number {
    return this.kept;
  }

  get droppedBytes(): number {
    return this.dropped;
  }

  get truncated(): boolean {
    return this.dropped > 0;
  }

  /** Everything kept, as one buffer (what goes to the artifact store). Call once, when the stream has ended. */
  bytes(): Buffer {
    return Buffer.concat(this.chunks, this.kept);
  }

  /** The summary recorded in workflow history: hash, sizes and an inline preview cut on a character boundary. */
  finish(inlineLimit: number = INLINE_OUTPUT_BYTES): { output: CapturedOutput; bytes: Buffer } {
    const bytes = this.bytes();
    const sha256 = this.hash.copy().digest('hex');
    // Cut whenever something follows the preview (more kept bytes, or dropped ones), so a character split by
    // the cap does not end the text with a replacement character that the program never wrote.
    const cut = bytes.length > inlineLimit || this.truncated ? utf8CutPoint(bytes, inlineLimit) : bytes.length;
    const inlineComplete = cut === bytes.length;
    const text = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(bytes.subarray(0, cut));
    return {
      output: { text, inlineComplete, bytes: bytes.length, truncated: this.truncated, sha256 },
      bytes,
    };
  }
}
