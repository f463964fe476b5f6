import type { ControlActivities, SandboxActivities } from '../activities/index.js';

/**
 * The activity types the workflow schedules, as they appear in history. The audit reads history by these names;
 * the `satisfies` keeps them in step with the activity factories.
 */
export const ACTIVITY_TYPES = {
  loadPolicy: 'loadPolicy',
  assessRisk: 'assessRisk',
  /** assessRisk as a local activity (from the local-control-activities patch on); its marker holds input and result. */
  assessRiskWithInput: 'assessRiskWithInput',
  executeCode: 'executeCode',
  notifyApprovers: 'notifyApprovers',
  publishApprovalOutcome: 'publishApprovalOutcome',
} as const satisfies Record<string, keyof ControlActivities | keyof SandboxActivities>;
