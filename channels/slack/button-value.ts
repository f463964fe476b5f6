import { z } from 'zod';

/** action_id of the two buttons; the interaction handler ignores any other. */
export const SLACK_ACTION_IDS = { approve: 'airlock_approve', deny: 'airlock_deny' } as const;

const ButtonValueSchema = z.object({ runId: z.string().min(1), actionId: z.string().min(1) }).strict();
export type ButtonValue = z.infer<typeof ButtonValueSchema>;

/** The button's value names the action; who clicked comes from Slack's signed payload, never from the value. */
export function encodeButtonValue(value: ButtonValue): string {
  return JSON.stringify(value);
}

export function decodeButtonValue(text: string): ButtonValue | undefined {
  try {
    const parsed = ButtonValueSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
