import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import { Readable } from 'node:stream';
import { hasDockerStatus } from '../docker-errors.js';
import { rootOwnedTar } from '../root-owned-tar.js';
import { followDockerProgress } from '../docker-progress.js';
import { buildRootfsTarball, type ProgressListener } from './mmdebstrap-rootfs.js';
import { DEFAULT_SANDBOX_IMAGE, RECIPE_LABEL, importChanges, recipeHash, renderDockerfile } from './recipe.js';

/** How the image came to be: already present with the current recipe, built from the Dockerfile, or imported. */
export type SandboxImageSource = 'reused' | 'dockerfile' | 'mmdebstrap';

export interface SandboxImage {
  /** Reference to run, e.g. `airlock-sandbox:latest`. */
  image: string;
  imageId: string;
  source: SandboxImageSource;
}

/**
 * How a missing image is built: `auto` tries the Dockerfile and falls back to Debian packages; `debian` goes
 * straight to mmdebstrap (hosts known to have no container registry, so the engine never tries to reach one);
 * `dockerfile` never falls back.
 */
export const SANDBOX_IMAGE_BUILDS = ['auto', 'dockerfile', 'debian'] as const;
export type SandboxImageBuild = (typeof SANDBOX_IMAGE_BUILDS)[number];

export interface EnsureSandboxImageOptions {
  docker: Docker;
  imageName?: string;
  /** Defaults to `auto`. */
  build?: SandboxImageBuild;
  onProgress?: ProgressListener;
  logger?: Logger;
}

const IMAGE_TAG = 'latest';

async function currentImage(docker: Docker, image: string, hash: string): Promise<string | undefined> {
  try {
    const info = await docker.getImage(image).inspect();
    return info.Config?.Labels?.[RECIPE_LABEL] === hash ? info.Id : undefined;
  } catch (err) {
    if (hasDockerStatus(err, 404)) return undefined;
    throw err;
  }
}

async function dockerfileContext(): Promise<NodeJS.ReadableStream> {
  return Readable.from([await rootOwnedTar([{ name: 'Dockerfile', body: Buffer.from(renderDockerfile()), mode: 0o644 }])]);
}

async function buildFromDockerfile(docker: Docker, image: string, hash: string, onProgress: ProgressListener) {
  const stream = await docker.buildImage(await dockerfileContext(), {
    t: image,
    labels: { [RECIPE_LABEL]: hash },
    rm: true,
    forcerm: true,
  });
  await followDockerProgress(docker, stream, onProgress);
}

async function importFromMmdebstrap(docker: Docker, imageName: string, hash: string, onProgress: ProgressListener) {
  const workDir = await mkdtemp(path.join(tmpdir(), 'airlock-rootfs-'));
  try {
    const tarball = path.join(workDir, 'rootfs.tar');
    await buildRootfsTarball(tarball, onProgress);
    onProgress(`importing ${tarball} as ${imageName}:${IMAGE_TAG}`);
    const stream = await docker.importImage(tarball, {
      repo: imageName,
      tag: IMAGE_TAG,
      changes: importChanges(hash),
    });
    await followDockerProgress(docker, stream, onProgress);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/**
 * Makes sure the sandbox image exists and matches the current recipe. Reuses an image whose recipe label matches;
 * otherwise builds from the Dockerfile, and when that fails (typically: no registry answers for the base image)
 * builds the root filesystem with mmdebstrap from Debian packages and imports it under the same name.
 */
export async function ensureSandboxImage(options: EnsureSandboxImageOptions): Promise<SandboxImage> {
  const { docker, logger } = options;
  const imageName = options.imageName ?? DEFAULT_SANDBOX_IMAGE;
  const image = `${imageName}:${IMAGE_TAG}`;
  const onProgress = options.onProgress ?? ((line: string) => logger?.debug({ line }, 'image build progress'));
  const hash = recipeHash();

  const existing = await currentImage(docker, image, hash);
  if (existing) {
    logger?.debug({ image, imageId: existing }, 'sandbox image is current');
    return { image, imageId: existing, source: 'reused' };
  }

  const build = options.build ?? 'auto';
  let source: SandboxImageSource = build === 'debian' ? 'mmdebstrap' : 'dockerfile';
  if (source === 'dockerfile') {
    logger?.info({ image, recipe: hash }, 'building sandbox image from the Dockerfile');
    try {
      await buildFromDockerfile(docker, image, hash, onProgress);
    } catch (err) {
      if (build === 'dockerfile') throw err;
      // Expected on hosts without registry access, so the reason is logged without a stack trace.
      const reason = err instanceof Error ? err.message : String(err);
      logger?.warn({ reason }, 'Dockerfile build failed (no registry?); building the root filesystem with mmdebstrap');
      source = 'mmdebstrap';
    }
  }
  if (source === 'mmdebstrap') await importFromMmdebstrap(docker, imageName, hash, onProgress);

  const imageId = await currentImage(docker, image, hash);
  if (!imageId) throw new Error(`built ${image} but it does not carry the expected ${RECIPE_LABEL} label`);
  logger?.info({ image, imageId, source }, 'sandbox image ready');
  return { image, imageId, source };
}
