import path from 'node:path';
import type { Logger } from 'pino';
import { ArtifactStoreEnvSchema, type ArtifactStoreEnv } from '../schemas/artifact-store-env.js';
import { FileArtifactStore, type ManagedArtifactStore } from './artifact-store.js';
import { parseEnv } from './config.js';

/** Parses the artifact store's settings; a bad or missing value stops start-up naming the variable. */
export function loadArtifactStoreEnv(env: NodeJS.ProcessEnv = process.env): ArtifactStoreEnv {
  return parseEnv(ArtifactStoreEnvSchema, env);
}

/**
 * The artifact store this deployment is configured for: `<home>/artifacts` by default, an S3-compatible bucket when
 * AIRLOCK_ARTIFACT_STORE=s3. Sandbox workers write to it; the API, the CLI and the SDK read from it. The S3 client is
 * loaded only when used, so the embedded stack never pays for it.
 */
export async function createArtifactStore(options: { home: string; env?: NodeJS.ProcessEnv; logger?: Logger }): Promise<ManagedArtifactStore> {
  const settings = loadArtifactStoreEnv(options.env ?? process.env);
  if (settings.AIRLOCK_ARTIFACT_STORE === 'local') return new FileArtifactStore(path.join(options.home, 'artifacts'));
  const { S3ArtifactStore } = await import('./s3-artifact-store.js');
  const accessKeyId = settings.AIRLOCK_S3_ACCESS_KEY_ID ?? settings.AWS_ACCESS_KEY_ID;
  const secretAccessKey = settings.AIRLOCK_S3_SECRET_ACCESS_KEY ?? settings.AWS_SECRET_ACCESS_KEY;
  const prefix = settings.AIRLOCK_S3_PREFIX === '' || settings.AIRLOCK_S3_PREFIX.endsWith('/') ? settings.AIRLOCK_S3_PREFIX : `${settings.AIRLOCK_S3_PREFIX}/`;
  return new S3ArtifactStore({
    // Checked by the schema: s3 needs a bucket.
    bucket: settings.AIRLOCK_S3_BUCKET ?? '',
    prefix,
    ...(settings.AIRLOCK_S3_ENDPOINT ? { endpoint: settings.AIRLOCK_S3_ENDPOINT } : {}),
    region: settings.AIRLOCK_S3_REGION,
    forcePathStyle: settings.AIRLOCK_S3_FORCE_PATH_STYLE ?? settings.AIRLOCK_S3_ENDPOINT !== undefined,
    ...(settings.AIRLOCK_S3_CREDENTIALS === 'static' && accessKeyId && secretAccessKey
      ? { credentials: { accessKeyId, secretAccessKey, ...(settings.AWS_SESSION_TOKEN ? { sessionToken: settings.AWS_SESSION_TOKEN } : {}) } }
      : {}),
    encryption: settings.AIRLOCK_S3_SSE,
    ...(settings.AIRLOCK_S3_KMS_KEY_ID ? { kmsKeyId: settings.AIRLOCK_S3_KMS_KEY_ID } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
}
