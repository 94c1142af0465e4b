// How the dashboard's host relates to the apps' domain. Apps are tenants' code: a page on
// <name>.<apps domain> may set cookies for every parent domain of its own, so a dashboard on the
// apps domain or under it would read cookies any app planted (security review M2).

function hostOf(url: string): string {
  return new URL(url).hostname.toLowerCase().replace(/\.$/, '');
}

function normalDomain(domain: string): string {
  return domain.trim().toLowerCase().replace(/\.$/, '');
}

/**
 * Why the dashboard may not live where it is configured, or null. A one-label apps domain (such as
 * `localhost`) is a public suffix by the Public Suffix List's default rule: browsers refuse cookies
 * set for it, so a dashboard on that very name shares nothing with the apps under it.
 */
export function sharedSiteProblem(dashboardUrl: string, appsDomain: string): string | null {
  const dashboardHost = hostOf(dashboardUrl);
  const domain = normalDomain(appsDomain);
  const isUnder = dashboardHost.endsWith(`.${domain}`);
  const isSame = dashboardHost === domain && domain.includes('.');
  if (!isUnder && !isSame) return null;
  const where = isSame ? 'is' : 'is under';
  return (
    `the dashboard's host ${dashboardHost} ${where} COVE_APPS_DOMAIN (${domain}), so every app could ` +
    "set cookies the dashboard reads. Give COVE_DASHBOARD_URL a host outside the apps' domain (best " +
    `a registrable domain of its own, e.g. apps on ${domain} and the dashboard on another domain), ` +
    'or set COVE_ALLOW_SHARED_SITE=true to run this way anyway'
  );
}

/**
 * The app name that would look like (or be) the dashboard's own address: the first label of the
 * dashboard's host when that host sits under the apps domain's parent (dashboard `cove.example.com`,
 * apps `*.apps.example.com`: no app may be `cove`). Null otherwise.
 */
export function dashboardLookalikeName(dashboardUrl: string, appsDomain: string): string | null {
  const dashboardHost = hostOf(dashboardUrl);
  const parent = normalDomain(appsDomain).split('.').slice(1).join('.');
  // A parent of one label is a top-level domain: hosts under it are not related to the apps.
  if (!parent.includes('.')) return null;
  if (dashboardHost !== parent && !dashboardHost.endsWith(`.${parent}`)) return null;
  return dashboardHost.split('.')[0] ?? null;
}
