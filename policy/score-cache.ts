/**
 * Scores already computed by one compiled policy, keyed by the SHA-256 of everything scoring reads from the action
 * (language, code, input files, limits). A scorer is built per policy version, so an entry is valid exactly for
 * (content, policy version): the same code submitted twice, or re-scored by a retried activity or a shadow replay,
 * costs one hash instead of a parse. Bounded, oldest entry dropped first; entries are copied in and out so no
 * caller can change what another one is handed.
 */
import { createHash } from 'node:crypto';
import type { RiskScore } from './assess-risk.js';
import type { ScoredAction } from './score-action.js';

const DEFAULT_ENTRIES = 256;

export class ScoreCache {
  private readonly entries = new Map<string, RiskScore>();

  constructor(private readonly capacity = DEFAULT_ENTRIES) {}

  /** The key of an action: a hash over a fixed layout with every part length-prefixed, so no two actions collide by concatenation. */
  static keyOf(action: ScoredAction): string {
    const hash = createHash('sha256');
    const part = (text: string) => hash.update(`${Buffer.byteLength(text, 'utf8')}:`).update(text, 'utf8');
    part(action.language);
    part(action.code);
    const files = Object.entries(action.files ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    part(String(files.length));
    for (const [path, content] of files) {
      part(path);
      part(content);
    }
    part(JSON.stringify(action.limits ?? null, action.limits ? Object.keys(action.limits).sort() : undefined));
    return hash.digest('hex');
  }

  get(key: string): RiskScore | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    // Refreshed on use: the least recently used entry is the one dropped.
    this.entries.delete(key);
    this.entries.set(key, hit);
    return structuredClone(hit);
  }

  set(key: string, score: RiskScore): void {
    this.entries.delete(key);
    this.entries.set(key, structuredClone(score));
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}
