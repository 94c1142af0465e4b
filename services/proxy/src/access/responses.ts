// What the gate answers itself: the way to the dashboard's access page (browsers), a plain 401
// (other clients), a refused sign-in link, and the redirect that sets the app session cookie.

import { html, renderPage } from '../pages/html';
import type { ProblemResponse } from '../pages/problems';
import { wantsHtml } from '../pages/problems';

/** <dashboard>/access?app=<name>&return=<path>: the dashboard decides and comes back with a token. */
export function accessPageUrl(dashboardUrl: string, appName: string, returnPath: string): string {
  const url = new URL('/access', dashboardUrl);
  url.searchParams.set('app', appName);
  url.searchParams.set('return', returnPath);
  return url.toString();
}

function json(statusCode: number, code: string, message: string): ProblemResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify({ error: { code, message } }),
  };
}

/** No valid app session: a browser's page load goes to sign in; anything else gets 401. */
export function accessRequired(
  request: { method?: string | undefined; accept: string | undefined; url: string },
  options: { dashboardUrl: string; appName: string },
): ProblemResponse {
  const isPageLoad = request.method === 'GET' || request.method === 'HEAD';
  if (isPageLoad && wantsHtml(request.accept)) {
    return {
      statusCode: 302,
      headers: {
        location: accessPageUrl(options.dashboardUrl, options.appName, request.url),
        'cache-control': 'no-store',
      },
      body: '',
    };
  }
  if (isStreamlitClientPath(request.url)) {
    // An open tab whose session ended: Streamlit's reconnect dialog shows a JSON body it can parse
    // (only JSON: it reads the body once, as JSON), so a JSON string reads as the sentence itself.
    return {
      statusCode: 401,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      body: JSON.stringify(
        `You are no longer signed in to ${options.appName} (you signed out of Cove, or your access ended). Reload this page to sign in again.`,
      ),
    };
  }
  return json(
    401,
    'app_private',
    `${options.appName} is private: open it in a browser and sign in to Cove with an account that may see it.`,
  );
}

/** Streamlit's own client endpoints (health and host-config pings, the WebSocket). */
function isStreamlitClientPath(url: string): boolean {
  return url.startsWith('/_stcore/');
}

/** The sign-in link was forged, is too old, or was already used. */
export function tokenRefused(
  accept: string | undefined,
  options: { dashboardUrl: string; appName: string; returnPath: string },
): ProblemResponse {
  const message = 'This sign-in link is not valid any more (links work once, within a minute).';
  if (!wantsHtml(accept)) return json(403, 'access_link_invalid', message);
  const retry = accessPageUrl(options.dashboardUrl, options.appName, options.returnPath);
  return {
    statusCode: 403,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
    body: renderPage({
      title: `Sign in to ${options.appName}`,
      heading: `Sign in to ${options.appName}`,
      body: html`<p>${message}</p><p><a href="${retry}">Sign in again</a>.</p>`,
    }),
  };
}

/** The exchange worked: set the cookie on this host and go back to the page asked for. */
export function signedIn(returnPath: string, cookie: string): ProblemResponse {
  return {
    statusCode: 302,
    headers: { location: returnPath, 'set-cookie': cookie, 'cache-control': 'no-store' },
    body: '',
  };
}
