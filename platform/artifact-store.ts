import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Where full (capped) outputs live; workflow history only holds their sha256 and a preview. */
export interface ArtifactStore {
  /** Stores the bytes under their sha256 (idempotent). */
  put(bytes: Buffer): Promise<{ sha256: string; bytes: number }>;
  /** The bytes stored under `sha256`, or undefined when there are none. */
  get(sha256: string): Promise<Buffer | undefined>;
}

/** One stored artifact as the retention sweep sees it. */
export interface StoredArtifact {
  sha256: string;
  bytes: number;
  /** When it was last written: every `put` of the same bytes moves this forward, so a reused output stays. */
  writtenAt: Date;
}

/** A store whose artifacts can be listed and deleted: what the retention sweep needs. */
export interface ManagedArtifactStore extends ArtifactStore {
  /** Where the artifacts live, for messages (a folder or an s3:// address). */
  readonly location: string;
  /** Every artifact in the store, in no particular order. */
  list(): AsyncIterable<StoredArtifact>;
  /** Removes one artifact; removing one that is not there is not an error. */
  delete(sha256: string): Promise<void>;
  /**
   * Removes temporary files of writes that never finished (a crash between writing and renaming) once they are
   * older than `olderThanMs`; returns their names. Stores without temporary files leave it out.
   */
  sweepTemporaryFiles?(olderThanMs: number, now?: Date): Promise<string[]>;
}

/** A lookup used a key that is not a sha256; refused before any file is touched. */
export class InvalidArtifactKeyError extends Error {
  override readonly name = 'InvalidArtifactKeyError';
  constructor(readonly key: string) {
    super(`artifact key must be 64 lowercase hex characters (a sha256), got ${JSON.stringify(key.slice(0, 80))}`);
  }
}

/** A stored artifact no longer matches its hash (disk corruption or tampering). */
export class CorruptArtifactError extends Error {
  override readonly name = 'CorruptArtifactError';
  constructor(
    readonly sha256: string,
    readonly actualSha256: string,
  ) {
    super(`artifact ${sha256} is corrupt: its content hashes to ${actualSha256}`);
  }
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
/** Names of files being written, before their rename into place. */
const TEMP_PREFIX = '.tmp-';

/** True when `key` is a well-formed artifact name (64 lowercase hex characters). */
export function isArtifactKey(key: string): boolean {
  return SHA256_HEX.test(key);
}

/** Refuses a key that is not a sha256 before it reaches a path or an object name. */
export function checkArtifactKey(key: string): string {
  if (!SHA256_HEX.test(key)) throw new InvalidArtifactKeyError(key);
  return key;
}

/** The hex sha256 of `bytes`. */
export function sha256Of(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Returns `bytes` when they hash to `sha256`, else throws CorruptArtifactError. */
export function verifiedArtifact(sha256: string, bytes: Buffer): Buffer {
  const actual = sha256Of(bytes);
  if (actual !== sha256) throw new CorruptArtifactError(sha256, actual);
  return bytes;
}

/**
 * Content-addressed artifacts in a folder: one file per sha256. Writes go to a temporary file first and are renamed
 * into place, so a reader never sees a half-written artifact, even after a crash.
 */
export class FileArtifactStore implements ManagedArtifactStore {
  constructor(readonly dir: string) {}

  get location(): string {
    return this.dir;
  }

  private pathFor(sha256: string): string {
    // Validated here so that no caller can turn a key into a path outside the folder.
    return path.join(this.dir, checkArtifactKey(sha256));
  }

  async put(bytes: Buffer): Promise<{ sha256: string; bytes: number }> {
    const sha256 = sha256Of(bytes);
    const target = this.pathFor(sha256);
    await mkdir(this.dir, { recursive: true });
    const existing = await stat(target).catch(() => undefined);
    if (existing?.isFile() && existing.size === bytes.length) {
      // Written again: the retention clock starts over, since a newer run now refers to these bytes.
      const now = new Date();
      await utimes(target, now, now);
      return { sha256, bytes: bytes.length };
    }
    const temp = path.join(this.dir, `${TEMP_PREFIX}${sha256.slice(0, 16)}-${randomBytes(8).toString('hex')}`);
    try {
      await writeFile(temp, bytes, { flag: 'wx' });
      await rename(temp, target);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
    return { sha256, bytes: bytes.length };
  }

  async get(sha256: string): Promise<Buffer | undefined> {
    const target = this.pathFor(sha256);
    let bytes: Buffer;
    try {
      bytes = await readFile(target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    return verifiedArtifact(sha256, bytes);
  }

  async *list(): AsyncIterable<StoredArtifact> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const name of names) {
      // Temporary files of writes in progress are not artifacts.
      if (!SHA256_HEX.test(name)) continue;
      const info = await stat(path.join(this.dir, name)).catch(() => undefined);
      if (info?.isFile()) yield { sha256: name, bytes: info.size, writtenAt: info.mtime };
    }
  }

  async delete(sha256: string): Promise<void> {
    await rm(this.pathFor(sha256), { force: true });
  }

  async sweepTemporaryFiles(olderThanMs: number, now = new Date()): Promise<string[]> {
    const names = await readdir(this.dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [];
      throw err;
    });
    const removed: string[] = [];
    for (const name of names) {
      if (!name.startsWith(TEMP_PREFIX)) continue;
      const file = path.join(this.dir, name);
      const info = await stat(file).catch(() => undefined);
      // A write in progress is recent; only files left long enough to be abandoned go.
      if (!info?.isFile() || now.getTime() - info.mtime.getTime() < olderThanMs) continue;
      await rm(file, { force: true });
      removed.push(name);
    }
    return removed;
  }
}
