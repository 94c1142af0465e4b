// A small typed client of /api/v1 over fetch. Each call names an operation of the shared route
// table (contracts/routes.ts), which gives its method, path and answer schema; the answer is parsed
// with that schema, and an error answer becomes a CliError in the API's own words.
import { errorResponse } from '@cove/shared/contracts/api';
import {
  type ApiRoute,
  type ApiSchemaName,
  apiBasePath,
  apiSchemas,
  type CoreApiRoute,
  coreApiRoutes,
} from '@cove/shared/contracts/routes';
import type { z } from 'zod';
import { CliError, exitCodeForStatus, exitCodes } from './exit-codes';
import { cliVersion } from './version';

export type OperationId = CoreApiRoute['operationId'];
type RouteOf<Op extends OperationId> = Extract<CoreApiRoute, { operationId: Op }>;
type SchemaOf<Name> = Name extends ApiSchemaName ? (typeof apiSchemas)[Name] : never;

/** The parsed JSON answer of an operation, or the text of one that does not answer JSON. */
export type AnswerOf<Op extends OperationId> = RouteOf<Op>['answer'] extends { schema: infer Name }
  ? z.output<SchemaOf<Name>>
  : string;
type BodyOf<Op extends OperationId> =
  RouteOf<Op> extends { request: infer Name }
    ? z.input<SchemaOf<Name>>
    : RouteOf<Op> extends { requestContentType: `text/${string}` }
      ? string
      : RouteOf<Op> extends { requestContentType: string }
        ? Uint8Array
        : never;
type QueryOf<Op extends OperationId> =
  RouteOf<Op> extends { query: infer Query extends z.ZodType } ? z.input<Query> : never;
type PathParamNames<Path> = Path extends `${string}{${infer Name}}${infer Rest}`
  ? Name | PathParamNames<Rest>
  : never;
export type ParamsOf<Op extends OperationId> = { [Name in PathParamNames<RouteOf<Op>['path']>]: string };

export interface CallInput<Op extends OperationId> {
  params?: [PathParamNames<RouteOf<Op>['path']>] extends [never] ? never : ParamsOf<Op>;
  body?: BodyOf<Op>;
  query?: QueryOf<Op>;
  signal?: AbortSignal;
}
/** Operations with path parameters need them; the others take no input or an optional one. */
type CallArguments<Op extends OperationId> = [PathParamNames<RouteOf<Op>['path']>] extends [never]
  ? [input?: CallInput<Op>]
  : [input: CallInput<Op> & { params: ParamsOf<Op> }];

const requestTimeoutMs = 30_000;
const userAgent = `cove-cli/${cliVersion}`;

export function findRoute(operationId: OperationId): ApiRoute {
  const route: ApiRoute | undefined = coreApiRoutes.find((entry) => entry.operationId === operationId);
  if (!route) throw new Error(`no route ${operationId} in the route table`);
  return route;
}

/** /apps/{name} with {name: 'a b'} -> /apps/a%20b; a parameter left out is a programming error. */
export function fillPath(path: string, params: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_whole, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`path parameter ${name} missing for ${path}`);
    return encodeURIComponent(value);
  });
}

export interface ApiClient {
  readonly server: string;
  call<Op extends OperationId>(operationId: Op, ...input: CallArguments<Op>): Promise<AnswerOf<Op>>;
  /** The raw successful response (for streams); errors are thrown as for call(). */
  open<Op extends OperationId>(operationId: Op, ...input: CallArguments<Op>): Promise<Response>;
}

/**
 * token: an API token (every command); cookie: a dashboard session (signing in with a password,
 * minting a token), sent as a browser would, with the dashboard's Origin.
 */
export function createApiClient(
  options: { server: string; fetch?: typeof fetch } & ({ token: string } | { cookie: string }),
): ApiClient {
  const send = options.fetch ?? fetch;
  const credentials: Record<string, string> =
    'token' in options
      ? { authorization: `Bearer ${options.token}` }
      : {
          ...(options.cookie === '' ? {} : { cookie: options.cookie }),
          origin: new URL(options.server).origin,
        };

  async function open(operationId: OperationId, input: CallInput<OperationId> = {}): Promise<Response> {
    const route = findRoute(operationId);
    const url = new URL(`${options.server}${apiBasePath}${fillPath(route.path, input.params ?? {})}`);
    for (const [key, value] of Object.entries(input.query ?? {}))
      if (value !== undefined) url.searchParams.set(key, String(value));
    const headers = new Headers({ ...credentials, 'user-agent': userAgent });
    let body: RequestInit['body'];
    const given: unknown = input.body;
    if (given instanceof Uint8Array) {
      // An archive (deployUpload), sent as its bytes.
      headers.set('content-type', route.requestContentType ?? 'application/octet-stream');
      body = given;
    } else if (input.body !== undefined) {
      const isText = route.requestContentType !== undefined;
      headers.set('content-type', isText ? `${route.requestContentType}; charset=utf-8` : 'application/json');
      body = typeof input.body === 'string' && isText ? input.body : JSON.stringify(input.body);
    }
    let response: Response;
    try {
      response = await send(url, {
        method: route.method.toUpperCase(),
        headers,
        ...(body === undefined ? {} : { body }),
        signal: input.signal ?? AbortSignal.timeout(requestTimeoutMs),
      });
    } catch (error) {
      throw unreachable(options.server, error);
    }
    if (!response.ok) throw await errorFromResponse(options.server, response, 'token' in options);
    return response;
  }

  async function call(operationId: OperationId, input: CallInput<OperationId> = {}): Promise<unknown> {
    const response = await open(operationId, input);
    const schemaName = findRoute(operationId).answer.schema;
    if (!schemaName) return response.text();
    const json: unknown = await response.json().catch(() => undefined);
    const parsed = apiSchemas[schemaName].safeParse(json);
    if (!parsed.success)
      throw new CliError(
        `${options.server} answered ${operationId} with something that is not Cove's ${schemaName}: is it the dashboard's address, and is this CLI as new as the server?`,
        exitCodes.serverOrNetwork,
      );
    return parsed.data;
  }

  // The two implementations are typed by operation in the interface; inside, the route is found at
  // run time, so they are written over the union of operations.
  return { server: options.server, call, open } as ApiClient;
}

function unreachable(server: string, error: unknown): CliError {
  if (error instanceof Error && error.name === 'TimeoutError')
    return new CliError(
      `${server} did not answer within ${requestTimeoutMs / 1000} s; try again.`,
      exitCodes.serverOrNetwork,
    );
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const reason = cause instanceof Error ? ('code' in cause ? String(cause.code) : cause.message) : 'unknown';
  return new CliError(
    `Could not reach ${server} (${reason}): check the address (\`cove login --server …\` or COVE_API_URL) and that Cove is running.`,
    exitCodes.serverOrNetwork,
  );
}

/** The API's own error (message and field messages), or a plain account of a foreign answer. */
export async function errorFromResponse(
  server: string,
  response: Response,
  isWithToken = true,
): Promise<CliError> {
  const text = await response.text().catch(() => '');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = errorResponse.safeParse(json);
  const exitCode = exitCodeForStatus(response.status);
  if (!parsed.success)
    return new CliError(
      `${server} answered ${response.status} ${response.statusText} without Cove's error shape: is it the dashboard's address?`,
      exitCode,
    );
  const { message, fields } = parsed.data.error;
  const hint = response.status === 401 && isWithToken ? '\nRun `cove login` with a valid token.' : '';
  return new CliError(`${message}${hint}`, exitCode, fields ?? {}, parsed.data);
}
