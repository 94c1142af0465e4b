// A fetch-based client for the few GitHub REST calls Cove makes as a GitHub App: installations,
// their short-lived access tokens (cached), repositories, branches and the Python files of a branch.
import type { z } from 'zod';
import { createAppJwt } from './app-jwt';
import { gitHubError } from './errors';
import { nextPageUrl } from './pagination';
import {
  branchesResponse,
  type InstallationResponse,
  installationRepositoriesResponse,
  installationResponse,
  installationTokenResponse,
  type RepositoryResponse,
  treeResponse,
  userInstallationsResponse,
} from './responses';
import type { GitHubAppSettings } from './settings';

export const gitHubApiVersion = '2022-11-28';
export const gitHubAccept = 'application/vnd.github+json';
const perPage = 100;
/** A cached token is used until this long before GitHub says it expires. */
const tokenRefreshMarginMs = 60_000;
/** Listing stops here: far beyond what a picker shows, and a bound on a runaway loop. */
const maxPages = 50;

export interface InstallationToken {
  token: string;
  expiresAt: Date;
}

export interface PythonFiles {
  paths: string[];
  /** GitHub cut the tree short (very large repositories): the list may miss files. */
  isTruncated: boolean;
}

export interface GitHubClientOptions {
  fetch?: typeof fetch;
  now?: () => Date;
  timeoutMs?: number;
}

type Settings = Pick<GitHubAppSettings, 'appId' | 'privateKey' | 'apiUrl'>;

export class GitHubClient {
  readonly #settings: Settings;
  readonly #fetch: typeof fetch;
  readonly #now: () => Date;
  readonly #timeoutMs: number;
  readonly #tokens = new Map<number, Promise<InstallationToken>>();

  constructor(settings: Settings, options: GitHubClientOptions = {}) {
    this.#settings = settings;
    this.#fetch = options.fetch ?? fetch;
    this.#now = options.now ?? (() => new Date());
    this.#timeoutMs = options.timeoutMs ?? 15_000;
  }

