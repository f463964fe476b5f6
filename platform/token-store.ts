/**
 * API tokens: `airlock token create --as PRINCIPAL --role ROLE` prints a token once; only its sha256 is stored, in
 * `<AIRLOCK_HOME>/tokens.json` (mode 0600), with its roles, expiry and revocation. The server re-reads the file
 * when it changes, so a new or revoked token takes effect at once, without a restart. Every creation and revocation
 * is appended to `<AIRLOCK_HOME>/token-audit.jsonl` (who, when, for whom, which roles).
 */
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync } from 'node:fs';
import { withFileLockSync, writeDurablySync } from './file-lock.js';
import { salvageArrayObjects } from './token-salvage.js';
import path from 'node:path';
import { z } from 'zod';
import type { ApiRole } from './api-roles.js';

const TOKEN_PREFIX = 'alk_';
const TOKEN_BYTES = 32;
/** Tokens expire; 90 days unless the creator says otherwise. */
export const DEFAULT_TOKEN_TTL_MS = 90 * 86_400_000;
/** The longest life the admin API grants a token. */
export const MAX_TOKEN_TTL_MS = 365 * 86_400_000;

const StoredTokenSchema = z.object({
  id: z.string(),
  principal: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
  /** Absent in tokens created before roles existed: such a token may do nothing but say who it is. */
  roles: z.array(z.string()).default([]),
  expiresAt: z.string().optional(),
  revokedAt: z.string().optional(),
  createdBy: z.string().optional(),
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
    super(`token file ${file} is unusable: ${reason}. ${TOKEN_REPAIR_HINT}`, options);
  }
}

/** How an operator recovers from a damaged token file; also what the API tells its clients. */
export const TOKEN_REPAIR_HINT =
  'Run `airlock token repair` on the server host: it keeps every readable token, sets the damaged file aside ' +
  'and lists the tokens it could not read, which are then created again';

/** What `repair` did. */
export interface TokenRepairReport {
  /** `healthy`: the file was fine and is untouched; `repaired`: it was replaced by the readable records. */
  outcome: 'healthy' | 'repaired';
  kept: StoredToken[];
  /** Records (or pieces of records) that could not be read and are gone from the new file. */
  unreadable: number;
  /** Where the damaged file now is. */
  setAside?: string;
}

export function tokenFilePath(home: string): string {
  return path.join(home, 'tokens.json');
}

function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** How an admin act reached the store, for the audit line: the channel, and over the API the admin's own token id. */
export interface TokenActorContext {
  channel: 'cli' | 'api';
  actorTokenId?: string;
}

/** Why a presented token does not authenticate. */
export type TokenRefusal = 'unknown' | 'expired' | 'revoked';

/** A token's record, or why it does not count (`now` decides expiry). */
export function tokenStatus(record: StoredToken | undefined, now = Date.now()): { ok: true; record: StoredToken } | { ok: false; refusal: TokenRefusal } {
  if (!record) return { ok: false, refusal: 'unknown' };
  if (record.revokedAt !== undefined) return { ok: false, refusal: 'revoked' };
  if (record.expiresAt !== undefined && Date.parse(record.expiresAt) <= now) return { ok: false, refusal: 'expired' };
  return { ok: true, record };
}

export class TokenStore {
  private cache: { mtimeMs: number; size: number; byHash: Map<string, StoredToken>; byId: Map<string, StoredToken> } | undefined;

  constructor(readonly file: string) {}

  /** Where creations and revocations are logged, one JSON object per line. */
  get auditFile(): string {
    return path.join(path.dirname(this.file), 'token-audit.jsonl');
  }

  /** Creates a token; returns the token (shown once, never stored) and its record. The creation is logged. */
  create(
    principal: string,
    options: { roles: readonly ApiRole[]; ttlMs?: number; createdBy?: string; now?: Date; via?: TokenActorContext },
  ): { token: string; record: StoredToken } {
    const now = options.now ?? new Date();
    const token = `${TOKEN_PREFIX}${randomBytes(TOKEN_BYTES).toString('base64url')}`;
    const record: StoredToken = {
      id: randomBytes(6).toString('hex'),
      principal,
      sha256: hashToken(token),
      createdAt: now.toISOString(),
      roles: [...new Set(options.roles)],
      expiresAt: new Date(now.getTime() + (options.ttlMs ?? DEFAULT_TOKEN_TTL_MS)).toISOString(),
      ...(options.createdBy ? { createdBy: options.createdBy } : {}),
    };
    this.update((tokens) => [...tokens, record]);
    this.audit({ event: 'token.created', at: record.createdAt, by: options.createdBy ?? 'unknown', ...options.via, tokenId: record.id, principal, roles: record.roles, expiresAt: record.expiresAt });
    return { token, record };
  }

