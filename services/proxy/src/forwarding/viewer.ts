// Who visits a private app, as the access gate admitted them, told to the app in one header that
// Streamlit maps to st.user.email (server.trustedUserHeaders, set by the runtime image's
// entrypoint). The proxy alone writes it: a client's own copy is dropped from every request, so an
// app can trust it, and public apps (no gate, no viewer) never get one.
import type { IncomingMessage } from 'node:http';

export const viewerEmailHeader = 'x-cove-user-email';

const viewers = new WeakMap<IncomingMessage, string>();

/** Printable ASCII without spaces: what fits a header value as it is, never a CR or LF. */
const headerSafe = /^[\x21-\x7e]+$/;

export function admitViewer(request: IncomingMessage, email: string): void {
  if (headerSafe.test(email)) viewers.set(request, email);
}

export function viewerEmailOf(request: IncomingMessage): string | undefined {
  return viewers.get(request);
}
