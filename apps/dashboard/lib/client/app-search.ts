// The app list's search box.
import type { AppView } from '@cove/shared/contracts/api';

/** The apps whose name or repository holds `query` (any case). */
export function matchingApps(apps: AppView[], query: string): AppView[] {
  const needle = query.trim().toLowerCase();
  if (needle === '') return apps;
  return apps.filter((app) => app.name.includes(needle) || app.repoUrl.toLowerCase().includes(needle));
}
