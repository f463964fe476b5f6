import { z } from 'zod';

/** The form Slack posts to the interactivity URL: one field holding JSON. */
export const SlackInteractionFormSchema = z.object({ payload: z.string().describe('JSON of the block_actions payload') });

/** The parts of a `block_actions` payload Airlock reads; Slack sends much more, which is ignored. */
export const BlockActionsPayloadSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string() }),
  channel: z.object({ id: z.string() }).optional(),
  container: z.object({ channel_id: z.string().optional(), message_ts: z.string().optional() }).optional(),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional() })).min(1),
});
export type BlockActionsPayload = z.infer<typeof BlockActionsPayloadSchema>;
