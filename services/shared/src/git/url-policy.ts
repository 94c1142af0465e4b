// Decides whether a user-supplied git URL may be cloned: an allowed scheme, no credentials or
// options smuggled in, and a host that does not resolve to loopback, link-local or private
// addresses unless the operator allows them. The URL is parsed once: git is given that parse's
// serialisation and the address checked here, so neither its parser nor a second DNS answer can
// send the clone elsewhere.
import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { CoveError } from '../errors';

export interface GitUrlPolicy {
  allowedSchemes: readonly ('https' | 'http' | 'git')[];
  allowPrivateAddresses: boolean;
}

export type HostResolver = (hostname: string) => Promise<string[]>;

const defaultResolver: HostResolver = async (hostname) =>
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
  // Where the WHATWG parser and curl disagree: WHATWG reads "\" as "/" and drops tabs and
  // newlines, curl does neither, so "http://public.example\@10.0.0.1/" means two hosts.
  if (/[\\\s\p{Cc}]/u.test(trimmed)) {
    refuse(
      'A repository URL cannot contain backslashes, spaces or control characters. Use the address you would give to git clone.',
    );
  }
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
  // An "@" anywhere before the path is a user name to curl, even where WHATWG finds none.
  if (url.username || url.password || /^[^:]*:\/\/[^/?#]*@/.test(trimmed)) {
    refuse('Put no user name or password in the repository URL; private repositories connect another way.');
  }
  if (!url.hostname) refuse('The repository URL has no host name.');
  return url;
}

function bareHostname(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

async function resolveHost(hostname: string, resolve: HostResolver): Promise<string[]> {
  if (ipaddr.isValid(hostname)) return [hostname];
  let addresses: string[];
  try {
    addresses = await resolve(hostname);
  } catch {
    addresses = [];
  }
  if (addresses.length === 0) {
    refuse(`The host "${hostname}" could not be found. Check the repository URL for typos.`);
  }
  return addresses;
}

function refuseUnlessAllowed(hostname: string, addresses: readonly string[], policy: GitUrlPolicy): void {
  if (policy.allowPrivateAddresses) return;
  const blocked = addresses.find((address) => !isPublicAddress(address));
  if (blocked !== undefined) {
    refuse(
      `The host "${hostname}" points to a private or local address (${blocked}); Cove does not clone from those. Use a public repository address, or ask the operator to allow private addresses.`,
    );
  }
}

/** Checks the URL and the addresses its host resolves to. Returns the parsed URL. */
export async function checkGitUrl(
  raw: string,
  policy: GitUrlPolicy,
  resolve: HostResolver = defaultResolver,
): Promise<URL> {
  const url = parseGitUrl(raw, policy);
  if (policy.allowPrivateAddresses) return url;
  const hostname = bareHostname(url);
  refuseUnlessAllowed(hostname, await resolveHost(hostname, resolve), policy);
  return url;
}

/** A URL the policy accepted, with the addresses its host had when it was checked. */
export interface PinnedGitUrl {
  url: URL;
  /** Every address the host name resolved to, all checked; empty when the host is an address. */
  addresses: string[];
}

/**
 * For the clone itself: the checked URL and the addresses it must connect to. The host name is
 * resolved once, here, even where private addresses are allowed, so that git does not resolve it
 * again and get another answer (DNS rebinding).
 */
export async function pinGitUrl(
  raw: string,
  policy: GitUrlPolicy,
  resolve: HostResolver = defaultResolver,
): Promise<PinnedGitUrl> {
  const url = parseGitUrl(raw, policy);
  const hostname = bareHostname(url);
  const addresses = await resolveHost(hostname, resolve);
  refuseUnlessAllowed(hostname, addresses, policy);
  return { url, addresses: ipaddr.isValid(hostname) ? [] : addresses };
}
