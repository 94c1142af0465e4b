// GitHub's REST API in miniature for tests: serves recorded answers (github/fixtures), issues
// installation tokens, and checks what a client sends: the App JWT (verified with the public key),
// the installation token, Accept and X-GitHub-Api-Version. Every request is recorded.
import { createVerify, type KeyObject, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { z } from 'zod';

export const gitHubFixtureSchema = z.object({
  status: z.number().int(),
  headers: z.record(z.string(), z.string()),
  body: z.unknown(),
});
export type GitHubAnswer = z.infer<typeof gitHubFixtureSchema>;

const fixturesDir = path.join(import.meta.dirname, '..', 'github', 'fixtures');

/** A recorded answer by file name (without .json). */
export function loadGitHubFixture(name: string): GitHubAnswer {
  return gitHubFixtureSchema.parse(JSON.parse(readFileSync(path.join(fixturesDir, `${name}.json`), 'utf8')));
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** Set when the request carried a valid installation token. */
  installationId: number | null;
}

type Handler = (request: RecordedRequest) => GitHubAnswer;

export interface FakeGitHubApi {
  url: string;
  requests: RecordedRequest[];
  /** Answers METHOD pathname (exact) with a recorded answer or a function of the request. */
  on(method: string, pathname: string, answer: GitHubAnswer | Handler): void;
  /** Makes an installation exist: POST /app/installations/{id}/access_tokens issues tokens for it. */
  addInstallation(installationId: number, tokenLifetimeSeconds?: number): void;
  /** Tokens issued so far, newest last. */
  issuedTokens: { installationId: number; token: string }[];
  /**
   * An OAuth code GitHub would send back after the person authorised the App: exchanged once at
   * POST /login/oauth/access_token for a user token whose GET /user/installations lists these.
   */
  grantCode(code: string, installationIds: number[]): void;
  close(): Promise<void>;
}

function decodeJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function decodeJson(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
}

const jwtPayload = z.object({ iat: z.number().int(), exp: z.number().int(), iss: z.string() });

/** Why the App JWT is not acceptable, or null when it is. */
export function checkAppJwt(
  authorization: string | undefined,
  appId: string,
  publicKey: KeyObject,
): string | null {
  const match = /^Bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(authorization ?? '');
  if (!match?.[1] || !match[2] || !match[3]) return 'no Bearer JWT';
  const header = z.object({ alg: z.string() }).safeParse(decodeJson(match[1]));
  if (!header.success || header.data.alg !== 'RS256') return 'alg is not RS256';
  const isSigned = createVerify('sha256')
    .update(`${match[1]}.${match[2]}`)
    .verify(publicKey, Buffer.from(match[3], 'base64url'));
  if (!isSigned) return 'bad signature';
  const parsed = jwtPayload.safeParse(decodeJson(match[2]));
  if (!parsed.success) return 'no iat, exp and iss';
  const payload = parsed.data;
  const now = Math.floor(Date.now() / 1000);
  if (payload.iss !== appId) return `iss ${payload.iss} is not ${appId}`;
  if (payload.iat > now) return 'iat in the future';
  if (payload.exp <= now || payload.exp - payload.iat > 600) return 'exp past or more than 10 minutes';
  return null;
}

export async function startFakeGitHubApi(options: {
  appId: string;
  publicKey: KeyObject;
  oauthClient?: { clientId: string; clientSecret: string };
}): Promise<FakeGitHubApi> {
  const codes = new Map<string, number[]>();
  const userTokens = new Map<string, number[]>();
  const oauthBody = z.object({ client_id: z.string(), client_secret: z.string(), code: z.string() });

  function exchangeCode(request: RecordedRequest): GitHubAnswer {
    const parsed = oauthBody.safeParse(decodeJsonText(request.body));
    const client = options.oauthClient;
    const installationIds = parsed.success ? codes.get(parsed.data.code) : undefined;
    if (
      !parsed.success ||
      !client ||
      parsed.data.client_id !== client.clientId ||
      parsed.data.client_secret !== client.clientSecret
    ) {
      return { status: 200, headers: {}, body: { error: 'incorrect_client_credentials' } };
    }
    if (!installationIds) return loadGitHubFixture('oauth-bad-code');
    codes.delete(parsed.data.code);
    const token = `gho_${randomBytes(18).toString('hex')}`;
    userTokens.set(token, installationIds);
    const template = loadGitHubFixture('oauth-access-token');
    return {
      ...template,
      body: { ...z.record(z.string(), z.unknown()).parse(template.body), access_token: token },
    };
  }

  function userInstallations(request: RecordedRequest): GitHubAnswer | null {
    const token = /^Bearer (gho_\w+)$/.exec(request.headers.authorization ?? '')?.[1];
    const installationIds = token ? userTokens.get(token) : undefined;
    if (!installationIds) return null;
    const template = loadGitHubFixture('user-installations');
    const example = z
      .object({ installations: z.array(z.record(z.string(), z.unknown())) })
      .parse(template.body).installations[0];
    return {
      ...template,
      body: {
        total_count: installationIds.length,
        installations: installationIds.map((id) => ({ ...example, id })),
      },
    };
  }

  const handlers = new Map<string, Handler>();
  const tokens = new Map<string, number>();
  const installations = new Map<number, number>();
  const requests: RecordedRequest[] = [];
  const issuedTokens: { installationId: number; token: string }[] = [];
  let base = '';

  const tokenRoute = /^\/app\/installations\/(\d+)\/access_tokens$/;
  function issueToken(request: RecordedRequest): GitHubAnswer {
    const installationId = Number(tokenRoute.exec(request.path)?.[1]);
    const lifetime = installations.get(installationId);
    if (lifetime === undefined) return loadGitHubFixture('error-404');
    const template = loadGitHubFixture('access-token');
    const token = `ghs_${randomBytes(18).toString('hex')}`;
    tokens.set(token, installationId);
    issuedTokens.push({ installationId, token });
    const expiresAt = new Date(Date.now() + lifetime * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    return {
      ...template,
      body: { ...z.record(z.string(), z.unknown()).parse(template.body), token, expires_at: expiresAt },
    };
  }

  function answer(request: RecordedRequest): GitHubAnswer {
    const badCredentials = loadGitHubFixture('error-401-bad-jwt');
    if (request.method === 'POST' && request.path === '/login/oauth/access_token') {
      return request.headers.accept === 'application/json'
        ? exchangeCode(request)
        : { status: 406, headers: {}, body: 'send Accept: application/json' };
    }
    if (
      request.headers.accept !== 'application/vnd.github+json' ||
      request.headers['x-github-api-version'] !== '2022-11-28'
    ) {
      return { status: 400, headers: {}, body: { message: 'Accept or X-GitHub-Api-Version missing' } };
    }
    if (request.method === 'GET' && request.path === '/user/installations') {
      return (
        userInstallations(request) ?? {
          ...badCredentials,
          body: { message: 'Bad credentials', status: '401' },
        }
      );
    }
    if (request.path.startsWith('/app/')) {
      if (checkAppJwt(request.headers.authorization, options.appId, options.publicKey) !== null)
        return badCredentials;
      if (request.method === 'POST' && tokenRoute.test(request.path)) return issueToken(request);
    } else if (request.installationId === null) {
      return { ...badCredentials, body: { message: 'Bad credentials', status: '401' } };
    }
    const handler = handlers.get(`${request.method} ${request.path}`);
    return handler ? handler(request) : loadGitHubFixture('error-404');
  }

  const server = createServer((incoming, response) => {
    const url = new URL(incoming.url ?? '/', 'http://github.invalid');
    const token = /^Bearer (ghs_\w+)$/.exec(incoming.headers.authorization ?? '')?.[1];
    const request: RecordedRequest = {
      method: incoming.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: incoming.headers,
      body: '',
      installationId: token ? (tokens.get(token) ?? null) : null,
    };
    requests.push(request);
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      request.body = Buffer.concat(chunks).toString('utf8');
      const { status, headers, body } = answer(request);
      const resolved = Object.fromEntries(
        Object.entries(headers).map(([k, v]) => [k, v.replaceAll('{{base}}', base)]),
      );
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...resolved });
      response.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    issuedTokens,
    on(method, pathname, handler) {
      handlers.set(`${method} ${pathname}`, typeof handler === 'function' ? handler : () => handler);
    },
    grantCode(code, installationIds) {
      codes.set(code, installationIds);
    },
    addInstallation(installationId, tokenLifetimeSeconds = 3600) {
      installations.set(installationId, tokenLifetimeSeconds);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
