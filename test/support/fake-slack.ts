/** A local stand-in for Slack's Web API that records every call (tests only; loopback). */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  /** What the fake answered (for chat.postMessage: the message's ts). */
  reply: Record<string, unknown>;
}

export interface FakeSlack {
  /** Base URL for SLACK_API_URL (ends with /api/). */
  apiUrl: string;
  calls: SlackCall[];
  callsTo(method: string): SlackCall[];
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseArgs(text: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.includes('application/json')) return JSON.parse(text) as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    try {
      args[key] = key === 'blocks' || key === 'attachments' ? JSON.parse(value) : value;
    } catch {
      args[key] = value;
    }
  }
  return args;
}

export async function startFakeSlack(): Promise<FakeSlack> {
  const calls: SlackCall[] = [];
  let ts = 1_700_000_000;
  const server: Server = createServer((request, response) => {
    void (async () => {
      const method = (request.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
      const args = parseArgs(await readBody(request), request.headers['content-type']);
      const reply: Record<string, unknown> = { ok: true };
      calls.push({ method, args, reply });
      if (method === 'chat.postMessage') Object.assign(reply, { channel: args.channel, ts: `${ts++}.000100` });
      if (method === 'chat.update') Object.assign(reply, { channel: args.channel, ts: args.ts });
      if (method === 'chat.postEphemeral') Object.assign(reply, { message_ts: `${ts++}.000200` });
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    calls,
    callsTo: (method) => calls.filter((call) => call.method === method),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Signs a body the way Slack does (v0 scheme), for requests to /slack/interactions. */
export function slackSignature(secret: string, timestampSec: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestampSec}:${body}`).digest('hex')}`;
}

/** The form body Slack posts when a button of an Airlock message is clicked. */
let clicks = 0;

export function buttonClickBody(options: { userId: string; actionId: string; value: string; channel?: string }): string {
  // Like Slack, every click carries its own trigger id and action time, so two clicks are two distinct requests.
  clicks++;
  const payload = {
    type: 'block_actions',
    user: { id: options.userId },
    channel: { id: options.channel ?? 'C0APPROVALS' },
    container: { type: 'message', channel_id: options.channel ?? 'C0APPROVALS', message_ts: '1.0' },
    trigger_id: `trigger-${process.pid}-${clicks}`,
    actions: [{ action_id: options.actionId, value: options.value, type: 'button', action_ts: `${Date.now() / 1000}${clicks}` }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
