import type { AirlockConfig } from '../platform/config.js';
import { AirlockClient } from '../client/sdk.js';

/** Where a command writes and reads; the real process streams in main, buffers in tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  readStdin(): Promise<Buffer>;
}

/** What every command receives. */
export interface CommandContext {
  /** Arguments after the command name. */
  argv: string[];
  /** Parsed on first use, so `help` and usage errors work even with a broken environment. */
  config(): AirlockConfig;
  io: CliIo;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
}

export type Command = (context: CommandContext) => Promise<number>;

/** Connects, runs `work`, and always disconnects (an open connection would keep the process alive). */
export async function withClient<T>(context: CommandContext, work: (client: AirlockClient) => Promise<T>): Promise<T> {
  const client = await AirlockClient.connect(context.config());
  try {
    return await work(client);
  } finally {
    await client.disconnect();
  }
}

/** Pretty JSON with a trailing newline: one object per command invocation. */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}
