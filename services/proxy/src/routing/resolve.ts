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

/** Statuses whose apps a visit wakes. */
const wakeableStatuses: ReadonlySet<RouteEntry['status']> = new Set(['sleeping', 'waking']);

export function resolveRequest(
  hostHeader: string | undefined,
  appsDomain: string,
  routes: RouteCache,
): Resolution {
  const appName = appNameFromHost(hostHeader, appsDomain);
  if (appName === null) return { kind: 'problem', appName, problem: { kind: 'unknown_host' } };
  return resolveAppName(appName, routes);
}

/** Where a request for the app called `appName` goes (the Host already read). */
export function resolveAppName(appName: string, routes: RouteCache): Resolution {
  const route = routes.get(appName);
  if (!route) return { kind: 'problem', appName, problem: { kind: 'app_not_found', appName } };
  if (!route.upstream && wakeableStatuses.has(route.status)) {
    return { kind: 'asleep', appName, appId: route.appId };
  }
  if (!route.upstream) {
    return { kind: 'problem', appName, problem: { kind: 'app_unavailable', appName, status: route.status } };
  }
  return { kind: 'upstream', appName, appId: route.appId, route };
}
