/** Bundles the workflow code exactly as production workers do (with the tracing interceptors). */
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../platform/telemetry/tracing.js';

/** The bundler's own logging is noise in tests and scripts; errors still surface as a rejected promise. */
const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** A workflow bundle for `workflowsPath` with Airlock's workflow interceptors, as `Worker.create` would build. */
export function bundleAirlockWorkflows(workflowsPath: string): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath,
    workflowInterceptorModules: [...WORKFLOW_INTERCEPTOR_MODULES],
    logger: quietBundlerLogger,
  });
}
