/**
 * Secrets encrypted at rest in `<home>/secrets/secrets.json`: each value sealed with AES-256-GCM under a key from
 * `AIRLOCK_SECRETS_KEY` (32 bytes, base64 or hex) or, without it, from `<home>/secrets/secrets.key`, created on
 * first use with mode 0600 in a 0700 folder. The secret's name is the additional data, so an entry cannot be moved
 * under another name. Writes go to a temporary file renamed into place, so a crash leaves the old file whole.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { SecretNameSchema } from '../schemas/credentials.js';
import type { WritableSecretStore } from './secret-store.js';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const FILE_VERSION = 1;

const SealedSchema = z.object({ iv: z.string(), tag: z.string(), data: z.string(), updatedAt: z.string() });
const SecretFileSchema = z.object({ version: z.literal(FILE_VERSION), secrets: z.record(z.string(), SealedSchema) });
type SecretFile = z.infer<typeof SecretFileSchema>;

/** The secrets file or its key exists but cannot be used; the message never includes a value. */
export class SecretFileError extends Error {
  override readonly name = 'SecretFileError';
}

function decodeKey(text: string, from: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== KEY_BYTES) throw new SecretFileError(`${from} must hold a ${KEY_BYTES}-byte key (base64 or hex)`);
  return key;
}

export class EncryptedSecretFile implements WritableSecretStore {
  private constructor(
    private readonly dir: string,
    private readonly envKey: string | undefined,
  ) {}

  /** The store of an Airlock home; the key comes from AIRLOCK_SECRETS_KEY when set. */
  static at(home: string, env: NodeJS.ProcessEnv = process.env): EncryptedSecretFile {
    const envKey = env.AIRLOCK_SECRETS_KEY;
    return new EncryptedSecretFile(path.join(home, 'secrets'), envKey === undefined || envKey === '' ? undefined : envKey);
  }

  get file(): string {
    return path.join(this.dir, 'secrets.json');
  }

  get keyFile(): string {
    return path.join(this.dir, 'secrets.key');
  }

  private key(create: boolean): Buffer | undefined {
    if (this.envKey !== undefined) return decodeKey(this.envKey, 'AIRLOCK_SECRETS_KEY');
    if (existsSync(this.keyFile)) return decodeKey(readFileSync(this.keyFile, 'utf8'), this.keyFile);
    if (!create) return undefined;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const key = randomBytes(KEY_BYTES);
    // `wx`: two processes creating the key at once cannot both win with different keys.
    writeFileSync(this.keyFile, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  }

  private read(): SecretFile {
    if (!existsSync(this.file)) return { version: FILE_VERSION, secrets: {} };
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch {
      throw new SecretFileError(`${this.file} is not valid JSON`);
    }
    const parsed = SecretFileSchema.safeParse(raw);
    if (!parsed.success) throw new SecretFileError(`${this.file} is not an Airlock secrets file (version ${FILE_VERSION})`);
    return parsed.data;
  }

  private write(content: SecretFile): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
    const temporary = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.file);
  }

  get(name: string): Promise<string | undefined> {
    try {
      return Promise.resolve(this.open(name));
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  private open(name: string): string | undefined {
    const sealed = this.read().secrets[name];
    if (!sealed) return undefined;
    const key = this.key(false);
    if (!key) throw new SecretFileError(`${this.file} holds secrets but neither AIRLOCK_SECRETS_KEY nor ${this.keyFile} is there to open them`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
      decipher.setAAD(Buffer.from(name, 'utf8'));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      const plain = Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]);
      return plain.toString('utf8');
    } catch {
      throw new SecretFileError(`the secret "${name}" in ${this.file} does not open with this key (wrong key, or the file was altered)`);
    }
  }

  list(): Promise<string[]> {
    try {
      return Promise.resolve(Object.keys(this.read().secrets).sort());
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  set(name: string, value: string): Promise<void> {
    try {
      this.seal(name, value);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  private seal(name: string, value: string): void {
    SecretNameSchema.parse(name);
    if (value.length === 0) throw new SecretFileError('a secret value cannot be empty');
    const key = this.key(true) as Buffer;
    const content = this.read();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(name, 'utf8'));
    const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    content.secrets[name] = {
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
      updatedAt: new Date().toISOString(),
    };
    this.write(content);
  }

  remove(name: string): Promise<boolean> {
    try {
      const content = this.read();
      if (!Object.hasOwn(content.secrets, name)) return Promise.resolve(false);
      delete content.secrets[name];
      this.write(content);
      return Promise.resolve(true);
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }
}
