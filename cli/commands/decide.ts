import type { DecisionKind } from '../../schemas/decision.js';
import { apiClientFor } from '../credentials.js';
import { parseDecideArgs, pickPendingAction } from '../decide-args.js';
import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../context.js';

/**
 * `airlock approve` / `airlock deny`: decide one action (the only pending one when --action is absent) through the
 * HTTP API, as the principal of the token (`airlock login` or AIRLOCK_TOKEN). The API signs the decision; the CLI
 * never talks to Temporal for it.
 */
export function decideCommand(decision: DecisionKind) {
  return async (context: CommandContext): Promise<number> => {
    const args = parseDecideArgs(decision, context.argv);
    const api = apiClientFor(context.config());
    const who = await api.whoami();
    const actionId = args.actionId ?? pickPendingAction(await api.getRun(args.runId));
    const outcome = await api.decide(args.runId, {
      actionId,
      decision,
      channel: 'cli',
      ...(args.reason !== undefined ? { reason: args.reason } : {}),
      ...(args.contentSha256 !== undefined ? { contentSha256: args.contentSha256 } : {}),
    });
    const verb = decision === 'approve' ? 'approved' : 'denied';
    context.io.out(
      `${verb} ${args.runId} ${actionId} as ${who.principal}: ${outcome.status} ` +
        `(${outcome.approvals} of ${outcome.requiredApprovals} approvals)\n`,
    );
    return EXIT.ok;
  };
}
