// The address a request came from, as the dashboard's server (server/main.ts) found it on the
// connection. Route handlers never read X-Forwarded-For: a client writes what it likes there.

/** Set by server/main.ts on every request, replacing any value a client sent. */
export const clientAddressHeader = 'x-cove-client-address';

/** Null when the request did not come through the dashboard's server (handlers called directly). */
export function clientAddress(request: Request): string | null {
  const address = request.headers.get(clientAddressHeader)?.trim();
  return address ? address : null;
}

const startedByVariable = 'COVE_DASHBOARD_SERVER';

/** Called by server/main.ts before Next starts, so instrumentation.ts can tell how it was started. */
export function markStartedByDashboardServer(): void {
  process.env[startedByVariable] = 'true';
}

export function isStartedByDashboardServer(): boolean {
  return process.env[startedByVariable] === 'true';
}
