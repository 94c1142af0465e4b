// A git forge in miniature: serves bare repositories over git's smart HTTP protocol through
// `git http-backend` (CGI), and makes commits in them. Used by tests and by the local set-up.
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface GitServer {
  baseUrl: string;
  repoUrl(name: string): string;
  createRepo(name: string, files: Record<string, string>, options?: { branch?: string }): Promise<string>;
  commit(
    name: string,
    files: Record<string, string | null>,
    message: string,
    options?: { branch?: string },
  ): Promise<string>;
  close(): Promise<void>;
}

const gitIdentity = {
  GIT_AUTHOR_NAME: 'Ada Lovelace',
  GIT_AUTHOR_EMAIL: 'ada@example.com',
  GIT_COMMITTER_NAME: 'Ada Lovelace',
  GIT_COMMITTER_EMAIL: 'ada@example.com',
};

async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd, env: { ...process.env, ...gitIdentity } });
  return stdout.trim();
}

function serveCgi(root: string, request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://git.invalid');
  const child = spawn('git', ['http-backend'], {
    env: {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      REQUEST_METHOD: request.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ''),
      CONTENT_TYPE: request.headers['content-type'] ?? '',
      HTTP_CONTENT_ENCODING: request.headers['content-encoding'] ?? '',
      HTTP_GIT_PROTOCOL: String(request.headers['git-protocol'] ?? ''),
      REMOTE_ADDR: request.socket.remoteAddress ?? '127.0.0.1',
    },
  });
  request.pipe(child.stdin);
  let buffered = Buffer.alloc(0);
  let headersSent = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (headersSent) {
      response.write(chunk);
      return;
    }
    buffered = Buffer.concat([buffered, chunk]);
    const end = buffered.indexOf('\r\n\r\n');
    if (end === -1) return;
    let status = 200;
    for (const line of buffered.subarray(0, end).toString().split('\r\n')) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else response.setHeader(name, value);
    }
    response.writeHead(status);
    headersSent = true;
    response.write(buffered.subarray(end + 4));
  });
  child.on('close', () => {
    if (!headersSent) response.writeHead(500).end('git http-backend failed');
    else response.end();
  });
  child.on('error', () => response.destroy());
}

export interface GitServerOptions {
  root?: string;
  port?: number;
  /**
   * When given, a request whose Authorization header it refuses gets 401 (as a private repository
   * on a forge does), so tests can check the credentials a clone sends.
   */
  isAuthorized?: (authorization: string | undefined) => boolean;
}

export async function startGitServer(options: GitServerOptions = {}): Promise<GitServer> {
  const root = options.root ?? (await mkdtemp(path.join(tmpdir(), 'cove-git-')));
  const ownsRoot = options.root === undefined;
  const workRoot = await mkdtemp(path.join(tmpdir(), 'cove-git-work-'));
  await mkdir(root, { recursive: true });
  const server = createServer((request, response) => {
    if (options.isAuthorized && !options.isAuthorized(request.headers.authorization)) {
      request.resume();
      response
        .writeHead(401, { 'www-authenticate': 'Basic realm="cove-test"' })
        .end('authentication required');
      return;
    }
    serveCgi(root, request, response);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;

  const workDir = (name: string) => path.join(workRoot, name);
  const bareDir = (name: string) => path.join(root, `${name}.git`);

  async function writeFiles(dir: string, files: Record<string, string | null>): Promise<void> {
    for (const [file, content] of Object.entries(files)) {
      const target = path.join(dir, file);
      if (content === null) {
        await rm(target, { force: true });
      } else {
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, content);
      }
    }
  }

  async function commit(
    name: string,
    files: Record<string, string | null>,
    message: string,
    commitOptions: { branch?: string } = {},
  ): Promise<string> {
    const dir = workDir(name);
    if (commitOptions.branch) await git(dir, ['checkout', '-B', commitOptions.branch]);
    await writeFiles(dir, files);
    await git(dir, ['add', '--all']);
    await git(dir, ['commit', '--quiet', '--allow-empty', '-m', message]);
    const branch = await git(dir, ['rev-parse', '--abbrev-ref', 'HEAD']);
    await git(dir, ['push', '--quiet', '--force', 'origin', `${branch}:refs/heads/${branch}`]);
    return git(dir, ['rev-parse', 'HEAD']);
  }

  return {
    baseUrl,
    repoUrl: (name) => `${baseUrl}/${name}.git`,
    async createRepo(name, files, repoOptions = {}) {
      const branch = repoOptions.branch ?? 'main';
      await git(root, ['init', '--quiet', '--bare', '--initial-branch', branch, bareDir(name)]);
      await mkdir(workDir(name), { recursive: true });
      await git(workDir(name), ['init', '--quiet', '--initial-branch', branch]);
      await git(workDir(name), ['remote', 'add', 'origin', bareDir(name)]);
      return commit(name, files, 'Initial commit');
    },
    commit,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(workRoot, { recursive: true, force: true });
      if (ownsRoot) await rm(root, { recursive: true, force: true });
    },
  };
}
