import pino from 'pino';
import { createDockerClient } from '../../../sandbox/docker-client.js';
import { DockerSandbox } from '../../../sandbox/docker-sandbox.js';
import { ensureSandboxImage } from '../../../sandbox/image/ensure-sandbox-image.js';
import type { ControlPlane } from '../../../sandbox/network/control-plane.js';
import type { ResolveHost } from '../../../sandbox/network/egress-resolver.js';
import { resolveLimits, type Language } from '../../../schemas/action.js';
import type { ExecutionResult } from '../../../schemas/execution.js';
import { NetworkRequestSchema } from '../../../schemas/network.js';
import type { CaseContext } from './adversarial-case.js';

/** A program with a network allowlist, as an approved action would reach the sandbox. */
export interface EgressProgram {
  language: Language;
  code: string;
  /** Entries as the agent wrote them; canonicalised by the action schema, as the workflow does. */
  allow: string[];
  /** The pinned policy's `network.privateDestinations`. */
  privateDestinations?: string[];
  resolve?: ResolveHost;
  controlPlane?: ControlPlane;
}

let counter = 0;

/**
 * Runs a program with an allowlist under the case's run id (so the harness's clean-up checks cover it), in a
 * sandbox of its own whose proxy uses the case's resolver and control plane. Everything the program may reach is
 * on this machine.
 */
export async function runWithEgress(ctx: CaseContext, program: EgressProgram): Promise<ExecutionResult> {
  const docker = createDockerClient();
  const { image } = await ensureSandboxImage({ docker });
  const sandbox = new DockerSandbox({
    docker,
    image,
    artifactStore: ctx.artifacts,
    logger: pino({ level: 'silent' }),
    ...(program.resolve ? { resolveHost: program.resolve } : {}),
    ...(program.controlPlane ? { controlPlane: program.controlPlane } : {}),
  });
  const { allow } = NetworkRequestSchema.parse({ allow: program.allow });
  return sandbox.execute({
    runId: ctx.runId,
    actionId: `net${++counter}`,
    language: program.language,
    code: program.code,
    limits: resolveLimits({ timeoutSec: 30 }),
    isolation: ctx.isolation,
    whenStrongUnavailable: 'fail',
    network: { allow, ...(program.privateDestinations ? { privateDestinations: program.privateDestinations } : {}) },
  });
}
