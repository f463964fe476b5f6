export { createControlActivities, type ControlActivities, type ControlActivityDeps } from './control-activities.js';
export {
  createSandboxActivities,
  type SandboxActivities,
  type SandboxActivityDeps,
  type SandboxFailureType,
} from './sandbox-activities.js';
