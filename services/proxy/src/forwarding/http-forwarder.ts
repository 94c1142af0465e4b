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
  const host = source.host ?? '';
  appendForwarded(headers, 'x-forwarded-for', request.socket.remoteAddress ?? '');
  appendForwarded(headers, 'x-forwarded-port', portOf(host));
  appendForwarded(headers, 'x-forwarded-proto', 'http');
  headers['x-forwarded-host'] = source['x-forwarded-host'] || host;
  return headers;
}

/** The port a Host header names ("[::1]:8080" included), 80 when it names none. */
function portOf(host: string): string {
  const colon = host.lastIndexOf(':');
  return colon > host.lastIndexOf(']') && colon < host.length - 1 ? host.slice(colon + 1) : '80';
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

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

const clientGone = () => new Error('the client closed the connection');

/**
 * One forwarded request: undici's handler for the app's answer, written into the browser's
 * response. A class rather than closures, since one is made for every request.
 */
class ForwardedExchange implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private isClientGone = false;
  private isWaitingForDrain = false;

  constructor(
    private readonly response: ServerResponse,
    private readonly reportUpstreamError: (error: Error) => void,
  ) {
    // The browser went away before the answer was complete: stop the app's work on it too.
    response.once('close', () => {
      if (response.writableFinished) return;
      this.isClientGone = true;
      this.controller?.abort(clientGone());
    });
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.isClientGone) controller.abort(clientGone());
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
    statusMessage?: string,
  ): void {
    if (statusCode < 200) return; // 1xx informational answers stay on this hop
    const connectionNamed = connectionTokens(headerText(headers.connection));
    const forwarded: IncomingHttpHeaders = {};
    for (const name in headers) {
      if (!hopByHopHeaders.has(name) && !connectionNamed?.has(name)) forwarded[name] = headers[name];
    }
    if (statusMessage) this.response.writeHead(statusCode, statusMessage, forwarded);
    else this.response.writeHead(statusCode, forwarded);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.response.write(chunk)) return;
    controller.pause();
    if (this.isWaitingForDrain) return;
    this.isWaitingForDrain = true;
    this.response.once('drain', () => {
      this.isWaitingForDrain = false;
      controller.resume();
    });
  }

  onResponseEnd(): void {
    this.response.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.isClientGone) return;
    this.reportUpstreamError(error);
  }
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
    agent.dispatch(
      {
        origin: originOf(upstream),
        method: request.method ?? 'GET',
        path: request.url ?? '/',
        headers: forwardedRequestHeaders(request),
        body: hasBody(request) ? request : null,
      },
      new ForwardedExchange(response, onError),
    );
  }

  return { forward, destroy: () => agent.destroy() };
}
