// Checks the configuration when the server starts, so a missing variable stops `next start` with
// one line naming it instead of failing the first request.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs' || process.env.NEXT_PHASE === 'phase-production-build') return;
  const { loadConfigOrExit } = await import('@cove/shared/config/load');
  const { dashboardConfigSchema } = await import('@cove/shared/config/schemas');
  loadConfigOrExit(dashboardConfigSchema);
}
