// From a request's Host header to where it goes: an app's upstream, or the problem to answer with.

import type { RouteEntry } from '@cove/shared/routing/route-table';
import type { ProxyProblem } from '../pages/problems';
import { appNameFromHost } from './host';
import type { RouteCache } from './route-cache';

export type Resolution =
  | { kind: 'upstream'; appName: string; appId: string; route: RouteEntry }
  /** The app sleeps (or is waking): a request for it wakes it. */
  | { kind: 'asleep'; appName: string; appId: string }
  | { kind: 'problem'; appName: string | null; problem: ProxyProblem };

export type IsPrivateApp = (appId: string) => boolean;

/** Statuses whose apps a visit wakes. */
const wakeableStatuses: ReadonlySet<RouteEntry['status']> = new Set(['sleeping', 'waking']);

export function resolveRequest(
  hostHeader: string | undefined,
  appsDomain: string,
  routes: RouteCache,
  isPrivate: IsPrivateApp,
): Resolution {
  const appName = appNameFromHost(hostHeader, appsDomain);
  if (appName === null) return { kind: 'problem', appName, problem: { kind: 'unknown_host' } };
  return resolveAppName(appName, routes, isPrivate);
}

/** Where a request for the app called `appName` goes (the Host already read). */
export function resolveAppName(appName: string, routes: RouteCache, isPrivate: IsPrivateApp): Resolution {
  const route = routes.get(appName);
  if (!route) return { kind: 'problem', appName, problem: { kind: 'app_not_found', appName } };
  if (!route.upstream && wakeableStatuses.has(route.status)) {
    return { kind: 'asleep', appName, appId: route.appId };
  }
  if (!route.upstream) {
    const problem: ProxyProblem = { kind: 'app_unavailable', appName, status: route.status };
    // Why it does not run is told to a public app's visitors only: a private app's reason would
    // reach people who may not see the app (this answer comes before the access check).
    if (route.reason !== undefined && !isPrivate(route.appId)) problem.reason = route.reason;
    return { kind: 'problem', appName, problem };
  }
  return { kind: 'upstream', appName, appId: route.appId, route };
}
