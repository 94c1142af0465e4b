// Which app a request is for, read from its Host header: <name>.<apps domain>[:port].

/** An app name is one DNS label: lower-case letters, digits and inner dashes. */
const appLabel = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The app name in a Host header, or null when the host is not exactly one valid label in front of
 * the apps domain (the bare domain, a deeper subdomain, another domain, an IP address).
 */
export function appNameFromHost(hostHeader: string | undefined, appsDomain: string): string | null {
  if (!hostHeader) return null;
  const host = stripPort(hostHeader.trim().toLowerCase()).replace(/\.$/, '');
  const domain = appsDomain.trim().toLowerCase().replace(/\.$/, '');
  const suffix = `.${domain}`;
  if (domain.length === 0 || !host.endsWith(suffix)) return null;
  const name = host.slice(0, -suffix.length);
  return appLabel.test(name) ? name : null;
}

function stripPort(host: string): string {
  // A bracketed IPv6 literal is never an app host; keep it whole so it fails the domain check.
  if (host.startsWith('[')) return host;
  const colon = host.indexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}
