// Plain HTTP requests to apps, forwarded with undici: one keep-alive pool per upstream, the answer
// streamed back as it arrives. About half the CPU per request of http.request through an Agent.
// WebSocket upgrades do not come here (http-proxy-3 tunnels them).
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { Agent, type Dispatcher } from 'undici';

export type Upstream = { host: string; port: number };

export interface HttpForwarder {
  /**
   * Sends the request to the upstream and streams its answer into `response`. `onError` runs when
   * the app cannot be reached or drops the connection (not when the browser went away first).
   */
  forward(
    request: IncomingMessage,
    response: ServerResponse,
    upstream: Upstream,
    onError: (error: Error) => void,
  ): void;
  /** Cuts every connection to the apps (the proxy's drain is over by then). */
  destroy(): Promise<void>;
}

/**
 * Headers that describe one hop, not the message (RFC 9110 7.6.1), plus `expect` (the proxy's
 * own server answers 100-continue) and `trailer` (trailers are not forwarded).
 */
const hopByHopHeaders = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
]);

/** The headers the client sent, less those for this hop: every name `Connection` lists too. */
function forwardedRequestHeaders(request: IncomingMessage): IncomingHttpHeaders {
  const source = request.headers;
  const named = connectionTokens(source.connection);
  const headers: IncomingHttpHeaders = {};
  for (const name in source) {
    if (!hopByHopHeaders.has(name) && !named?.has(name)) headers[name] = source[name];
  }
  // The same X-Forwarded-* as http-proxy-3's `xfwd` (appended to a client's own for/port/proto).
  const remoteAddress = request.socket.remoteAddress ?? '';
  const port = /:(\d+)/.exec(source.host ?? '')?.[1] ?? '80';
  appendForwarded(headers, 'x-forwarded-for', remoteAddress);
  appendForwarded(headers, 'x-forwarded-port', port);
  appendForwarded(headers, 'x-forwarded-proto', 'http');
  headers['x-forwarded-host'] = source['x-forwarded-host'] || source.host || '';
  return headers;
}

function appendForwarded(headers: IncomingHttpHeaders, name: string, value: string): void {
  const existing = headers[name];
  headers[name] = existing ? `${existing},${value}` : value;
}

/** Names listed in a Connection header beyond keep-alive/close; null when there are none. */
function connectionTokens(connection: string | undefined): Set<string> | null {
  if (connection === undefined || connection === 'keep-alive' || connection === 'close') return null;
  return new Set(connection.split(',').map((token) => token.trim().toLowerCase()));
}

function hasBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

export function createHttpForwarder(): HttpForwarder {
  // No headers or body timeout, as with http.request before: a slow app answer is the app's business.
  // Idle connections to an app close after 4 s: a burst of requests leaves no descriptors behind.
  const agent = new Agent({ keepAliveTimeout: 4_000, headersTimeout: 0, bodyTimeout: 0 });
  const originOf = (upstream: Upstream) => `http://${upstream.host}:${upstream.port}`;

  function forward(
    request: IncomingMessage,
    response: ServerResponse,
    upstream: Upstream,
    onError: (error: Error) => void,
  ): void {
    let controller: Dispatcher.DispatchController | undefined;
    let isClientGone = false;
    // The browser went away before the answer was complete: stop the app's work on it too.
    response.once('close', () => {
      if (response.writableFinished) return;
      isClientGone = true;
      controller?.abort(new Error('the client closed the connection'));
    });
    response.on('drain', () => controller?.resume());
    const options: Dispatcher.DispatchOptions = {
      origin: originOf(upstream),
      method: request.method ?? 'GET',
      path: request.url ?? '/',
      headers: forwardedRequestHeaders(request),
      body: hasBody(request) ? request : null,
    };
    agent.dispatch(options, {
      onRequestStart(started) {
        controller = started;
        if (isClientGone) started.abort(new Error('the client closed the connection'));
      },
      onResponseStart(_controller, statusCode, headers, statusMessage) {
        if (statusCode < 200) return; // 1xx informational answers stay on this hop
        const connectionNamed = connectionTokens(headerText(headers.connection));
        const forwarded: IncomingHttpHeaders = {};
        for (const name in headers) {
          if (!hopByHopHeaders.has(name) && !connectionNamed?.has(name)) forwarded[name] = headers[name];
        }
        if (statusMessage) response.writeHead(statusCode, statusMessage, forwarded);
        else response.writeHead(statusCode, forwarded);
      },
      onResponseData(current, chunk) {
        if (!response.write(chunk)) current.pause();
      },
      onResponseEnd() {
        response.end();
      },
      onResponseError(_controller, error) {
        if (isClientGone) return;
        onError(error);
      },
    });
  }

  return { forward, destroy: () => agent.destroy() };
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}
