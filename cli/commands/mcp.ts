import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { HttpApiClient } from '../../client/http-api-client.js';
import { createAirlockMcpServer } from '../../server/mcp/airlock-mcp-server.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { expectPositionals, parseCommandLine } from '../parse-args.js';
import { UsageError } from '../usage-error.js';

const DEFAULT_API_URL = 'http://127.0.0.1:8080';

/**
 * `airlock mcp`: an MCP server on stdin/stdout for agents that reach tools through the Model Context Protocol. It
 * speaks to Airlock's HTTP API (AIRLOCK_URL, default the embedded stack's) with the API token in AIRLOCK_TOKEN, so
 * the agent can do what that token may do and nothing more; it never talks to Temporal itself. Stdout carries the
 * protocol only: anything else goes to stderr.
 */
export async function mcpCommand(context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandLine('mcp', context.argv, { url: { type: 'string' }, agent: { type: 'string' } } as const);
  expectPositionals('mcp', positionals, []);
  const token = process.env.AIRLOCK_TOKEN?.trim();
  if (!token) throw new UsageError('mcp: set AIRLOCK_TOKEN to an API token (`airlock token create --as PRINCIPAL`)');
  const baseUrl = values.url ?? process.env.AIRLOCK_URL?.trim() ?? DEFAULT_API_URL;
  const server = createAirlockMcpServer({
    api: new HttpApiClient({ baseUrl, token }),
    webUiBaseUrl: baseUrl,
    ...(values.agent !== undefined ? { defaultAgent: values.agent } : {}),
  });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => (transport.onclose = resolve));
  await server.connect(transport);
  context.io.err(`airlock mcp: serving on stdio, talking to ${baseUrl}\n`);
  // Ends when the client closes stdin, or on Ctrl-C.
  const stdinEnded = new Promise<void>((resolve) => process.stdin.once('end', resolve));
  const aborted = new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve(), { once: true }));
  await Promise.race([closed, stdinEnded, aborted]);
  await server.close();
  return EXIT.ok;
}
