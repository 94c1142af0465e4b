// The operator's GitHub App, read from the configuration: all of it or none of it. Without it the
// dashboard hides GitHub and apps are created from plain git URLs.

import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/load';
import type { CommonConfig } from '../config/schemas';
import { CoveError } from '../errors';

export interface GitHubAppSettings {
  appId: string;
  slug: string;
  privateKey: KeyObject;
  webhookSecret: string;
  /** The App's OAuth client (dashboard): null where only tokens are needed (builder). */
  oauth: { clientId: string; clientSecret: string } | null;
  /** REST API root, e.g. https://api.github.com (no trailing slash). */
  apiUrl: string;
  /** The web root, e.g. https://github.com: install pages and clone URLs live under it. */
  webUrl: string;
}

type GitHubConfig = Pick<
  CommonConfig,
  | 'COVE_GITHUB_APP_ID'
  | 'COVE_GITHUB_APP_SLUG'
  | 'COVE_GITHUB_APP_PRIVATE_KEY'
  | 'COVE_GITHUB_APP_PRIVATE_KEY_FILE'
  | 'COVE_GITHUB_WEBHOOK_SECRET'
  | 'COVE_GITHUB_CLIENT_ID'
  | 'COVE_GITHUB_CLIENT_SECRET'
  | 'COVE_GITHUB_API_URL'
  | 'COVE_GITHUB_URL'
>;

const cache = new WeakMap<GitHubConfig, GitHubAppSettings | null>();

function readPrivateKeyPem(config: GitHubConfig): string | undefined {
  if (config.COVE_GITHUB_APP_PRIVATE_KEY) {
    // An environment variable often carries the PEM's line breaks as literal "\n".
    return config.COVE_GITHUB_APP_PRIVATE_KEY.replace(/\\n/g, '\n');
  }
  if (!config.COVE_GITHUB_APP_PRIVATE_KEY_FILE) return undefined;
  try {
    return readFileSync(config.COVE_GITHUB_APP_PRIVATE_KEY_FILE, 'utf8');
  } catch {
    throw new ConfigError(
      `Configuration error: COVE_GITHUB_APP_PRIVATE_KEY_FILE is invalid: ${config.COVE_GITHUB_APP_PRIVATE_KEY_FILE} cannot be read`,
    );
  }
}

function parse(config: GitHubConfig): GitHubAppSettings | null {
  const pem = readPrivateKeyPem(config);
  const given = {
    COVE_GITHUB_APP_ID: config.COVE_GITHUB_APP_ID,
    COVE_GITHUB_APP_SLUG: config.COVE_GITHUB_APP_SLUG,
    'COVE_GITHUB_APP_PRIVATE_KEY (or _FILE)': pem,
    COVE_GITHUB_WEBHOOK_SECRET: config.COVE_GITHUB_WEBHOOK_SECRET,
  };
  const missing = Object.entries(given)
    .filter(([, value]) => value === undefined)
    .map(([name]) => name);
  if (missing.length === Object.keys(given).length) return null;
  if (missing.length > 0 || !pem || !config.COVE_GITHUB_APP_ID || !config.COVE_GITHUB_APP_SLUG) {
    throw new ConfigError(
      `Configuration error: the GitHub App is half configured; ${missing.join(', ')} missing (give all of them, or none to go without GitHub)`,
    );
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new ConfigError(
      'Configuration error: COVE_GITHUB_APP_PRIVATE_KEY is invalid: not a PEM private key (download one from the GitHub App settings)',
    );
  }
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw new ConfigError(
      'Configuration error: COVE_GITHUB_APP_PRIVATE_KEY is invalid: GitHub Apps use RSA keys',
    );
  }
  return {
    appId: config.COVE_GITHUB_APP_ID,
    slug: config.COVE_GITHUB_APP_SLUG,
    privateKey,
    webhookSecret: config.COVE_GITHUB_WEBHOOK_SECRET ?? '',
    oauth:
      config.COVE_GITHUB_CLIENT_ID && config.COVE_GITHUB_CLIENT_SECRET
        ? { clientId: config.COVE_GITHUB_CLIENT_ID, clientSecret: config.COVE_GITHUB_CLIENT_SECRET }
        : null,
    apiUrl: config.COVE_GITHUB_API_URL.replace(/\/+$/, ''),
    webUrl: config.COVE_GITHUB_URL.replace(/\/+$/, ''),
  };
}

/** The GitHub App's settings, or null when the operator has not configured one. */
export function gitHubAppSettings(config: GitHubConfig): GitHubAppSettings | null {
  if (!cache.has(config)) cache.set(config, parse(config));
  return cache.get(config) ?? null;
}

/** The settings, or a clear error for a route that needs GitHub. */
export function requireGitHubApp(config: GitHubConfig): GitHubAppSettings {
  const settings = gitHubAppSettings(config);
  if (settings) return settings;
  throw new CoveError(
    'not_found',
    'GitHub is not configured on this Cove: the operator sets COVE_GITHUB_APP_ID and the other COVE_GITHUB_* variables. Use a git URL meanwhile.',
  );
}

/** Where a repository of the configured GitHub is cloned from: <web root>/<owner>/<repo>.git */
export function gitHubCloneUrl(settings: Pick<GitHubAppSettings, 'webUrl'>, fullName: string): string {
  return `${settings.webUrl}/${fullName}.git`;
}
