// The proxy: every request to <name>.<apps domain> is handed to that app's container. A request for
// a running public app goes straight to the forwarder from the server's own handler; everything else
// (private apps, sleeping apps, problems, the waking page) is a Fastify app. WebSockets are
// forwarded from the server's 'upgrade' event.
// With an HTTPS port, a second listener terminates TLS with the certificates the builder keeps in
// Redis (tls/), plain HTTP redirects to it once a host has one, and the CA's HTTP-01 challenges
// are answered on plain HTTP. The dashboard's host can be forwarded to the dashboard here too.
// Routes come from Redis only; the proxy never talks to Docker or Postgres.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ProxyConfig } from '@cove/shared/config/schemas';
import { openJobQueues } from '@cove/shared/jobs/queues';
import type { Logger } from '@cove/shared/logs/logger';
import type { RouteEntry } from '@cove/shared/routing/route-table';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { createAccessGate } from './access/gate';
import { createActivityRecorder } from './activity/activity-recorder';
import { createAnalyticsRecorder } from './activity/analytics-recorder';
import {
  isPageLoad,
  newVisitorId,
  readVisitorId,
  stripVisitorCookie,
  visitorCookie,
} from './activity/page-views';
import { createReplicaSessions } from './activity/replica-sessions';
import { createHttpForwarder } from './forwarding/http-forwarder';
import { writeResponseToSocket } from './forwarding/socket-response';
import { AnswerTimeoutError } from './forwarding/upstream-pool';
import { viewerEmailOf } from './forwarding/viewer';
import { forwardWebSocket } from './forwarding/websocket-forwarder';
import { WebSocketTunnels } from './forwarding/websocket-tunnels';
import { limitConnectionsPerAddress } from './limits/connection-limits';
import { appPageUrl, type ProxyProblem, problemResponse, wantsHtml } from './pages/problems';
import { wakeStatusHeader, wakeStatusHoldMs, wakingPage, wakingPageAfterMs } from './pages/waking';
import { renamedLocation, resolveRenamedApp } from './routing/rename-redirect';
import {
  answerHeadersWithPin,
  loadReplicaPinKey,
  type PinnedUpstream,
  pinReplica,
  stripReplicaPin,
  upgradeAnswerWithPin,
} from './routing/replica-pin';
import { resolveRequest } from './routing/resolve';
import { createRouteCache } from './routing/route-cache';
import { createTlsEdge } from './tls/tls-edge';
import { createWakeRequests } from './wake/wake-requests';
import { awaitWakeStatus } from './wake/wake-status';

export interface BuildProxyOptions {
  config: ProxyConfig;
  /** Command connection; the proxy duplicates it for its route subscriber. The caller quits it. */
  redis: Redis;
  logger: Logger;
  /** How long close() lets in-flight requests and WebSockets finish before cutting them. */
  shutdownGraceMs?: number;
}

/** Headers a browser must not be able to set: the platform alone speaks for the viewer. */
const platformOnlyHeaders = ['x-streamlit-user', wakeStatusHeader];

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

export interface BuiltProxy {
  app: FastifyInstance;
  /** The TLS listener (not yet listening), when COVE_PROXY_HTTPS_PORT is set. */
  httpsServer: Server | null;
}

