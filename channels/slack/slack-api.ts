import { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';

/** The three Slack Web API calls Airlock makes; a thin seam over Slack's official client. */
export interface SlackApi {
  postMessage(args: { channel: string; text: string; blocks: unknown[] }): Promise<{ channel: string; ts: string }>;
  updateMessage(args: { channel: string; ts: string; text: string; blocks: unknown[] }): Promise<void>;
  postEphemeral(args: { channel: string; user: string; text: string }): Promise<void>;
}

/**
 * Slack's WebClient with its own retries off (Temporal retries the activities that call it) and a configurable
 * base URL, so tests can point it at a local fake.
 */
export function createSlackApi(options: { token: string; apiUrl?: string; logger: Logger }): SlackApi {
  const base = options.apiUrl && !options.apiUrl.endsWith('/') ? `${options.apiUrl}/` : options.apiUrl;
  const client = new WebClient(options.token, {
    ...(base ? { slackApiUrl: base } : {}),
    retryConfig: { retries: 0 },
    allowAbsoluteUrls: false,
    logger: slackLogger(options.logger),
  });
  return {
    async postMessage(args) {
      const reply = await client.chat.postMessage({ channel: args.channel, text: args.text, blocks: args.blocks as never });
      return { channel: String(reply.channel ?? args.channel), ts: String(reply.ts) };
    },
    async updateMessage(args) {
      await client.chat.update({ channel: args.channel, ts: args.ts, text: args.text, blocks: args.blocks as never });
    },
    async postEphemeral(args) {
      await client.chat.postEphemeral({ channel: args.channel, user: args.user, text: args.text });
    },
  };
}

/** Slack's logger interface on top of pino, so the client's logs join Airlock's. */
function slackLogger(logger: Logger) {
  const child = logger.child({ component: 'slack-web-api' });
  let level = 'info';
  return {
    debug: (...msg: unknown[]) => child.debug({ slack: msg }, 'slack client'),
    info: (...msg: unknown[]) => child.info({ slack: msg }, 'slack client'),
    warn: (...msg: unknown[]) => child.warn({ slack: msg }, 'slack client'),
    error: (...msg: unknown[]) => child.error({ slack: msg }, 'slack client'),
    setLevel: (next: string) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  } as never;
}
