import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Where full (capped) outputs live; workflow history only holds their sha256 and a preview. */
export interface ArtifactStore {
  /** Stores the bytes under their sha256 (idempotent). */
  put(bytes: Buffer): Promise<{ sha256: string; bytes: number }>;
  /** The bytes stored under `sha256`, or undefined when there are none. */
  get(sha256: string): Promise<Buffer | undefined>;
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

function sha256Of(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Content-addressed artifacts in a folder: one file per sha256. Writes go to a temporary file first and are renamed
 * into place, so a reader never sees a half-written artifact, even after a crash.
 */
export class FileArtifactStore implements ArtifactStore {
  constructor(readonly dir: string) {}

  private pathFor(sha256: string): string {
    // Validated here so that no caller can turn a key into a path outside the folder.
    if (!SHA256_HEX.test(sha256)) throw new InvalidArtifactKeyError(sha256);
    return path.join(this.dir, sha256);
  }

  async put(bytes: Buffer): Promise<{ sha256: string; bytes: number }> {
    const sha256 = sha256Of(bytes);
    const target = this.pathFor(sha256);
    await mkdir(this.dir, { recursive: true });
    const existing = await stat(target).catch(() => undefined);
    if (existing?.isFile() && existing.size === bytes.length) return { sha256, bytes: bytes.length };
    const temp = path.join(this.dir, `.tmp-${sha256.slice(0, 16)}-${randomBytes(8).toString('hex')}`);
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
    const actual = sha256Of(bytes);
    if (actual !== sha256) throw new CorruptArtifactError(sha256, actual);
    return bytes;
  }
}
