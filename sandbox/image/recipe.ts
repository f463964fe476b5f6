import { createHash } from 'node:crypto';

/** Name (repository) of the image every sandbox runs; `latest` is the tag. */
export const DEFAULT_SANDBOX_IMAGE = 'airlock-sandbox';
/** Image label holding the recipe hash, so a changed recipe causes a rebuild and an unchanged one is reused. */
export const RECIPE_LABEL = 'dev.airlock.recipe';

/** Debian release and packages in the image: interpreters for every language Airlock runs, and CA roots. */
export const DEBIAN_SUITE = 'bookworm';
export const SANDBOX_PACKAGES = ['python3', 'nodejs', 'bash', 'ca-certificates'] as const;

/** Image settings applied by both build paths (Dockerfile instructions or `docker import --change`). */
export const IMAGE_SETTINGS = {
  workdir: '/workspace',
  user: '65534:65534',
  cmd: ['bash'],
} as const;

/** Documentation and translations are of no use inside a sandbox; leaving them out shrinks the image. */
export const EXCLUDED_PATHS = ['/usr/share/doc/*', '/usr/share/man/*', '/usr/share/info/*', '/usr/share/locale/*'];

/** The Dockerfile for hosts that can pull `debian:<suite>-slim` from a registry (also in sandbox/image/). */
export function renderDockerfile(): string {
  return [
    `FROM debian:${DEBIAN_SUITE}-slim`,
    'RUN apt-get update \\',
    ` && apt-get install -y --no-install-recommends ${SANDBOX_PACKAGES.join(' ')} \\`,
    ' && rm -rf /var/lib/apt/lists/*',
    `WORKDIR ${IMAGE_SETTINGS.workdir}`,
    `USER ${IMAGE_SETTINGS.user}`,
    `CMD ${JSON.stringify(IMAGE_SETTINGS.cmd)}`,
    '',
  ].join('\n');
}

/** `docker import --change` instructions that give an imported root filesystem the same settings. */
export function importChanges(recipeHash: string): string[] {
  return [
    `WORKDIR ${IMAGE_SETTINGS.workdir}`,
    `USER ${IMAGE_SETTINGS.user}`,
    `CMD ${JSON.stringify(IMAGE_SETTINGS.cmd)}`,
    `LABEL ${RECIPE_LABEL}=${recipeHash}`,
  ];
}

/** Hash of everything that decides the image's content; recorded as a label on the image. */
export function recipeHash(): string {
  const recipe = JSON.stringify({
    dockerfile: renderDockerfile(),
    suite: DEBIAN_SUITE,
    packages: SANDBOX_PACKAGES,
    settings: IMAGE_SETTINGS,
    excluded: EXCLUDED_PATHS,
  });
  return createHash('sha256').update(recipe).digest('hex');
}