  /** Revokes a token by id (effective on the server's next request); false when there is no such token. */
  revoke(id: string, options: { revokedBy?: string; now?: Date; via?: TokenActorContext } = {}): StoredToken | undefined {
    let record: StoredToken | undefined;
    let revokedNow = false;
    this.update((tokens) => {
      record = tokens.find((t) => t.id === id);
      if (!record || record.revokedAt !== undefined) return undefined;
      record.revokedAt = (options.now ?? new Date()).toISOString();
      revokedNow = true;
      return tokens;
    });
    if (!record) return undefined;
    if (revokedNow && record.revokedAt !== undefined) {
      this.audit({ event: 'token.revoked', at: record.revokedAt, by: options.revokedBy ?? 'unknown', ...options.via, tokenId: id, principal: record.principal, roles: record.roles });
    }
    return record;
  }

  /**
   * Replaces a damaged token file by the records that can still be read, under the same lock as every change; the
   * damaged file is kept beside it (`tokens.json.damaged-<time>`) and the repair is logged in the audit file.
   * A file that reads fine is left as it is.
   */
  repair(options: { repairedBy?: string; now?: Date } = {}): TokenRepairReport {
    const now = options.now ?? new Date();
    let report: TokenRepairReport = { outcome: 'healthy', kept: [], unreadable: 0 };
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    withFileLockSync(`${this.file}.lock`, () => {
      try {
        report = { outcome: 'healthy', kept: this.readAll(), unreadable: 0 };
        return;
      } catch (err) {
        if (!(err instanceof TokenFileError) || !existsSync(this.file)) throw err;
      }
      const { objects, fragments } = salvageArrayObjects(readFileSync(this.file, 'utf8'));
      const kept: StoredToken[] = [];
      let unreadable = fragments;
      for (const object of objects) {
        const parsed = StoredTokenSchema.safeParse(object);
        if (parsed.success) kept.push(parsed.data);
        else unreadable++;
      }
      const setAside = `${this.file}.damaged-${now.toISOString().replace(/[:.]/g, '-')}`;
      renameSync(this.file, setAside);
      this.writeAll(kept);
      report = { outcome: 'repaired', kept, unreadable, setAside };
    });
    if (report.outcome === 'repaired') {
      this.audit({ event: 'token.store-repaired', at: now.toISOString(), by: options.repairedBy ?? 'unknown', kept: report.kept.map((t) => t.id), unreadable: report.unreadable, setAside: report.setAside });
    }
    return report;
  }

  /** Every token record (no secrets: only hashes are stored). */
  list(): StoredToken[] {
    return this.readAll();
  }

  /** The live record a presented token belongs to, or undefined for an unknown, expired or revoked token. */
  principalFor(token: string): StoredToken | undefined {
    const status = this.check(token);
    return status.ok ? status.record : undefined;
  }

  /** The presented token's record, or why it does not count. */
  check(token: string, now = Date.now()): ReturnType<typeof tokenStatus> {
    if (!token.startsWith(TOKEN_PREFIX)) return { ok: false, refusal: 'unknown' };
    // A map lookup by hash: the secret itself is never compared, so timing reveals nothing about it.
    return tokenStatus(this.index().byHash.get(hashToken(token)), now);
  }

  /** The token record with this id, checked like a presented token (web sessions re-check on every request). */
  checkId(id: string, now = Date.now()): ReturnType<typeof tokenStatus> {
    return tokenStatus(this.index().byId.get(id), now);
  }

  private index(): { byHash: Map<string, StoredToken>; byId: Map<string, StoredToken> } {
    let stat;
    try {
      stat = statSync(this.file);
    } catch {
      return { byHash: new Map(), byId: new Map() };
    }
    if (!this.cache || this.cache.mtimeMs !== stat.mtimeMs || this.cache.size !== stat.size) {
      const all = this.readAll();
      this.cache = { mtimeMs: stat.mtimeMs, size: stat.size, byHash: new Map(all.map((t) => [t.sha256, t])), byId: new Map(all.map((t) => [t.id, t])) };
    }
    return this.cache;
  }

  /**
   * Read, change, write under a lock between processes, so that concurrent `token create`s lose nothing; `change`
   * returns undefined to write nothing.
   */
  private update(change: (tokens: StoredToken[]) => StoredToken[] | undefined): void {
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    withFileLockSync(`${this.file}.lock`, () => {
      const next = change(this.readAll());
      if (next) this.writeAll(next);
    });
  }

  private writeAll(tokens: StoredToken[]): void {
    // Write, fsync, then rename (and fsync the folder), so a server reading concurrently never sees half a file
    // and a crash leaves the old file or the new one.
    const temporary = `${this.file}.${process.pid}.tmp`;
    const fd = openSync(temporary, 'w', 0o600);
    try {
      writeDurablySync(fd, `${JSON.stringify({ tokens }, null, 2)}\n`);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.file);
    const dir = openSync(path.dirname(this.file), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
    // A revocation must not hide behind an unchanged mtime and size (same-millisecond rewrite).
    this.cache = undefined;
  }

  private audit(entry: Record<string, unknown>): void {
    appendFileSync(this.auditFile, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
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
