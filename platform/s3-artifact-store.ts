import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type ServerSideEncryption,
} from '@aws-sdk/client-s3';
import type { Logger } from 'pino';
import { checkArtifactKey, isArtifactKey, sha256Of, verifiedArtifact, type ManagedArtifactStore, type StoredArtifact } from './artifact-store.js';

/** How objects are encrypted at rest: `auto` asks for AES256 and goes without when the server does not offer it. */
export type S3Encryption = 'auto' | 'AES256' | 'aws:kms' | 'off';

export interface S3ArtifactStoreOptions {
  bucket: string;
  /** Prepended to every object name (for example `airlock/artifacts/`). */
  prefix: string;
  /** An S3-compatible server's URL; unset means AWS itself. */
  endpoint?: string;
  region: string;
  /** Bucket in the path rather than the host name: what most self-hosted servers need. */
  forcePathStyle: boolean;
  /** Static credentials; undefined hands credentials to the SDK's own provider chain (instance roles and so on). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  encryption: S3Encryption;
  /** A KMS key id for `aws:kms`. */
  kmsKeyId?: string;
  logger?: Logger;
  /** Per request, so a stalled server fails an activity attempt instead of hanging it. */
  requestTimeoutMs?: number;
}

/** The object store refused or failed a request; the message names the bucket and the operation. */
export class ArtifactStoreError extends Error {
  override readonly name = 'ArtifactStoreError';
}

/** A re-write of bytes already stored refreshes the object only when it is older than this (retention is in days). */
const REFRESH_AFTER_MS = 12 * 60 * 60 * 1000;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** Codes with which S3-compatible servers say "no such encryption here" (SeaweedFS, MinIO without KMS, …). */
const ENCRYPTION_UNSUPPORTED = new Set(['NotImplemented', 'InvalidArgument', 'InvalidRequest', 'InvalidEncryptionAlgorithmError', 'KMS.NotConfigured', 'NotSupported']);

/**
 * Content-addressed artifacts in an S3-compatible bucket: one object per sha256 under the prefix. A put of bytes that
 * are already there writes nothing (beyond refreshing an old object's age for retention); a get hashes what came back
 * and refuses bytes that do not match their name, so a tampered bucket cannot feed a reader someone else's output.
 */
export class S3ArtifactStore implements ManagedArtifactStore {
  private readonly client: S3Client;
  private encryption: S3Encryption;
  readonly location: string;

  constructor(private readonly options: S3ArtifactStoreOptions) {
    this.encryption = options.encryption;
    this.location = `s3://${options.bucket}/${options.prefix}`;
    const timeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.client = new S3Client({
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      // Checksums only where the API requires them: several S3-compatible servers reject the SDK's newer default
      // trailers, and reads are checked against the sha256 anyway.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
      requestHandler: { connectionTimeout: Math.min(timeout, 5_000), requestTimeout: timeout, throwOnRequestTimeout: true },
    });
  }

  private key(sha256: string): string {
    return `${this.options.prefix}${checkArtifactKey(sha256)}`;
  }

  async put(bytes: Buffer): Promise<{ sha256: string; bytes: number }> {
    const sha256 = sha256Of(bytes);
    const key = this.key(sha256);
    const existing = await this.head(key);
    if (existing && existing.bytes === bytes.length && Date.now() - existing.writtenAt.getTime() < REFRESH_AFTER_MS) {
      return { sha256, bytes: bytes.length };
    }
    await this.putObject(key, sha256, bytes);
    return { sha256, bytes: bytes.length };
  }

  async get(sha256: string): Promise<Buffer | undefined> {
    const key = this.key(sha256);
    let body: Uint8Array;
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key }));
      if (!response.Body) return undefined;
      body = await response.Body.transformToByteArray();
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw this.failure('read', key, err);
    }
    return verifiedArtifact(sha256, Buffer.from(body));
  }

  async *list(): AsyncIterable<StoredArtifact> {
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: this.options.prefix, ContinuationToken: token }));
      } catch (err) {
        throw this.failure('list', this.options.prefix, err);
      }
      for (const object of page.Contents ?? []) {
        const name = object.Key?.slice(this.options.prefix.length) ?? '';
        // Only direct children named by a sha256: anything else under the prefix is not ours to count or delete.
        if (!isArtifactKey(name)) continue;
        yield { sha256: name, bytes: object.Size ?? 0, writtenAt: object.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async delete(sha256: string): Promise<void> {
    const key = this.key(sha256);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: key }));
    } catch (err) {
      if (isNotFound(err)) return;
      throw this.failure('delete', key, err);
    }
  }

  /** Whether objects written now are encrypted at rest (after `auto` found out), for logs and tests. */
  get encryptionInUse(): S3Encryption {
    return this.encryption;
  }

  /** Closes the client's sockets. */
  close(): void {
    this.client.destroy();
  }

  private async head(key: string): Promise<{ bytes: number; writtenAt: Date } | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: key }));
      return { bytes: head.ContentLength ?? -1, writtenAt: head.LastModified ?? new Date(0) };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw this.failure('check', key, err);
    }
  }

  private async putObject(key: string, sha256: string, bytes: Buffer): Promise<void> {
    const sse = this.serverSideEncryption();
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: key,
          Body: bytes,
          ContentLength: bytes.length,
          ContentType: 'application/octet-stream',
          Metadata: { sha256 },
          ...sse,
        }),
      );
    } catch (err) {
      if (this.encryption === 'auto' && sse.ServerSideEncryption && (ENCRYPTION_UNSUPPORTED.has(errorCode(err)) || (await this.writesWithoutEncryption(key, sha256, bytes)))) {
        // The server does not offer encryption at rest: say so once and keep storing (`AES256` would refuse instead).
        this.options.logger?.warn({ bucket: this.options.bucket, code: errorCode(err) }, 'the object store does not offer server-side encryption: artifacts are stored unencrypted');
        this.encryption = 'off';
        await this.putObject(key, sha256, bytes);
        return;
      }
      throw this.failure('write', key, err);
    }
  }

  /**
   * Some servers answer a request for encryption they do not offer with a bare 500 (SeaweedFS without a key, for
   * one). The same write without encryption tells that apart from a server that is simply failing.
   */
  private async writesWithoutEncryption(key: string, sha256: string, bytes: Buffer): Promise<boolean> {
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.options.bucket, Key: key, Body: bytes, ContentLength: bytes.length, ContentType: 'application/octet-stream', Metadata: { sha256 } }));
      return true;
    } catch {
      return false;
    }
  }

  private serverSideEncryption(): { ServerSideEncryption?: ServerSideEncryption; SSEKMSKeyId?: string } {
    switch (this.encryption) {
      case 'off':
        return {};
      case 'aws:kms':
        return { ServerSideEncryption: 'aws:kms', ...(this.options.kmsKeyId ? { SSEKMSKeyId: this.options.kmsKeyId } : {}) };
      default:
        return { ServerSideEncryption: 'AES256' };
    }
  }

  private failure(operation: string, key: string, err: unknown): ArtifactStoreError {
    const why = err instanceof Error ? `${errorCode(err) || err.name}: ${err.message}` : String(err);
    return new ArtifactStoreError(`could not ${operation} s3://${this.options.bucket}/${key}: ${why}`, { cause: err });
  }
}

function errorCode(err: unknown): string {
  if (err instanceof S3ServiceException) return err.name;
  return err instanceof Error ? ((err as { Code?: string }).Code ?? err.name) : '';
}

function isNotFound(err: unknown): boolean {
  if (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404) return true;
  const code = errorCode(err);
  return code === 'NoSuchKey' || code === 'NotFound';
}
