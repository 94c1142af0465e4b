// Generates the OpenAPI 3.1 document of /api/v1 from the route table and the zod contracts.
import { z } from 'zod';
import { type ApiRoute, apiBasePath, apiRoutes, apiSchemas } from './routes';

type JsonObject = Record<string, unknown>;

const errorDescriptions: Record<number, string> = {
  400: 'The request is not valid; error.fields says which field and why.',
  401: 'Not signed in, or a bad API token or webhook signature.',
  403: 'Not allowed (a role too low, or a cross-site request).',
  404: 'Not found in this workspace.',
  409: 'Conflicts with the current state (a name taken, a replayed delivery).',
  422: 'The repository URL is refused by the platform policy.',
  429: 'Too many requests (here, or GitHub rate-limiting the GitHub App); Retry-After says when to retry.',
  502: 'GitHub answered with an error or refused the GitHub App credentials.',
};

function toSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  return rest;
}

function ref(name: string): JsonObject {
  return { $ref: `#/components/schemas/${name}` };
}

function parameters(route: ApiRoute): JsonObject[] {
  const pathParameters = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => ({
    name: match[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const queryParameters = route.query
    ? Object.entries(route.query.shape).map(([name, schema]) => {
        const property = toSchema(z.object({ value: schema }), 'input');
        const properties = z.record(z.string(), z.unknown()).safeParse(property.properties);
        return {
          name,
          in: 'query',
          required: false,
          schema: (properties.success ? properties.data.value : undefined) ?? {},
        };
      })
    : [];
  return [...pathParameters, ...queryParameters];
}

function operation(route: ApiRoute): JsonObject {
  const success = route.answer.schema
    ? { 'application/json': { schema: ref(`${route.answer.schema}`) } }
    : { [route.answer.contentType ?? 'text/plain']: { schema: { type: 'string' } } };
  const errorStatuses = [...new Set([...(route.errors ?? []), ...(route.auth === 'user' ? [401] : []), 500])];
  const responses: JsonObject = {
    [route.status]: { description: route.answer.description, content: success },
  };
  for (const status of errorStatuses.sort()) {
    responses[status] = {
      description: errorDescriptions[status] ?? 'Unexpected error.',
      content: { 'application/json': { schema: ref('ErrorResponse') } },
    };
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.auth === 'user' ? {} : { security: [] }),
    parameters: parameters(route),
    ...(route.request
      ? {
          requestBody: {
            required: route.isRequestOptional !== true,
            content: { 'application/json': { schema: ref(`${route.request}Input`) } },
          },
        }
      : {}),
    ...(route.requestContentType
      ? {
          requestBody: {
            required: true,
            content: {
              [route.requestContentType]: {
                schema: route.requestContentType.startsWith('text/')
                  ? { type: 'string' }
                  : { type: 'string', format: 'binary' },
              },
            },
          },
        }
      : {}),
    responses,
  };
}

export function buildOpenApiDocument(): JsonObject {
  const schemas: JsonObject = {};
  for (const [name, schema] of Object.entries(apiSchemas)) schemas[name] = toSchema(schema, 'output');
  for (const route of apiRoutes) {
    if (route.request) schemas[`${route.request}Input`] = toSchema(apiSchemas[route.request], 'input');
  }
  const paths: Record<string, JsonObject> = {};
  for (const route of apiRoutes) {
    const path = `${apiBasePath}${route.path}`;
    paths[path] = { ...paths[path], [route.method]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Cove API',
      version: '1',
      description:
        'Host Streamlit apps from git repositories. Authenticate with "Authorization: Bearer <token>" (create one with POST /api/v1/tokens) or the dashboard session cookie.',
    },
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        session: { type: 'apiKey', in: 'cookie', name: 'cove_session' },
      },
    },
    security: [{ bearer: [] }, { session: [] }],
  };
}
