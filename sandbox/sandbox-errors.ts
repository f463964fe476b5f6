/**
 * The errors the sandbox throws for requests no retry can fix, in one module. Each carries a `type` from the closed
 * SandboxFailureType union; the sandbox activity turns them into non-retryable failures of that type, and the
 * workflow and clients branch on the type, never on the message or the class name.
 */
import { MAX_CODE_BYTES } from '../schemas/action.js';
import type { ExecutionAttempt, SandboxFailureType } from '../schemas/execution.js';

/** A sandbox refusal that retrying cannot change. */
export abstract class SandboxError extends Error {
  abstract readonly type: SandboxFailureType;
}

/** The code is larger than any action may carry; refused before a container exists. */
export class CodeTooLargeError extends SandboxError {
  override readonly name = 'CodeTooLargeError';
  readonly type = 'InvalidExecutionRequest' as const;
  constructor(readonly bytes: number) {
    super(`the code is ${bytes} bytes, above the ${MAX_CODE_BYTES}-byte limit; nothing was run`);
  }
}

/** Input files or output paths that the schemas refuse (a path leaving /workspace, too much data); nothing ran. */
export class InvalidSandboxRequestError extends SandboxError {
  override readonly name = 'InvalidSandboxRequestError';
  readonly type = 'InvalidExecutionRequest' as const;
  constructor(readonly problems: string) {
    super(`refused before any container was created: ${problems}`);
  }
}

/** The input files could not be placed under /workspace (for example: more than the workspace holds). */
export class InputFilesError extends SandboxError {
  override readonly name = 'InputFilesError';
  readonly type = 'InvalidExecutionRequest' as const;
  constructor(readonly detail: string) {
    super(`the input files could not be written to /workspace${detail ? `: ${detail}` : ''}`);
  }
}

/** The sandbox image is not on this Docker host; the message says how to build it. */
export class SandboxImageMissingError extends SandboxError {
  override readonly name = 'SandboxImageMissingError';
  readonly type = 'SandboxImageMissing' as const;
  constructor(readonly image: string) {
    super(
      `the sandbox image ${image} is not on this Docker host: build it with ` +
        '`node dist/sandbox/image/build-main.js` (or `npm run up`, which builds it)',
    );
  }
}

/** `strong` isolation was asked for, gVisor is not on this Docker host, and the request does not allow falling back. */
export class StrongIsolationUnavailableError extends SandboxError {
  override readonly name = 'StrongIsolationUnavailableError';
  readonly type = 'StrongIsolationUnavailable' as const;
  constructor(
    readonly runtime: string,
    readonly engineRuntimes: readonly string[],
  ) {
    super(
      `strong isolation needs the ${runtime} runtime, which this Docker engine does not have ` +
        `(it has: ${engineRuntimes.join(', ') || 'none'}). Run the set-up as root on Debian to install and register ` +
        'gVisor, or allow falling back to standard isolation in the policy.',
    );
  }
}

/** An allowlist together with `strong` isolation: refused, because egress under gVisor is not verified yet. */
export class EgressUnderStrongIsolationError extends SandboxError {
  override readonly name = 'EgressUnderStrongIsolationError';
  readonly type = 'InvalidExecutionRequest' as const;
  constructor(readonly actionId: string) {
    super(
      `action ${actionId} asks for network access under strong isolation, which Airlock does not offer yet: ` +
        'run it with standard isolation, or without network access',
    );
  }
}

/** A secret the action was approved to use is not in this sandbox worker's store; nothing ran. */
export class SecretUnavailableError extends SandboxError {
  override readonly name = 'SecretUnavailableError';
  readonly type = 'InvalidExecutionRequest' as const;
  constructor(readonly secret: string) {
    super(
      `the secret "${secret}" is not in this sandbox worker's store (airlock secret set ${secret}, or ` +
        `AIRLOCK_SECRET_${secret.toUpperCase().replace(/-/g, '_')}); nothing was run`,
    );
  }
}

/**
 * An at-most-once action (one with network) whose earlier attempt may have run the code: it is not run again.
 * `attempts` says which attempt did what.
 */
export class LostAttemptNotRetriedError extends SandboxError {
  override readonly name = 'LostAttemptNotRetriedError';
  readonly type = 'LostAttemptNotRetried' as const;
  constructor(
    message: string,
    readonly attempts: readonly ExecutionAttempt[],
  ) {
    super(message);
  }
}

/** This attempt was fenced off by a later one before its container started (its worker had been given up on). */
export class AttemptFencedError extends Error {
  override readonly name = 'AttemptFencedError';
  constructor(readonly containerName: string) {
    super(`attempt ${containerName} was superseded by a later attempt before its code started; nothing ran`);
  }
}
