// Which app a request is for, read from its Host header: <name>.<apps domain>[:port].

/** An app name is one DNS label: lower-case letters, digits and inner dashes. */
const appLabel = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The app name in a Host header, or null when the host is not exactly one valid label in front of
 * the apps domain with at most a numeric port (the bare domain, a deeper subdomain, another domain,
 * an IP address, anything after the port such as `:4080@evil.example`).
 */
export function appNameFromHost(hostHeader: string | undefined, appsDomain: string): string | null {
  if (!hostHeader) return null;
  const host = stripPort(hostHeader.trim().toLowerCase())?.replace(/\.$/, '');
  if (host === undefined) return null;
  const domain = appsDomain.trim().toLowerCase().replace(/\.$/, '');
  const suffix = `.${domain}`;
  if (domain.length === 0 || !host.endsWith(suffix)) return null;
  const name = host.slice(0, -suffix.length);
  return appLabel.test(name) ? name : null;
}

const portPattern = /^\d{1,5}$/;

/** The host without its port; undefined when what follows the colon is not a port. */
function stripPort(host: string): string | undefined {
  // A bracketed IPv6 literal is never an app host; keep it whole so it fails the domain check.
  if (host.startsWith('[')) return host;
  const colon = host.indexOf(':');
  if (colon === -1) return host;
  return portPattern.test(host.slice(colon + 1)) ? host.slice(0, colon) : undefined;
}
