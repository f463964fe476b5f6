/**
 * Streamable HTTP transport for the MCP server at `/mcp`, behind the API's bearer-token authentication. Stateless:
 * every POST gets its own MCP server bound to the caller's principal, so no session outlives its request and one
 * principal's tools can never act for another.
 */
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../api-error.js';
import { createAirlockMcpServer, type AirlockApiPort } from './airlock-mcp-server.js';

export const MCP_PATH = '/mcp';

export function registerMcpEndpoint(
  app: FastifyInstance,
  options: {
    authenticate: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
    /** The operations the tools may use, on behalf of the authenticated principal and within its token's roles. */
    portFor: (request: FastifyRequest) => AirlockApiPort;
  },
): void {
  app.route({
    method: ['POST', 'GET', 'DELETE'],
    url: MCP_PATH,
    onRequest: options.authenticate,
    handler: async (request, reply) => {
      // Without sessions there is no stream to resume (GET) and nothing to end (DELETE).
      if (request.method !== 'POST') {
        throw new ApiError('invalid_request', `${request.method} ${MCP_PATH}: this MCP endpoint is stateless; send each JSON-RPC message as a POST`);
      }
      const server = createAirlockMcpServer({
        api: options.portFor(request),
        webUiBaseUrl: `${request.protocol}://${request.headers.host ?? request.hostname}`,
      });
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      reply.hijack();
      reply.raw.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(request.raw, reply.raw, request.body);
    },
  });
}
