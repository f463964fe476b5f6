/**
 * The SDK, as `import { AirlockClient, loadConfig } from 'airlock'`: the client, its configuration, its errors
 * and the types of what it returns. It pulls in neither the CLI nor the dev stack.
 */
export { AirlockClient, type ConnectOptions, type WaitForActionsOptions } from './sdk.js';
export * from './errors.js';
export type { AuditReport, AuditAction, AuditDecision } from './audit-report.js';
export type { AuditDecisionLine } from './audit-export.js';
export type { ListRunsFilter, RunSummary } from './list-query.js';
export type { WaitUntil } from './wait-condition.js';
export { ConfigError, loadConfig, type AirlockConfig } from '../platform/config.js';
// For services that open their own Temporal connection with the same TEMPORAL_TLS_* settings Airlock uses.
export { temporalConnectionOptions, TemporalTlsError, type TemporalTls, type TemporalTlsSettings } from '../platform/temporal-tls.js';
export type { ActionInput, ActionStatus, Language } from '../schemas/action.js';
export type { DecisionInput, DecisionOutcome } from '../schemas/decision.js';
export type { ExecutionResult } from '../schemas/execution.js';
export type { ActionState, RunState, StartRunInput } from '../schemas/run.js';
