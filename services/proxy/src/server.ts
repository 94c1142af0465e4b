// The proxy as a Fastify app: every request to <name>.<apps domain> is handed to that app's
// container with http-proxy-3 (HTTP through a hijacked reply, WebSockets from the 'upgrade' event).
// Routes come from Redis only; the proxy never talks to Docker or Postgres.
import { Agent, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ProxyConfig } from '@cove/shared/config/schemas';
import type { Logger } from '@cove/shared/logs/logger';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { createProxyServer } from 'http-proxy-3';
import type { Redis } from 'ioredis';
import { writeResponseToSocket } from './forwarding/socket-response';
import { WebSocketTunnels } from './forwarding/websocket-tunnels';
import { type ProxyProblem, problemResponse } from './pages/problems';
import { resolveRequest } from './routing/resolve';
import { createRouteCache } from './routing/route-cache';

export interface BuildProxyOptions {
  config: ProxyConfig;
  /** Command connection; the proxy duplicates it for its route subscriber. The caller quits it. */
  redis: Redis;
  logger: Logger;
  /** How long close() lets in-flight requests and WebSockets finish before cutting them. */
  shutdownGraceMs?: number;
}

/** Headers a browser must not be able to set: the platform alone speaks for the viewer. */
const platformOnlyHeaders = ['x-streamlit-user'];

function errorDetails(error: unknown): { code?: string; message: string } {
  if (error instanceof Error) {
    const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
    return code === undefined ? { message: error.message } : { code, message: error.message };
  }
  return { message: String(error) };
}

/** The path without the query string, which may carry tokens. */
function pathOf(request: IncomingMessage): string {
  return (request.url ?? '/').split('?')[0] ?? '/';
}

export async function buildProxy(options: BuildProxyOptions): Promise<FastifyInstance> {
  const { config, redis, logger } = options;
  const shutdownGraceMs = options.shutdownGraceMs ?? 10_000;
  const routes = createRouteCache({ redis, instance: config.COVE_INSTANCE, logger });
  await routes.start();

  const upstreamAgent = new Agent({ keepAlive: true });
  const proxy = createProxyServer({ xfwd: true, agent: upstreamAgent });
  const tunnels = new WebSocketTunnels();
  let isStopping = false;
  let forceCloseTimer: NodeJS.Timeout | undefined;

  // The app accepted a WebSocket upgrade: follow its socket so stop() can close it politely.
  proxy.on('proxyReqWs', (proxyRequest, _request, clientSocket) => {
    proxyRequest.once('upgrade', (_response, upstreamSocket) =>
      tunnels.attachUpstream(clientSocket, upstreamSocket),
    );
  });
  // http-proxy-3 pipes the app's answer to the browser, but an answer cut short (the container
  // died mid-response) would leave the browser waiting forever: cut the browser's side too.
  const appNameByRequest = new WeakMap<IncomingMessage, string>();
  proxy.on('proxyRes', (proxyResponse, request, response) => {
    proxyResponse.once('close', () => {
      if (proxyResponse.complete) return;
      logger.warn(
        { app: appNameByRequest.get(request), method: request.method, path: pathOf(request) },
        'app dropped the connection mid-response',
      );
      response.destroy();
    });
  });
  // Without a callback these would be thrown; every call below passes one, this is a safety net.
  proxy.on('error', (error) => logger.error({ error: errorDetails(error) }, 'proxy error'));

  const app = Fastify({ logger: false });

  // Leave every request body unread so it can be streamed to the app as it arrives.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));

  function problemFor(request: IncomingMessage, problem: ProxyProblem) {
    return problemResponse(problem, {
      dashboardUrl: config.COVE_DASHBOARD_URL,
      acceptHeader: request.headers.accept,
    });
  }

  function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: ProxyProblem): FastifyReply {
    const response = problemFor(request.raw, problem);
    return reply.code(response.statusCode).headers(response.headers).send(response.body);
  }

  app.all('*', (request, reply) => {
    const resolution = resolveRequest(request.headers.host, config.COVE_APPS_DOMAIN, routes);
    if (resolution.kind === 'problem') return sendProblem(request, reply, resolution.problem);
    const { appName, upstream } = resolution;
    for (const header of platformOnlyHeaders) delete request.raw.headers[header];
    reply.hijack();
    appNameByRequest.set(request.raw, appName);
    const response = reply.raw;
    proxy.web(request.raw, response, { target: { protocol: 'http:', ...upstream } }, (error) => {
      logger.warn(
        { app: appName, error: errorDetails(error), method: request.method, path: pathOf(request.raw) },
        'request to app failed',
      );
      if (response.headersSent) {
        response.destroy();
        return;
      }
      const problem = problemFor(request.raw, { kind: 'upstream_unreachable', appName });
      response.writeHead(problem.statusCode, problem.headers).end(problem.body);
    });
  });

  app.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (error) => logger.debug({ error: errorDetails(error) }, 'client socket error'));
    if (isStopping) {
      writeResponseToSocket(socket, problemFor(request, { kind: 'proxy_stopping' }));
      return;
    }
    const resolution = resolveRequest(request.headers.host, config.COVE_APPS_DOMAIN, routes);
    if (resolution.kind === 'problem') {
      writeResponseToSocket(socket, problemFor(request, resolution.problem));
      return;
    }
    const { appName, upstream } = resolution;
    for (const header of platformOnlyHeaders) delete request.headers[header];
    tunnels.track(socket);
    proxy.ws(request, socket, head, { target: { protocol: 'http:', ...upstream } }, (error) => {
      logger.warn(
        { app: appName, error: errorDetails(error), path: pathOf(request), websocket: true },
        'websocket to app failed',
      );
      // Before the upgrade the browser still expects an HTTP answer; after it, http-proxy-3 closes.
      if (!tunnels.isUpgraded(socket)) {
        writeResponseToSocket(socket, problemFor(request, { kind: 'upstream_unreachable', appName }));
      }
    });
  });

  app.addHook('preClose', (done) => {
    isStopping = true;
    tunnels.closeAllPolitely('Cove proxy is restarting');
    forceCloseTimer = setTimeout(() => {
      logger.warn({ openWebSockets: tunnels.openCount }, 'shutdown grace period over; closing connections');
      tunnels.destroyAll();
      app.server.closeAllConnections();
    }, shutdownGraceMs);
    done();
  });
  app.addHook('onClose', async () => {
    clearTimeout(forceCloseTimer);
    tunnels.destroyAll();
    upstreamAgent.destroy();
    await routes.stop();
  });

  return app;
}
