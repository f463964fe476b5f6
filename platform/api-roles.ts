/**
 * Roles a token carries, least privilege first. `agent`: start runs, submit actions, read its own runs, never
 * decide. `viewer`: read every run. `approver`: read and decide. `admin`: everything, tokens included.
 */
import { z } from 'zod';

export const API_ROLES = ['agent', 'viewer', 'approver', 'admin'] as const;
export const ApiRoleSchema = z.enum(API_ROLES, { error: (issue) => `unknown role ${JSON.stringify(issue.input)} (roles: ${API_ROLES.join(', ')})` });
export type ApiRole = z.infer<typeof ApiRoleSchema>;

/** Who may read every run (the UI, listings, the codec endpoint). */
export const READ_ROLES: readonly ApiRole[] = ['viewer', 'approver', 'admin'];
/** Who may approve or deny. */
export const DECIDE_ROLES: readonly ApiRole[] = ['approver', 'admin'];
/** Who may create, list and revoke tokens. */
export const ADMIN_ROLES: readonly ApiRole[] = ['admin'];
/** Who may start runs and submit actions. */
export const AGENT_ROLES: readonly ApiRole[] = ['agent', 'admin'];

export function hasAnyRole(held: readonly string[], allowed: readonly ApiRole[]): boolean {
  return held.some((role) => (allowed as readonly string[]).includes(role));
}
