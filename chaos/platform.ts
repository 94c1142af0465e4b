// The local platform as the fault suite sees it: the addresses and the API token `make up` wrote to
// $COVE_STATE_DIR/env, the platform's own configuration ($COVE_STATE_DIR/platform.env, for the
// database, Redis and instance the checks read), and a small client of the public API.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  type AppView,
  appView,
  type DeploymentView,
  listDeploymentsResponse,
} from '@cove/shared/contracts/api';

export const stateDir = path.resolve(process.env.COVE_STATE_DIR ?? '.cove');

function readEnvFile(name: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of readFileSync(path.join(stateDir, name), 'utf8').split('\n')) {
    const equals = line.indexOf('=');
    if (equals > 0 && !line.startsWith('#')) values[line.slice(0, equals)] = line.slice(equals + 1);
  }
  return values;
}

export interface LocalPlatform {
  apiUrl: string;
  apiToken: string;
  dashboardPort: number;
  proxyPort: number;
  appsDomain: string;
  databaseUrl: string;
  redisUrl: string;
  instance: string;
}

export function readLocalPlatform(): LocalPlatform {
  let addresses: Record<string, string>;
  let platform: Record<string, string>;
  try {
    addresses = readEnvFile('env');
    platform = readEnvFile('platform.env');
  } catch {
    throw new Error(`No platform found in ${stateDir}: run make up first.`);
  }
  const need = (values: Record<string, string>, name: string) => {
    const value = values[name];
    if (!value) throw new Error(`${name} is missing from ${stateDir}; run make up again.`);
    return value;
  };
  return {
    apiUrl: need(addresses, 'COVE_API_URL'),
    apiToken: need(addresses, 'COVE_API_TOKEN'),
    dashboardPort: Number(new URL(need(addresses, 'COVE_DASHBOARD_URL')).port),
    proxyPort: Number(need(platform, 'COVE_PROXY_PORT')),
    appsDomain: need(platform, 'COVE_APPS_DOMAIN'),
    databaseUrl: need(platform, 'COVE_DATABASE_URL'),
    redisUrl: need(platform, 'COVE_REDIS_URL'),
    instance: need(platform, 'COVE_INSTANCE'),
  };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The public API with the admin's token; node's fetch reaches `localhost` as 127.0.0.1. */
export function apiClient(platform: LocalPlatform) {
  async function call(
    method: string,
    route: string,
    body?: { json: unknown } | { text: string },
  ): Promise<unknown> {
    const headers: Record<string, string> = { authorization: `Bearer ${platform.apiToken}` };
    let payload: string | undefined;
    if (body && 'json' in body) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body.json);
    } else if (body) {
      headers['content-type'] = 'text/plain';
      payload = body.text;
    }
    const response = await fetch(`${platform.apiUrl}${route}`, {
      method,
      headers,
      ...(payload === undefined ? {} : { body: payload }),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    if (!response.ok) throw new ApiError(response.status, `${method} ${route}: ${response.status} ${text}`);
    return text === '' ? null : JSON.parse(text);
  }
  return {
    call,
    app: async (name: string): Promise<AppView> => appView.parse(await call('GET', `/apps/${name}`)),
    deployments: async (name: string): Promise<DeploymentView[]> =>
      listDeploymentsResponse.parse(await call('GET', `/apps/${name}/deployments`)).deployments,
  };
}
export type ApiClient = ReturnType<typeof apiClient>;
