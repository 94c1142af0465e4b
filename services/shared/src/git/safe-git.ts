// How Cove runs git against a user-supplied URL, shared by the builder's clone and the repository
// check at creation: no ext:: or file:// transports, no redirects, no prompts, no system config,
// and the addresses the URL policy checked handed to curl so git does not resolve the host again.
import { type SimpleGit, simpleGit } from 'simple-git';
import type { PinnedGitUrl } from './url-policy';

export const safetyConfig = [
  'protocol.ext.allow=never',
  'protocol.file.allow=never',
  'advice.detachedHead=false',
  // A redirect could lead anywhere, past the address the policy checked.
  'http.followRedirects=false',
];

const defaultPorts: Record<string, string> = { 'http:': '80', 'https:': '443', 'git:': '9418' };

function urlHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/**
 * The URL git fetches and the settings that keep it on the checked addresses. curl (http, https)
 * takes them as its resolve list; git:// has no such setting, so its URL names the address itself.
 */
export function pinnedFetch(pinned: PinnedGitUrl): { url: string; config: string[] } {
  const { url, addresses } = pinned;
  const [first] = addresses;
  if (first === undefined) return { url: url.href, config: [] };
  if (url.protocol === 'git:') {
    const direct = new URL(url.href);
    direct.hostname = urlHost(first);
    return { url: direct.href, config: [] };
  }
  const port = url.port || defaultPorts[url.protocol] || '';
  const resolveList = `${url.hostname}:${port}:${addresses.map(urlHost).join(',')}`;
  return { url: url.href, config: [`http.curloptResolve=${resolveList}`] };
}

/** A header git sends to URLs under urlPrefix only (a private repository's short-lived token). */
export interface GitCredentials {
  urlPrefix: string;
  header: string;
}

export function gitEnvironment(credentials: GitCredentials | undefined): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    LC_ALL: 'C',
    ...(credentials
      ? {
          GIT_CONFIG_COUNT: '1',
          GIT_CONFIG_KEY_0: `http.${credentials.urlPrefix}.extraHeader`,
          GIT_CONFIG_VALUE_0: credentials.header,
        }
      : {}),
  };
}

/** git in `directory`, with the safety settings, pinned to the checked addresses, stopped by `abort`. */
export function safeGit(options: {
  directory: string;
  fetchConfig: readonly string[];
  abort: AbortSignal;
  credentials?: GitCredentials | undefined;
}): SimpleGit {
  return simpleGit({
    baseDir: options.directory,
    config: [...safetyConfig, ...options.fetchConfig],
    abort: options.abort,
    // simple-git refuses any protocol.*.allow setting by default; ours only ever say "never".
    // GIT_CONFIG_COUNT carries only the credentials header (see gitEnvironment), set by Cove itself.
    unsafe: {
      allowUnsafeProtocolOverride: true,
      allowUnsafeConfigEnvCount: options.credentials !== undefined,
    },
  }).env(gitEnvironment(options.credentials));
}
