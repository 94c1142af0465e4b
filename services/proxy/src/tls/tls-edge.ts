// The proxy's TLS edge, before an app is looked up: the HTTPS listener (SNI from the certificate
// cache, modern TLS only), the CA's HTTP-01 challenge on plain HTTP, the 308 to HTTPS for a host
// with a certificate, HSTS on HTTPS answers, and the dashboard's host forwarded to the dashboard.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { masterKeyRing, type ProxyConfig } from '@cove/shared/config/schemas';
import type { Logger } from '@cove/shared/logs/logger';
import type { Redis } from 'ioredis';
import type { HttpForwarder } from '../forwarding/http-forwarder';
import { isEncrypted } from '../forwarding/request-head';
import { writeResponseToSocket } from '../forwarding/socket-response';
import { forwardWebSocket } from '../forwarding/websocket-forwarder';
import type { WebSocketTunnels } from '../forwarding/websocket-tunnels';
import { limitConnectionsPerAddress } from '../limits/connection-limits';
import { problemResponse } from '../pages/problems';
import { answerAcmeChallenge, isAcmeChallenge } from './acme-challenge';
import { type CertificateCache, createCertificateCache } from './certificate-cache';
import { dashboardForwarding, httpsRedirectLocation } from './edge';
import { modernTlsOptions, strictTransportSecurity } from './tls-settings';

export interface TlsEdge {
  /** The TLS listener (not yet listening), when COVE_PROXY_HTTPS_PORT is set. */
  httpsServer: Server | null;
  /** Handles the request when it belongs to the edge; false leaves it to the app routing. */
  handleRequest(request: IncomingMessage, response: ServerResponse): boolean;
  /** Takes a WebSocket for the dashboard's host; false leaves it to the app routing. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  start(): Promise<void>;
  close(): void;
  closeAllConnections(): void;
  stop(): Promise<void>;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function createTlsEdge(options: {
  config: ProxyConfig;
  redis: Redis;
  logger: Logger;
  httpForwarder: HttpForwarder;
  tunnels: WebSocketTunnels;
  trustedProxyAddresses: ReadonlySet<string>;
  answerTimeoutMs: number;
  /** The whole request handler (edge, then apps), which the HTTPS listener serves too. */
  serve(request: IncomingMessage, response: ServerResponse): void;
}): TlsEdge {
  const { config, redis, logger, httpForwarder, tunnels, trustedProxyAddresses } = options;
  const certificates: CertificateCache | null =
    config.COVE_PROXY_HTTPS_PORT === undefined
      ? null
      : createCertificateCache({
          redis,
          instance: config.COVE_INSTANCE,
          masterKeys: masterKeyRing(config),
          logger,
        });
  const hsts = strictTransportSecurity(config.COVE_HSTS_MAX_AGE_SECONDS);
  const dashboard = dashboardForwarding(config);
  const unreachable = (request: IncomingMessage) =>
    problemResponse(
      { kind: 'upstream_unreachable', appName: 'the dashboard' },
      { dashboardUrl: config.COVE_DASHBOARD_URL, acceptHeader: request.headers.accept },
    );

  const httpsServer =
    certificates === null
      ? null
      : createHttpsServer(
          {
            ...modernTlsOptions,
            // A name with no certificate gets no handshake (the client sees a TLS alert).
            SNICallback: (serverName, callback) => callback(null, certificates.contextFor(serverName)),
            headersTimeout: config.COVE_PROXY_HEADERS_TIMEOUT_SECONDS * 1000,
            requestTimeout: config.COVE_PROXY_REQUEST_TIMEOUT_SECONDS * 1000,
            keepAliveTimeout: 72_000,
          },
          options.serve,
        );
  if (httpsServer !== null) {
    httpsServer.maxConnections = config.COVE_PROXY_MAX_CONNECTIONS;
    limitConnectionsPerAddress(
      httpsServer,
      {
        maxPerAddress: config.COVE_PROXY_MAX_CONNECTIONS_PER_ADDRESS,
        exemptAddresses: trustedProxyAddresses,
      },
      logger,
    );
    // A handshake that fails (an unknown name, an old protocol) is the client's problem, not ours.
    httpsServer.on('tlsClientError', (error) =>
      logger.debug({ error: errorMessage(error) }, 'TLS handshake failed'),
    );
  }

  return {
    httpsServer,
    handleRequest(request, response) {
      const isHttps = isEncrypted(request);
      if (!isHttps && isAcmeChallenge(request)) {
        answerAcmeChallenge(request, response, redis, config.COVE_INSTANCE, logger);
        return true;
      }
      if (!isHttps && certificates !== null && config.COVE_PROXY_REDIRECT_TO_HTTPS) {
        const location = httpsRedirectLocation(request, certificates, config);
        if (location !== null) {
          response.writeHead(308, { location, 'content-length': '0', 'cache-control': 'no-store' }).end();
          return true;
        }
      }
      if (isHttps) response.setHeader('strict-transport-security', hsts);
      if (dashboard?.isFor(request.headers.host) !== true) return false;
      httpForwarder.forward(request, response, dashboard.upstream, (error) => {
        logger.warn({ error: errorMessage(error), method: request.method }, 'request to dashboard failed');
        if (response.headersSent) {
          response.destroy();
          return;
        }
        const problem = unreachable(request);
        response.writeHead(problem.statusCode, problem.headers).end(problem.body);
      });
      return true;
    },
    handleUpgrade(request, socket, head) {
      if (dashboard?.isFor(request.headers.host) !== true) return false;
      tunnels.track(socket);
      forwardWebSocket({
        request,
        client: socket,
        head,
        upstream: dashboard.upstream,
        tunnels,
        isFromTrustedProxy: trustedProxyAddresses.has(request.socket.remoteAddress ?? ''),
        answerTimeoutMs: options.answerTimeoutMs,
        onError: (error) => {
          logger.warn({ error: errorMessage(error), websocket: true }, 'websocket to dashboard failed');
          if (!tunnels.isUpgraded(socket)) writeResponseToSocket(socket, unreachable(request));
        },
      });
      return true;
    },
    start: async () => certificates?.start(),
    close: () => httpsServer?.close(),
    closeAllConnections: () => httpsServer?.closeAllConnections(),
    stop: async () => certificates?.stop(),
  };
}
