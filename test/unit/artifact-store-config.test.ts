import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FileArtifactStore } from '../../platform/artifact-store.js';
import { createArtifactStore, loadArtifactStoreEnv } from '../../platform/artifact-store-config.js';
import { ConfigError } from '../../platform/config.js';
import { S3ArtifactStore } from '../../platform/s3-artifact-store.js';

const S3_ENV = {
  AIRLOCK_ARTIFACT_STORE: 's3',
  AIRLOCK_S3_BUCKET: 'airlock-artifacts',
  AIRLOCK_S3_ENDPOINT: 'http://127.0.0.1:8333',
  AIRLOCK_S3_ACCESS_KEY_ID: 'id',
  AIRLOCK_S3_SECRET_ACCESS_KEY: 'secret',
};

void describe('artifact store configuration', () => {
  void it('defaults to the local folder under AIRLOCK_HOME', async () => {
    const store = await createArtifactStore({ home: '/srv/airlock', env: {} });
    assert.ok(store instanceof FileArtifactStore);
    assert.equal(store.location, path.join('/srv/airlock', 'artifacts'));
  });

  void it('builds the S3 store with a normalised prefix', async () => {
    const store = await createArtifactStore({ home: '/srv/airlock', env: { ...S3_ENV, AIRLOCK_S3_PREFIX: 'team-a/artifacts' } });
    assert.ok(store instanceof S3ArtifactStore);
    assert.equal(store.location, 's3://airlock-artifacts/team-a/artifacts/');
    store.close();
  });

  void it('names the missing bucket and the missing credentials', () => {
    assert.throws(() => loadArtifactStoreEnv({ AIRLOCK_ARTIFACT_STORE: 's3' }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /AIRLOCK_S3_BUCKET/);
      assert.match(err.message, /AIRLOCK_S3_ACCESS_KEY_ID/);
      return true;
    });
  });

  void it('accepts the standard AWS credential names, or the SDK chain when asked for', () => {
    const { AIRLOCK_S3_ACCESS_KEY_ID: _id, AIRLOCK_S3_SECRET_ACCESS_KEY: _secret, ...noKeys } = S3_ENV;
    assert.doesNotThrow(() => loadArtifactStoreEnv({ ...noKeys, AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' }));
    assert.doesNotThrow(() => loadArtifactStoreEnv({ ...noKeys, AIRLOCK_S3_CREDENTIALS: 'sdk' }));
  });

  void it('refuses unknown values with the variable named', () => {
    assert.throws(() => loadArtifactStoreEnv({ AIRLOCK_ARTIFACT_STORE: 'ftp' }), /AIRLOCK_ARTIFACT_STORE/);
    assert.throws(() => loadArtifactStoreEnv({ ...S3_ENV, AIRLOCK_S3_SSE: 'rot13' }), /AIRLOCK_S3_SSE/);
    assert.throws(() => loadArtifactStoreEnv({ ...S3_ENV, AIRLOCK_S3_ENDPOINT: 'file:///etc' }), /AIRLOCK_S3_ENDPOINT/);
    assert.throws(() => loadArtifactStoreEnv({ AIRLOCK_ARTIFACT_RETENTION_DAYS: '-3' }), /AIRLOCK_ARTIFACT_RETENTION_DAYS/);
    assert.throws(() => loadArtifactStoreEnv({ AIRLOCK_ARTIFACT_RETENTION_DAYS: 'soon' }), /AIRLOCK_ARTIFACT_RETENTION_DAYS/);
  });

  void it('reads the retention in days, unset meaning keep forever', () => {
    assert.equal(loadArtifactStoreEnv({ AIRLOCK_ARTIFACT_RETENTION_DAYS: '30' }).AIRLOCK_ARTIFACT_RETENTION_DAYS, 30);
    assert.equal(loadArtifactStoreEnv({}).AIRLOCK_ARTIFACT_RETENTION_DAYS, undefined);
    assert.equal(loadArtifactStoreEnv({ AIRLOCK_ARTIFACT_RETENTION_DAYS: '' }).AIRLOCK_ARTIFACT_RETENTION_DAYS, undefined);
  });
});
