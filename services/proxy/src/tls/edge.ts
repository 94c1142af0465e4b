// What the proxy decides at the edge, before an app is looked up: whether plain HTTP moves to HTTPS
// and whether a request is the dashboard's.
import type { IncomingMessage } from 'node:http';
import type { ProxyConfig } from '@cove/shared/config/schemas';
import type { CertificateCache } from './certificate-cache';

/** The host of a Host header, lower-cased and without its port; null for anything odd. */
export function hostWithoutPort(hostHeader: string | undefined): string | null {
  if (!hostHeader) return null;
  const host = hostHeader.trim().toLowerCase();
  const match = /^([a-z0-9.-]+)(?::\d{1,5})?$/.exec(host);
  return match?.[1]?.replace(/\.$/, '') ?? null;
}

/** Where plain HTTP for a host with a certificate is sent (308), or null to serve it as it is. */
export function httpsRedirectLocation(
  request: IncomingMessage,
  certificates: CertificateCache,
  config: Pick<ProxyConfig, 'COVE_PROXY_HTTPS_PORT' | 'COVE_PROXY_PUBLIC_HTTPS_PORT'>,
): string | null {
  const host = hostWithoutPort(request.headers.host);
  if (host === null || !certificates.hasCertificate(host)) return null;
  const url = request.url ?? '/';
  if (url.charCodeAt(0) !== 47) return null;
  const port = config.COVE_PROXY_PUBLIC_HTTPS_PORT ?? config.COVE_PROXY_HTTPS_PORT;
  const portPart = port === undefined || port === 443 ? '' : `:${port}`;
  return `https://${host}${portPart}${url}`;
}

export interface DashboardForwarding {
  upstream: { host: string; port: number };
  isFor(hostHeader: string | undefined): boolean;
}

/** The dashboard behind the proxy (its host from COVE_DASHBOARD_URL), when an upstream is given. */
export function dashboardForwarding(
  config: Pick<ProxyConfig, 'COVE_PROXY_DASHBOARD_UPSTREAM' | 'COVE_DASHBOARD_URL'>,
): DashboardForwarding | null {
  if (config.COVE_PROXY_DASHBOARD_UPSTREAM === undefined) return null;
  const upstreamUrl = new URL(config.COVE_PROXY_DASHBOARD_UPSTREAM);
  const dashboardHost = new URL(config.COVE_DASHBOARD_URL).hostname.toLowerCase();
  return {
    upstream: { host: upstreamUrl.hostname, port: Number(upstreamUrl.port || 80) },
    isFor: (hostHeader) => hostWithoutPort(hostHeader) === dashboardHost,
  };
}
