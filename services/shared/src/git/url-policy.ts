// Decides whether a user-supplied git URL may be cloned: an allowed scheme, no credentials or
// options smuggled in, and a host that does not resolve to loopback, link-local or private
// addresses unless the operator allows them.
import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { CoveError } from '../errors';

export interface GitUrlPolicy {
  allowedSchemes: readonly ('https' | 'http' | 'git')[];
  allowPrivateAddresses: boolean;
}

type Resolver = (hostname: string) => Promise<string[]>;

const defaultResolver: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/** Ranges ipaddr.js names that a clone must not reach by default. */
const publicRanges = new Set(['unicast']);

export function isPublicAddress(address: string): boolean {
  const parsed = ipaddr.process(address);
  return publicRanges.has(parsed.range());
}

function refuse(message: string): never {
  throw new CoveError('unsafe_git_url', message);
}

/** Checks the URL's form only (no DNS): for validating input early. */
export function parseGitUrl(raw: string, policy: GitUrlPolicy): URL {
  const trimmed = raw.trim();
  if (trimmed.startsWith('-')) refuse('A repository URL cannot start with "-".');
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    refuse(
      `"${trimmed}" is not a URL. Use the address you would give to git clone, like https://github.com/you/your-app.git.`,
    );
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (scheme === 'file' || scheme === 'ext') {
    refuse(`${scheme}:// URLs are not allowed: Cove clones over ${policy.allowedSchemes.join(' or ')} only.`);
  }
  if (!(policy.allowedSchemes as readonly string[]).includes(scheme)) {
    refuse(
      `Repositories must be reached over ${policy.allowedSchemes.map((s) => `${s}://`).join(' or ')}; "${scheme}://" is not allowed here.`,
    );
  }
  if (url.username || url.password) {
    refuse('Put no user name or password in the repository URL; private repositories connect another way.');
  }
  if (!url.hostname) refuse('The repository URL has no host name.');
  return url;
}

/** Checks the URL and the addresses its host resolves to. Returns the parsed URL. */
export async function checkGitUrl(
  raw: string,
  policy: GitUrlPolicy,
  resolve: Resolver = defaultResolver,
): Promise<URL> {
  const url = parseGitUrl(raw, policy);
  if (policy.allowPrivateAddresses) return url;
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (ipaddr.isValid(hostname)) {
    addresses = [hostname];
  } else {
    try {
      addresses = await resolve(hostname);
    } catch {
      refuse(`The host "${hostname}" could not be found. Check the repository URL for typos.`);
    }
  }
  const blocked = addresses.find((address) => !isPublicAddress(address));
  if (blocked !== undefined) {
    refuse(
      `The host "${hostname}" points to a private or local address (${blocked}); Cove does not clone from those. Use a public repository address, or ask the operator to allow private addresses.`,
    );
  }
  return url;
}
