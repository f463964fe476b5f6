/**
 * API tokens: `airlock token create --as PRINCIPAL` prints a token once; only its sha256 is stored, in
 * `<AIRLOCK_HOME>/tokens.json` (mode 0600). The server re-reads the file when it changes, so a new token works
 * without a restart.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const TOKEN_PREFIX = 'alk_';
const TOKEN_BYTES = 32;

const StoredTokenSchema = z.object({
  id: z.string(),
  principal: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
});
export type StoredToken = z.infer<typeof StoredTokenSchema>;
const TokenFileSchema = z.object({ tokens: z.array(StoredTokenSchema) });

/** The tokens file exists but cannot be used. */
export class TokenFileError extends Error {
  override readonly name = 'TokenFileError';
  constructor(
    readonly file: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`token file ${file} is unusable: ${reason}`, options);
  }
}

export function tokenFilePath(home: string): string {
  return path.join(home, 'tokens.json');
}

function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export class TokenStore {
  private cache: { mtimeMs: number; size: number; byHash: Map<string, StoredToken> } | undefined;

  constructor(readonly file: string) {}

  /** Creates a token for `principal`; returns the token (shown once, never stored) and its record. */
  create(principal: string, now = new Date()): { token: string; record: StoredToken } {
    const token = `${TOKEN_PREFIX}${randomBytes(TOKEN_BYTES).toString('base64url')}`;
    const record: StoredToken = {
      id: randomBytes(6).toString('hex'),
      principal,
      sha256: hashToken(token),
      createdAt: now.toISOString(),
    };
    const tokens = [...this.readAll(), record];
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    // Write then rename, so a server reading concurrently never sees half a file.
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify({ tokens }, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.file);
    return { token, record };
  }

  /** The principal a presented token belongs to, or undefined for an unknown token. */
  principalFor(token: string): StoredToken | undefined {
    if (!token.startsWith(TOKEN_PREFIX)) return undefined;
    // A map lookup by hash: the secret itself is never compared, so timing reveals nothing about it.
    return this.index().get(hashToken(token));
  }

  private index(): Map<string, StoredToken> {
    let stat;
    try {
      stat = statSync(this.file);
    } catch {
      return new Map();
    }
    if (!this.cache || this.cache.mtimeMs !== stat.mtimeMs || this.cache.size !== stat.size) {
      this.cache = { mtimeMs: stat.mtimeMs, size: stat.size, byHash: new Map(this.readAll().map((t) => [t.sha256, t])) };
    }
    return this.cache.byHash;
  }

  private readAll(): StoredToken[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new TokenFileError(this.file, (err as Error).message, { cause: err });
    }
    try {
      const parsed = TokenFileSchema.safeParse(JSON.parse(text));
      if (!parsed.success) throw new TokenFileError(this.file, z.prettifyError(parsed.error));
      return parsed.data.tokens;
    } catch (err) {
      if (err instanceof TokenFileError) throw err;
      throw new TokenFileError(this.file, 'not valid JSON', { cause: err });
    }
  }
}
