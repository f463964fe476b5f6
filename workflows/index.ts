/** The workflow bundle's entry point: every workflow function the workers register. */
export { agentRun } from './agent-run.js';
export { deliverRunEvent } from './deliver-run-event.js';
