// What the proxy answers when it cannot hand a request to an app: a plain-words page for browsers,
// {error:{code,message}} JSON for everything else, with the same status.
import type { AppStatus } from '@cove/shared/db/schema/apps';
import { html, renderPage, type SafeHtml } from './html';

export type ProxyProblem =
  /** The Host header names no app (the bare domain, another domain, an IP address). */
  | { kind: 'unknown_host' }
  | { kind: 'app_not_found'; appName: string }
  /**
   * The app exists but nothing serves it right now; `reason`, for a public app that does not run,
   * says why in one line.
   */
  | { kind: 'app_unavailable'; appName: string; status: AppStatus; reason?: string }
  /** The app's container did not answer (refused, reset, timed out). */
  | { kind: 'upstream_unreachable'; appName: string }
  /** The app took the request but sent no byte of an answer in time. */
  | { kind: 'upstream_timeout'; appName: string; waitedSeconds: number }
  | { kind: 'proxy_stopping' };

export interface ProblemResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

interface ProblemDescription {
  statusCode: number;
  code: string;
  title: string;
  /** One plain sentence; also the JSON message. */
  message: string;
  body: SafeHtml;
  refreshAfterSeconds?: number;
}

export function appPageUrl(dashboardUrl: string, appName: string): string {
  return `${dashboardUrl.replace(/\/+$/, '')}/apps/${encodeURIComponent(appName)}`;
}

function describeUnavailable(
  appName: string,
  status: AppStatus,
  reason: string | undefined,
  dashboardUrl: string,
): ProblemDescription {
  const statusLink = html`<p><a href="${appPageUrl(dashboardUrl, appName)}">See its status and logs</a>.</p>`;
  const refreshing = (code: string, state: string, refreshAfterSeconds: number): ProblemDescription => {
    const message = `${appName} ${state}; this page refreshes by itself.`;
    return {
      statusCode: 503,
      code,
      title: `${appName} ${state}`,
      message,
      body: html`<p>${message}</p>${statusLink}`,
      refreshAfterSeconds,
    };
  };
  switch (status) {
    case 'queued':
    case 'building':
    case 'deploying': {
      // The first build of a new app, or a failed app's next try: the page becomes the app.
      const message = `${appName} is being deployed. This page turns into the app as soon as it is live.`;
      return {
        statusCode: 503,
        code: 'app_deploying',
        title: `${appName} is being deployed`,
        message,
        body: html`<p>${message}</p>${statusLink}`,
        refreshAfterSeconds: 5,
      };
    }
    case 'sleeping':
    case 'waking':
      return refreshing('app_waking', 'is waking up', 2);
    case 'running':
      return refreshing('app_starting', 'is starting', 2);
    case 'failed':
    case 'crashed':
    case 'stopped': {
      const message =
        reason === undefined
          ? `${appName} is not running (it is ${status}).`
          : `${appName} is not running: ${reason}`;
      return {
        statusCode: 503,
        code: 'app_not_running',
        title: `${appName} is not running`,
        message,
        body: html`<p>${message}</p><p>If you came to use it, let its developers know.</p>${statusLink}`,
      };
    }
    default: {
      const unexpected: never = status;
      throw new Error(`unhandled app status ${String(unexpected)}`);
    }
  }
}

function describe(problem: ProxyProblem, dashboardUrl: string): ProblemDescription {
  const dashboardLink = html`<p><a href="${dashboardUrl}">Go to the dashboard</a> to see your apps.</p>`;
  switch (problem.kind) {
    case 'unknown_host': {
      const message = 'There is no app at this address.';
      return {
        statusCode: 404,
        code: 'app_not_found',
        title: 'No app here',
        message,
        body: html`<p>${message}</p>${dashboardLink}`,
      };
    }
    case 'app_not_found': {
      const message = `There is no app called ${problem.appName} here.`;
      return {
        statusCode: 404,
        code: 'app_not_found',
        title: 'No app here',
        message,
        body: html`<p>${message}</p>${dashboardLink}`,
      };
    }
    case 'app_unavailable':
      return describeUnavailable(problem.appName, problem.status, problem.reason, dashboardUrl);
    case 'upstream_unreachable': {
      const message = `${problem.appName} is not answering. It may have stopped or be restarting; try again in a moment.`;
      const link = appPageUrl(dashboardUrl, problem.appName);
      return {
        statusCode: 502,
        code: 'app_not_answering',
        title: `${problem.appName} is not answering`,
        message,
        body: html`<p>${message}</p><p><a href="${link}">See its status and logs</a>.</p>`,
      };
    }
    case 'upstream_timeout': {
      const message = `${problem.appName} did not answer within ${problem.waitedSeconds} seconds. It may be busy or stuck; try again in a moment.`;
      const link = appPageUrl(dashboardUrl, problem.appName);
      return {
        statusCode: 504,
        code: 'app_answer_timeout',
        title: `${problem.appName} did not answer in time`,
        message,
        body: html`<p>${message}</p><p><a href="${link}">See its status and logs</a>.</p>`,
      };
    }
    case 'proxy_stopping': {
      const message = 'This server is restarting; try again in a moment.';
      return {
        statusCode: 503,
        code: 'proxy_restarting',
        title: 'Restarting',
        message,
        body: html`<p>${message}</p>`,
      };
    }
    default: {
      const unexpected: never = problem;
      throw new Error(`unhandled proxy problem ${JSON.stringify(unexpected)}`);
    }
  }
}

/** Browsers (Accept includes text/html) get a page; other clients get JSON. */
export function wantsHtml(acceptHeader: string | undefined): boolean {
  return acceptHeader?.toLowerCase().includes('text/html') ?? false;
}

export function problemResponse(
  problem: ProxyProblem,
  options: { dashboardUrl: string; acceptHeader: string | undefined },
): ProblemResponse {
  const description = describe(problem, options.dashboardUrl);
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  if (description.refreshAfterSeconds !== undefined) {
    headers['retry-after'] = String(description.refreshAfterSeconds);
  }
  if (wantsHtml(options.acceptHeader)) {
    headers['content-type'] = 'text/html; charset=utf-8';
    const body = renderPage({
      title: description.title,
      heading: description.title,
      body: description.body,
      ...(description.refreshAfterSeconds === undefined
        ? {}
        : { refreshAfterSeconds: description.refreshAfterSeconds }),
    });
    return { statusCode: description.statusCode, headers, body };
  }
  headers['content-type'] = 'application/json; charset=utf-8';
  const body = JSON.stringify({ error: { code: description.code, message: description.message } });
  return { statusCode: description.statusCode, headers, body };
}