  getInstallation(installationId: number): Promise<InstallationResponse> {
    return this.#json(installationResponse, `/app/installations/${installationId}`, {
      auth: this.#appAuthorization(),
      what: `installation ${installationId} of the Cove GitHub App`,
    });
  }

  /** A token for the installation, reused until a minute before it expires. */
  async installationToken(installationId: number): Promise<InstallationToken> {
    const cached = this.#tokens.get(installationId);
    if (cached) {
      const token = await cached.catch(() => null);
      if (token && token.expiresAt.getTime() - tokenRefreshMarginMs > this.#now().getTime()) return token;
      if (this.#tokens.get(installationId) === cached) this.#tokens.delete(installationId);
    }
    const pending = this.#json(
      installationTokenResponse,
      `/app/installations/${installationId}/access_tokens`,
      {
        method: 'POST',
        auth: this.#appAuthorization(),
        what: `an access token for installation ${installationId}`,
      },
    ).then((body) => ({ token: body.token, expiresAt: new Date(body.expires_at) }));
    this.#tokens.set(installationId, pending);
    try {
      return await pending;
    } catch (error) {
      this.#tokens.delete(installationId);
      throw error;
    }
  }

  async listRepositories(installationId: number): Promise<RepositoryResponse[]> {
    const auth = await this.#installationAuthorization(installationId);
    const pages = await this.#pages(installationRepositoriesResponse, '/installation/repositories', {
      auth,
      what: `the repositories of installation ${installationId}`,
    });
    return pages.flatMap((page) => page.repositories);
  }

  /** The installations of this App the person behind a user access token may manage. */
  async listUserInstallationIds(userAccessToken: string): Promise<number[]> {
    const pages = await this.#pages(userInstallationsResponse, '/user/installations', {
      auth: `Bearer ${userAccessToken}`,
      what: 'the installations your GitHub account can manage',
    });
    return pages.flatMap((page) => page.installations.map((installation) => installation.id));
  }

  async listBranches(installationId: number, fullName: string): Promise<string[]> {
    const auth = await this.#installationAuthorization(installationId);
    const pages = await this.#pages(branchesResponse, `/repos/${repoPath(fullName)}/branches`, {
      auth,
      what: `repository ${fullName}`,
    });
    return pages.flat().map((branch) => branch.name);
  }

  /** The .py files of the branch's tree, for the main-file picker. */
  async listPythonFiles(installationId: number, fullName: string, branch: string): Promise<PythonFiles> {
    const auth = await this.#installationAuthorization(installationId);
    const tree = await this.#json(
      treeResponse,
      `/repos/${repoPath(fullName)}/git/trees/${encodeURIComponent(branch)}?recursive=1`,
      { auth, what: `branch ${branch} of ${fullName}` },
    );
    const paths = tree.tree
      .filter((entry) => entry.type === 'blob' && entry.path.endsWith('.py'))
      .map((entry) => entry.path)
      .sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
    return { paths, isTruncated: tree.truncated };
  }

  #appAuthorization(): string {
    return `Bearer ${createAppJwt(this.#settings.appId, this.#settings.privateKey, this.#now())}`;
  }

  async #installationAuthorization(installationId: number): Promise<string> {
    return `Bearer ${(await this.installationToken(installationId)).token}`;
  }

  async #pages<Schema extends z.ZodType>(
    schema: Schema,
    path: string,
    request: { auth: string; what: string },
  ): Promise<z.output<Schema>[]> {
    const pages: z.output<Schema>[] = [];
    let url: string | null = `${this.#settings.apiUrl}${path}?per_page=${perPage}`;
    while (url !== null && pages.length < maxPages) {
      const { body, headers } = await this.#send(url, { method: 'GET', ...request });
      pages.push(parseAnswer(schema, body, request.what));
      url = nextPageUrl(headers.get('link'));
      // The token goes only to the configured API, whatever a Link header says.
      if (url !== null && new URL(url).origin !== new URL(this.#settings.apiUrl).origin) url = null;
    }
    return pages;
  }

  async #json<Schema extends z.ZodType>(
    schema: Schema,
    path: string,
    request: { method?: 'GET' | 'POST'; auth: string; what: string },
  ): Promise<z.output<Schema>> {
    const { body } = await this.#send(`${this.#settings.apiUrl}${path}`, {
      method: request.method ?? 'GET',
      auth: request.auth,
      what: request.what,
    });
    return parseAnswer(schema, body, request.what);
  }

  async #send(
    url: string,
    request: { method: 'GET' | 'POST'; auth: string; what: string },
  ): Promise<{ body: unknown; headers: Headers }> {
    let response: Response;
    try {
      response = await this.#fetch(url, {
        method: request.method,
        headers: {
          accept: gitHubAccept,
          authorization: request.auth,
          'x-github-api-version': gitHubApiVersion,
          'user-agent': 'cove',
        },
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch {
      throw gitHubError({ status: 503, headers: new Headers(), what: request.what, gitHubMessage: null });
    }
    const text = await response.text();
    let body: unknown = null;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      body = null;
    }
    if (!response.ok) {
      const message =
        typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string'
          ? body.message
          : null;
      throw gitHubError(
        { status: response.status, headers: response.headers, what: request.what, gitHubMessage: message },
        this.#now(),
      );
    }
    return { body, headers: response.headers };
  }
}

function repoPath(fullName: string): string {
  const [owner = '', repo = ''] = fullName.split('/');
  return `${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
}

function parseAnswer<Schema extends z.ZodType>(
  schema: Schema,
  body: unknown,
  what: string,
): z.output<Schema> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw gitHubError({
    status: 502,
    headers: new Headers(),
    what,
    gitHubMessage: 'an answer Cove does not understand',
  });
}

const clients = new WeakMap<GitHubAppSettings, GitHubClient>();

/** One client per configured App, so installation tokens are cached across requests and builds. */
export function gitHubClientFor(settings: GitHubAppSettings): GitHubClient {
  let client = clients.get(settings);
  if (!client) {
    client = new GitHubClient(settings);
    clients.set(settings, client);
  }
  return client;
}