export async function buildProxy(options: BuildProxyOptions): Promise<BuiltProxy> {
  const { config, redis, logger } = options;
  const shutdownGraceMs = options.shutdownGraceMs ?? 10_000;
  const routes = createRouteCache({ redis, instance: config.COVE_INSTANCE, logger });
  await routes.start();
  const access = createAccessGate({ config, redis, logger });
  await access.start();
  const activity = createActivityRecorder({
    redis,
    instance: config.COVE_INSTANCE,
    flushIntervalMs: config.COVE_ACTIVITY_FLUSH_MS,
    logger,
  });
  activity.start();
  const replicaSessions = createReplicaSessions({
    redis,
    instance: config.COVE_INSTANCE,
    flushIntervalMs: config.COVE_ACTIVITY_FLUSH_MS,
    logger,
  });
  replicaSessions.start();
  const analytics = createAnalyticsRecorder({
    redis,
    instance: config.COVE_INSTANCE,
    flushIntervalMs: config.COVE_ACTIVITY_FLUSH_MS,
    logger,
  });
  analytics.start();
  const pinKey = await loadReplicaPinKey(redis, config.COVE_INSTANCE);
  const queues = openJobQueues(redis, config.COVE_INSTANCE);
  const wakes = createWakeRequests({ queues, logger });
  // A held request for an app that woke and fell asleep again must not wait on the answered ask.
  routes.onUpstream((entry) => wakes.answered(entry.appId));
  const wakeWaitMs = config.COVE_WAKE_WAIT_SECONDS * 1000;

  // A socket on a dual-stack listener reports an IPv4 peer in its IPv6-mapped form.
  const trustedProxyAddresses = new Set(
    config.COVE_PROXY_TRUSTED_PROXY_ADDRESSES.flatMap((address) =>
      address.includes(':') ? [address] : [address, `::ffff:${address}`],
    ),
  );
  const answerTimeoutMs = config.COVE_PROXY_ANSWER_TIMEOUT_SECONDS * 1000;
  const httpForwarder = createHttpForwarder({
    trustedProxyAddresses,
    bodyIdleTimeoutMs: config.COVE_PROXY_BODY_IDLE_TIMEOUT_SECONDS * 1000,
    answerTimeoutMs,
  });
  const tunnels = new WebSocketTunnels();
  const edge = createTlsEdge({
    config,
    redis,
    logger,
    httpForwarder,
    tunnels,
    trustedProxyAddresses,
    answerTimeoutMs,
    serve: (request, response) => handleRequest?.(request, response),
  });
  await edge.start();
  const { httpsServer } = edge;

  /** Whether the browser reached the app over https (the proxy's cookies then say Secure). */
  function isSecureRequest(request: IncomingMessage): boolean {
    const isFromTrustedProxy = trustedProxyAddresses.has(request.socket.remoteAddress ?? '');
    const forwardedProto = request.headers['x-forwarded-proto'];
    return config.COVE_APPS_SCHEME === 'https' || (isFromTrustedProxy && forwardedProto === 'https');
  }

  /** The replica of the app this browser is pinned to (a new pin when it has none that is live). */
  function pinFor(request: IncomingMessage, route: RouteEntry): PinnedUpstream | null {
    const pinned = pinReplica(route, request.headers, {
      key: pinKey,
      nowMs: Date.now(),
      isSecure: isSecureRequest(request),
      sessionsOf: (replicaId) => replicaSessions.sessionsOf(route.appId, replicaId),
    });
    stripReplicaPin(request.headers);
    return pinned;
  }

  /**
   * Counts a page load of the app (never awaited: the analytics recorder batches it) and takes the
   * visitor cookie out of the request; returns the Set-Cookie of a new visitor id, if one is given.
   */
  function countView(request: IncomingMessage, appId: string): string | null {
    // Only a page load reads the cookie (most requests are the page's assets); every one loses it.
    const isView = isPageLoad(request);
    const visitorId = isView ? readVisitorId(request.headers) : null;
    stripVisitorCookie(request.headers);
    if (!isView) return null;
    const email = viewerEmailOf(request);
    if (email !== undefined) {
      analytics.view(appId, { email });
      return null;
    }
    if (visitorId !== null) {
      analytics.view(appId, { visitorId });
      return null;
    }
    const newId = newVisitorId();
    analytics.view(appId, { visitorId: newId });
    return visitorCookie(newId, { isSecure: isSecureRequest(request) });
  }
  let isStopping = false;
  let forceCloseTimer: NodeJS.Timeout | undefined;

  /**
   * The hot path, before Fastify: a request for a running public app goes straight to it. Fastify's
   * routing measured up to a fifth of the CPU of a proxied page (bench/README.md), and these requests
   * need none of it. False leaves the request to Fastify.
   */
  function forwardToRunningApp(request: IncomingMessage, response: ServerResponse): boolean {
    if (isStopping || request.headers[wakeStatusHeader] !== undefined) return false;
    // Only origin-form targets ("/path"); anything else gets Fastify's handling.
    if (request.url?.charCodeAt(0) !== 47) return false;
    const resolution = resolveRequest(
      request.headers.host,
      config.COVE_APPS_DOMAIN,
      routes,
      access.isPrivate,
    );
    if (resolution.kind !== 'upstream' || access.isPrivate(resolution.appId)) return false;
    activity.touch(resolution.appId);
    forward(request, response, resolution.appName, resolution.route);
    return true;
  }

  let handleRequest: ((request: IncomingMessage, response: ServerResponse) => void) | undefined;
  const app = Fastify({
    logger: false,
    serverFactory: (fastifyHandler) => {
      handleRequest = (request, response) => {
        if (!edge.handleRequest(request, response) && !forwardToRunningApp(request, response)) {
          fastifyHandler(request, response);
        }
      };
      const headersTimeoutMs = config.COVE_PROXY_HEADERS_TIMEOUT_SECONDS * 1000;
      const requestTimeoutMs = config.COVE_PROXY_REQUEST_TIMEOUT_SECONDS * 1000;
      const server = createServer(
        {
          // Node checks both on one sweep of the open connections: a tenth of the shorter, so a
          // timeout is enforced within 10% of itself (Node's default sweep is every 30 s).
          headersTimeout: headersTimeoutMs,
          requestTimeout: requestTimeoutMs,
          connectionsCheckingInterval: Math.min(Math.max(headersTimeoutMs / 10, 50), 5_000),
          // Fastify's default, which it sets only on servers it makes.
          keepAliveTimeout: 72_000,
        },
        (request, response) => handleRequest?.(request, response),
      );
      server.maxConnections = config.COVE_PROXY_MAX_CONNECTIONS;
      limitConnectionsPerAddress(
        server,
        {
          maxPerAddress: config.COVE_PROXY_MAX_CONNECTIONS_PER_ADDRESS,
          exemptAddresses: trustedProxyAddresses,
        },
        logger,
      );
      return server;
    },
  });

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

  function forward(
    request: IncomingMessage,
    response: ServerResponse,
    appName: string,
    route: RouteEntry,
  ): void {
    for (const header of platformOnlyHeaders) delete request.headers[header];
    const pinned = pinFor(request, route);
    if (pinned === null) {
      const problem = problemFor(request, { kind: 'upstream_unreachable', appName });
      response.writeHead(problem.statusCode, problem.headers).end(problem.body);
      return;
    }
    const visitorSetCookie = countView(request, route.appId);
    const adjust = (headers: string[]) => answerHeadersWithPin(headers, pinned.setCookie, visitorSetCookie);
    httpForwarder.forward(
      request,
      response,
      pinned.replica,
      (error) => {
        const isMidResponse = response.headersSent;
        logger.warn(
          { app: appName, error: errorDetails(error), method: request.method, path: pathOf(request) },
          isMidResponse ? 'app dropped the connection mid-response' : 'request to app failed',
        );
        // An answer cut short (the container died mid-response) must not leave the browser waiting.
        if (isMidResponse) {
          response.destroy();
          return;
        }
        const problem = problemFor(
          request,
          error instanceof AnswerTimeoutError
            ? { kind: 'upstream_timeout', appName, waitedSeconds: config.COVE_PROXY_ANSWER_TIMEOUT_SECONDS }
            : { kind: 'upstream_unreachable', appName },
        );
        response.writeHead(problem.statusCode, problem.headers).end(problem.body);
      },
      adjust,
    );
  }

  /** The forward of a request Fastify took: the reply is handed over to the forwarder. */
  function forwardReply(request: FastifyRequest, reply: FastifyReply, appName: string, route: RouteEntry) {
    reply.hijack();
    forward(request.raw, reply.raw, appName, route);
  }

  app.all('*', async (request, reply) => {
    const resolution = resolveRequest(
      request.headers.host,
      config.COVE_APPS_DOMAIN,
      routes,
      access.isPrivate,
    );
    if (resolution.kind !== 'problem' && access.isPrivate(resolution.appId)) {
      const refusal = await access.checkRequest(request.raw, resolution);
      if (refusal) return reply.code(refusal.statusCode).headers(refusal.headers).send(refusal.body);
    }
    if (resolution.appName !== null && request.headers[wakeStatusHeader] !== undefined) {
      if (resolution.kind === 'asleep') wakes.request(resolution.appId);
      const status = await awaitWakeStatus(
        redis,
        config.COVE_INSTANCE,
        routes,
        resolution.appName,
        wakeStatusHoldMs,
      );
      return reply.code(200).header('cache-control', 'no-store').send(status);
    }
    if (resolution.kind === 'problem') {
      if (resolution.problem.kind === 'app_not_found') {
        const location = await renamedLocation(redis, {
          config,
          oldName: resolution.problem.appName,
          path: request.url,
        });
        if (location !== null) return reply.code(308).header('location', location).send();
      }
      return sendProblem(request, reply, resolution.problem);
    }
    activity.touch(resolution.appId);
    if (resolution.kind === 'upstream')
      return forwardReply(request, reply, resolution.appName, resolution.route);
    const { appName, appId } = resolution;
    wakes.request(appId);
    if (wantsHtml(request.headers.accept)) {
      // A frozen app is back within a moment: then the visitor gets the app itself, no waking page.
      const quickly = await routes.waitForUpstream(appName, wakingPageAfterMs);
      if (quickly?.upstream) return forwardReply(request, reply, appName, quickly);
      const page = wakingPage({ appName, appPageUrl: appPageUrl(config.COVE_DASHBOARD_URL, appName) });
      return reply
        .code(503)
        .headers({
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-store',
          'retry-after': '2',
        })
        .send(page);
    }
    const awake = await routes.waitForUpstream(appName, wakeWaitMs);
    if (!awake?.upstream) {
      return sendProblem(request, reply, { kind: 'app_unavailable', appName, status: 'waking' });
    }
    activity.touch(appId);
    return forwardReply(request, reply, appName, awake);
  });

  async function onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', (error) => logger.debug({ error: errorDetails(error) }, 'client socket error'));
    if (isStopping) {
      writeResponseToSocket(socket, problemFor(request, { kind: 'proxy_stopping' }));
      return;
    }
    if (edge.handleUpgrade(request, socket, head)) return;
    let resolution = resolveRequest(request.headers.host, config.COVE_APPS_DOMAIN, routes, access.isPrivate);
    if (resolution.kind === 'problem' && resolution.problem.kind === 'app_not_found') {
      // A tab opened before a rename reconnects to the old name: serve it from the current one.
      const oldName = resolution.problem.appName;
      const renamed = await resolveRenamedApp(redis, routes, {
        instance: config.COVE_INSTANCE,
        oldName,
        isPrivate: access.isPrivate,
      });
      resolution = renamed ?? resolution;
    }
    if (resolution.kind === 'problem') {
      writeResponseToSocket(socket, problemFor(request, resolution.problem));
      return;
    }
    // Every upgrade goes through the gate: it refuses private apps' visitors without a session and
    // keeps a public app's sockets, so making the app private closes them (no Redis read for those).
    const refusal = await access.checkUpgrade(request, resolution, socket);
    if (refusal) {
      writeResponseToSocket(socket, refusal);
      return;
    }
    let { appName } = resolution;
    let route: RouteEntry;
    if (resolution.kind === 'asleep') {
      // A tab left open on an app that fell asleep reconnects its WebSocket: wake the app for it.
      wakes.request(resolution.appId);
      const awake = await routes.waitForUpstream(appName, wakeWaitMs);
      if (!awake?.upstream || isStopping || socket.destroyed) {
        writeResponseToSocket(
          socket,
          problemFor(request, { kind: 'app_unavailable', appName, status: 'waking' }),
        );
        return;
      }
      appName = awake.appName;
      route = awake;
    } else {
      route = resolution.route;
    }
    for (const header of platformOnlyHeaders) delete request.headers[header];
    const pinned = pinFor(request, route);
    if (pinned === null) {
      writeResponseToSocket(socket, problemFor(request, { kind: 'upstream_unreachable', appName }));
      return;
    }
    tunnels.track(socket);
    // An open WebSocket is an open tab: it keeps the app awake until it closes, and is a session
    // of its replica (the scaler counts them).
    socket.once('close', activity.holdOpen(resolution.appId));
    socket.once('close', replicaSessions.hold(route.appId, pinned.replica.id));
    stripVisitorCookie(request.headers);
    socket.once('close', analytics.openSession(route.appId, viewerEmailOf(request)));
    forwardWebSocket({
      request,
      client: socket,
      head,
      upstream: pinned.replica,
      adjustAnswerHead: (answer) => upgradeAnswerWithPin(answer, pinned.setCookie),
      tunnels,
      isFromTrustedProxy: trustedProxyAddresses.has(request.socket.remoteAddress ?? ''),
      answerTimeoutMs,
      onError: (error) => {
        logger.warn(
          { app: appName, error: errorDetails(error), path: pathOf(request), websocket: true },
          'websocket to app failed',
        );
        // Before the upgrade the browser still expects an HTTP answer.
        if (!tunnels.isUpgraded(socket)) {
          const problem: ProxyProblem =
            error instanceof AnswerTimeoutError
              ? { kind: 'upstream_timeout', appName, waitedSeconds: config.COVE_PROXY_ANSWER_TIMEOUT_SECONDS }
              : { kind: 'upstream_unreachable', appName };
          writeResponseToSocket(socket, problemFor(request, problem));
        }
      },
    });
  }

  for (const server of httpsServer === null ? [app.server] : [app.server, httpsServer]) {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      onUpgrade(request, socket, head).catch((error: unknown) => {
        logger.error({ err: error }, 'upgrade failed');
        socket.destroy();
      });
    });
  }
  app.addHook('preClose', (done) => {
    isStopping = true;
    edge.close();
    tunnels.closeAllPolitely('Cove proxy is restarting');
    forceCloseTimer = setTimeout(() => {
      logger.warn({ openWebSockets: tunnels.openCount }, 'shutdown grace period over; closing connections');
      tunnels.destroyAll();
      app.server.closeAllConnections();
      edge.closeAllConnections();
    }, shutdownGraceMs);
    done();
  });
  app.addHook('onClose', async () => {
    clearTimeout(forceCloseTimer);
    tunnels.destroyAll();
    await httpForwarder.destroy();
    await routes.stop();
    await edge.stop();
    await access.stop();
    await activity.stop();
    await replicaSessions.stop();
    await analytics.stop();
    await queues.close();
  });

  return { app, httpsServer };
}
