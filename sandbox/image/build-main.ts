import { createLogger } from '../../platform/logger.js';
import { assertDockerReachable, createDockerClient } from '../docker-client.js';
import { ensureSandboxImage } from './ensure-sandbox-image.js';

/** `node dist/sandbox/image/build-main.js [name]`: builds (or confirms) the sandbox image, progress on stderr. */
async function main(): Promise<void> {
  const logger = createLogger({ name: 'airlock-image' });
  const docker = createDockerClient();
  await assertDockerReachable(docker);
  const result = await ensureSandboxImage({
    docker,
    imageName: process.argv[2] ?? process.env.AIRLOCK_SANDBOX_IMAGE,
    logger,
    onProgress: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
