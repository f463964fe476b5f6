import type { DecisionKind } from '../../schemas/decision.js';
import { parseDecideArgs, pickPendingAction } from '../decide-args.js';
import { EXIT } from '../exit-codes.js';
import { withClient, type CommandContext } from '../context.js';

/** `airlock approve` / `airlock deny`: decide one action (the only pending one when --action is absent). */
export function decideCommand(decision: DecisionKind) {
  return async (context: CommandContext): Promise<number> => {
    const args = parseDecideArgs(decision, context.argv);
    return withClient(context, async (client) => {
      const actionId = args.actionId ?? pickPendingAction(await client.getRun(args.runId));
      const outcome = await client.decide(args.runId, {
        actionId,
        decision,
        approver: args.approver,
        channel: 'cli',
        ...(args.reason !== undefined ? { reason: args.reason } : {}),
      });
      const verb = decision === 'approve' ? 'approved' : 'denied';
      context.io.out(
        `${verb} ${args.runId} ${actionId} as ${args.approver}: ${outcome.status} ` +
          `(${outcome.approvals} of ${outcome.requiredApprovals} approvals)\n`,
      );
      return EXIT.ok;
    });
  };
}
