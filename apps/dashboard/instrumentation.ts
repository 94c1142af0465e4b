// Checks the configuration when the server starts, so a missing variable stops the dashboard with
// one line naming it instead of failing the first request. And refuses `next start` in production:
// only the dashboard's own server (server/main.ts) knows the client's address, without which the
// per-address limits would not count at all.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs' || process.env.NEXT_PHASE === 'phase-production-build') return;
  const { loadConfigOrExit } = await import('@cove/shared/config/load');
  const { dashboardConfigSchema } = await import('@cove/shared/config/schemas');
  loadConfigOrExit(dashboardConfigSchema);
  const { isStartedByDashboardServer } = await import('./lib/server/client-address');
  if (isStartedByDashboardServer()) return;
  const advice =
    'The dashboard runs behind its own server: start it with `node apps/dashboard/dist/server.js`. ' +
    'Without it requests carry no client address and the per-address limits count nothing.';
  if (process.env.NODE_ENV === 'production') {
    process.stderr.write(`${advice}\n`);
    process.exit(78);
  }
  process.stderr.write(`Warning: ${advice}\n`);
}
