// The app page's sections, each a tab whose name is kept in the address (?tab=settings): read by
// the page on the server (a reload opens the same tab) and by the tabs in the browser.
export const appTabs = [
  { id: 'overview', label: 'Overview' },
  { id: 'logs', label: 'Logs' },
  { id: 'deployments', label: 'Deployments' },
  { id: 'insights', label: 'Insights' },
  { id: 'settings', label: 'Settings' },
  { id: 'sharing', label: 'Sharing' },
  { id: 'secrets', label: 'Secrets' },
] as const;
export type AppTabId = (typeof appTabs)[number]['id'];

/** The tab a `?tab=` value names; anything else is the overview. */
export function appTabOf(value: string | string[] | undefined): AppTabId {
  return appTabs.find((tab) => tab.id === value)?.id ?? 'overview';
}
