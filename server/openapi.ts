/**
 * The OpenAPI 3.1 document, generated from the route table and its zod schemas (OpenAPI 3.1 schemas are JSON
 * Schema 2020-12, which is what z.toJSONSchema produces).
 */
import { API_ROLES } from '../platform/api-roles.js';
import { z } from 'zod';
import { ErrorResponseSchema } from './api-schemas.js';
import { ROUTE_LIST, type RouteSpec } from './route-table.js';

type JsonSchema = Record<string, unknown>;

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is invalid',
  401: 'Missing or invalid credentials',
  403: 'The principal may not do this',
  404: 'No such run, action, artifact or token',
  409: 'Too late or duplicated: the action is not awaiting this decision',
  429: 'Rate limit reached; retry after the Retry-After header',
  503: 'A service the API needs (Temporal, the token store) is unavailable; the message says which',
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const generated = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  delete generated.$schema;
  return generated;
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query' | 'header'): JsonSchema[] {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input');
  const properties = (object.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((object.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
    schema: property,
  }));
}

function operation(route: RouteSpec): JsonSchema {
  // A route some roles may not call answers 403 to them; any bearer route answers 503 while tokens cannot be checked.
  const roleErrors = route.roles && route.roles.length < API_ROLES.length ? [403] : [];
  const errors = route.auth === 'bearer' ? [...new Set([...route.errors, 401, 429, 503, ...roleErrors])].sort() : route.errors;
  const responses: Record<string, JsonSchema> = {
    [String(route.success.status)]: {
      description: route.success.description,
      content:
        route.success.contentType === 'text/event-stream'
          ? { 'text/event-stream': { schema: { type: 'string' } } }
          : { 'application/json': { schema: route.success.schema ? jsonSchema(route.success.schema, 'output') : { type: 'object' } } },
    },
  };
  for (const status of errors) {
    responses[String(status)] = {
      description: ERROR_DESCRIPTIONS[status] ?? 'Error',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } },
    };
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.auth === 'bearer' ? { security: [{ bearerAuth: [] }] } : {}),
    ...(route.auth === 'slack-signature' ? { security: [{ slackSignature: [] }] } : {}),
    ...(route.auth === 'none' ? { security: [] } : {}),
    parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query'), ...parameters(route.headers, 'header')],
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { [route.bodyContentType ?? 'application/json']: { schema: jsonSchema(route.body, 'input') } },
          },
        }
      : {}),
    responses,
  };
}

/** Fastify's `:name` path segments in OpenAPI's `{name}` form. */
export function openApiPath(url: string): string {
  return url.replace(/:(\w+)/g, '{$1}');
}

export function buildOpenApiDocument(routes: readonly RouteSpec[] = ROUTE_LIST): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const path = openApiPath(route.url);
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Airlock API',
      version: '1',
      description:
        'Runs AI-written code behind risk scoring, human approval and a hardened sandbox. Authenticate with ' +
        '`Authorization: Bearer <token>` (create one with `airlock token create --as PRINCIPAL`).',
    },
    paths,
    components: {
      schemas: { ErrorResponse: jsonSchema(ErrorResponseSchema, 'output') },
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer' },
        slackSignature: { type: 'apiKey', in: 'header', name: 'X-Slack-Signature' },
      },
    },
  };
}
