import { z } from 'zod';

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .default('')
  .transform((value) => (value === '' ? undefined : ['true', '1', 'yes'].includes(value)));

/**
 * Where artifacts (full outputs and collected files) live. `local` keeps them in `<AIRLOCK_HOME>/artifacts` (the
 * embedded default: one machine). `s3` puts them in an S3-compatible bucket that every host reads, so an output
 * produced on one sandbox host can be fetched through the API on any other.
 */
export const ArtifactStoreEnvSchema = z
  .object({
    AIRLOCK_ARTIFACT_STORE: z.enum(['local', 's3']).default('local'),
    AIRLOCK_S3_BUCKET: optionalText,
    /** Prepended to object names; a trailing `/` is added when missing. */
    AIRLOCK_S3_PREFIX: z.string().trim().default('artifacts/'),
    /** An S3-compatible server (SeaweedFS, MinIO, Ceph, …); unset means AWS S3. */
    AIRLOCK_S3_ENDPOINT: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
    AIRLOCK_S3_REGION: z.string().trim().min(1).default('us-east-1'),
    /** Bucket in the URL path; defaults to on when an endpoint is set (self-hosted servers), off for AWS. */
    AIRLOCK_S3_FORCE_PATH_STYLE: flag,
    /** Static credentials; the standard AWS_* names are read when these are unset. */
    AIRLOCK_S3_ACCESS_KEY_ID: optionalText,
    AIRLOCK_S3_SECRET_ACCESS_KEY: optionalText,
    AWS_ACCESS_KEY_ID: optionalText,
    AWS_SECRET_ACCESS_KEY: optionalText,
    AWS_SESSION_TOKEN: optionalText,
    /**
     * `static` (default): the keys above, required. `sdk`: the AWS SDK's own provider chain (instance roles, SSO,
     * profiles); chosen deliberately, because that chain may ask a cloud metadata service for credentials.
     */
    AIRLOCK_S3_CREDENTIALS: z.enum(['static', 'sdk']).default('static'),
    /** Encryption at rest: `auto` asks for AES256 and stores unencrypted (with a warning) where it is not offered. */
    AIRLOCK_S3_SSE: z.enum(['auto', 'AES256', 'aws:kms', 'off']).default('auto'),
    AIRLOCK_S3_KMS_KEY_ID: optionalText,
    /** Delete artifacts not written for this many days (checked hourly by control workers); unset keeps them. */
    AIRLOCK_ARTIFACT_RETENTION_DAYS: optionalText.pipe(z.coerce.number<string | undefined>().positive().max(36_500).optional()),
  })
  .superRefine((env, ctx) => {
    if (env.AIRLOCK_ARTIFACT_STORE !== 's3') return;
    if (!env.AIRLOCK_S3_BUCKET) ctx.addIssue({ code: 'custom', path: ['AIRLOCK_S3_BUCKET'], message: 'AIRLOCK_ARTIFACT_STORE=s3 needs a bucket' });
    const id = env.AIRLOCK_S3_ACCESS_KEY_ID ?? env.AWS_ACCESS_KEY_ID;
    const secret = env.AIRLOCK_S3_SECRET_ACCESS_KEY ?? env.AWS_SECRET_ACCESS_KEY;
    if (env.AIRLOCK_S3_CREDENTIALS === 'static' && (!id || !secret)) {
      ctx.addIssue({
        code: 'custom',
        path: ['AIRLOCK_S3_ACCESS_KEY_ID'],
        message: 'set AIRLOCK_S3_ACCESS_KEY_ID and AIRLOCK_S3_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), or AIRLOCK_S3_CREDENTIALS=sdk',
      });
    }
  });
export type ArtifactStoreEnv = z.infer<typeof ArtifactStoreEnvSchema>;
