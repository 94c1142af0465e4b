// The gate in front of private apps: every request and WebSocket upgrade to a private app's host
// needs a live app session cookie for that app. /__cove/auth trades the dashboard's one-minute
// token for that cookie. Public apps' requests never reach past isPrivate(); their WebSockets are
// followed, so those opened without a session close when the app is made private.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { appSessionHash, exchangeAccessToken, readAppSession } from '@cove/shared/access/app-sessions';
import { safeReturnPath } from '@cove/shared/access/return-path';
import { verifyAccessToken } from '@cove/shared/access/tokens';
import { masterKeyRing, type ProxyConfig } from '@cove/shared/config/schemas';
import type { Logger } from '@cove/shared/logs/logger';
import type { Redis } from 'ioredis';
import { admitViewer } from '../forwarding/viewer';
import type { ProblemResponse } from '../pages/problems';
import { createAccessState } from './access-state';
import { appSessionCookie, readAppSessionCookie, stripAppSessionCookie } from './cookies';
import { accessRequired, signedIn, tokenRefused } from './responses';

/** The path on every app host where the proxy, not the app, answers. */
export const exchangePath = '/__cove/auth';

export interface GateTarget {
  appName: string;
  appId: string;
}

export interface AccessGate {
  isPrivate(appId: string): boolean;
  /** null: let the request through (the platform's cookie removed); else the answer to send. */
  checkRequest(request: IncomingMessage, target: GateTarget): Promise<ProblemResponse | null>;
  /**
   * The same for an upgrade, for every app (public ones pass): an admitted socket is closed when
   * its session ends, or, let in without one to a public app, when the app is made private.
   */
  checkUpgrade(request: IncomingMessage, target: GateTarget, socket: Duplex): Promise<ProblemResponse | null>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createAccessGate(options: { config: ProxyConfig; redis: Redis; logger: Logger }): AccessGate {
  const { config, redis, logger } = options;
  const instance = config.COVE_INSTANCE;
  const state = createAccessState({ redis, instance, logger });
  const socketsBySession = new Map<string, Set<Duplex>>();
  const socketsWithoutSession = new Map<string, Set<Duplex>>();

  function follow(sockets: Map<string, Set<Duplex>>, key: string, socket: Duplex): void {
    const followed = sockets.get(key) ?? new Set();
    sockets.set(key, followed);
    followed.add(socket);
    socket.once('close', () => {
      followed.delete(socket);
      if (followed.size === 0 && sockets.get(key) === followed) sockets.delete(key);
    });
  }

  state.onBecamePrivate((appId) => {
    const sockets = socketsWithoutSession.get(appId);
    socketsWithoutSession.delete(appId);
    for (const socket of sockets ?? []) socket.destroy();
    if (sockets?.size)
      logger.info(
        { appId, webSockets: sockets.size },
        'closed WebSockets without a session of an app made private',
      );
  });

  state.onSessionsEnded((hashes) => {
    for (const hash of hashes) {
      const sockets = socketsBySession.get(hash);
      socketsBySession.delete(hash);
      for (const socket of sockets ?? []) socket.destroy();
      if (sockets?.size)
        logger.info({ webSockets: sockets.size }, 'closed WebSockets of an ended app session');
    }
  });

  /** The session hash when the request carries a live session for this very app. */
  async function admittedSession(request: IncomingMessage, target: GateTarget): Promise<string | null> {
    const cookie = readAppSessionCookie(request.headers);
    if (cookie === null) return null;
    const session = await readAppSession(redis, instance, cookie);
    if (session === null || session.appId !== target.appId) return null;
    stripAppSessionCookie(request.headers);
    admitViewer(request, session.email);
    return appSessionHash(cookie);
  }

  async function exchange(request: IncomingMessage, target: GateTarget): Promise<ProblemResponse> {
    const query = new URL(request.url ?? '/', 'http://app.invalid').searchParams;
    const returnPath = safeReturnPath(query.get('return'));
    const refuse = (reason: string) => {
      logger.info({ app: target.appName, reason }, 'app sign-in link refused');
      return tokenRefused(request.headers.accept, {
        dashboardUrl: config.COVE_DASHBOARD_URL,
        appName: target.appName,
        returnPath,
      });
    };
    const check = verifyAccessToken(query.get('token') ?? '', masterKeyRing(config), {
      appName: target.appName,
    });
    if (!check.isValid) return refuse(check.reason);
    if (check.claims.appId !== target.appId) return refuse('wrong_app');
    const outcome = await exchangeAccessToken(redis, instance, check.claims);
    if (outcome.kind !== 'ok') return refuse(outcome.kind);
    logger.info({ app: target.appName, userId: outcome.session.userId }, 'app session started');
    const cookie = appSessionCookie(outcome.cookieValue, outcome.session.expiresAtMs, {
      isSecure: config.COVE_APPS_SCHEME === 'https',
    });
    return signedIn(returnPath, cookie);
  }

  function refusal(request: IncomingMessage, target: GateTarget): ProblemResponse {
    return accessRequired(
      { method: request.method, accept: request.headers.accept, url: safeReturnPath(request.url) },
      { dashboardUrl: config.COVE_DASHBOARD_URL, appName: target.appName },
    );
  }

  return {
    isPrivate: (appId) => state.isPrivate(appId),
    async checkRequest(request, target) {
      const path = (request.url ?? '/').split('?')[0];
      if (path === exchangePath) return exchange(request, target);
      return (await admittedSession(request, target)) === null ? refusal(request, target) : null;
    },
    async checkUpgrade(request, target, socket) {
      const isPublic = !state.isPrivate(target.appId);
      // A public app's visitor without a cookie costs no Redis read.
      const hash =
        isPublic && readAppSessionCookie(request.headers) === null
          ? null
          : await admittedSession(request, target);
      if (hash !== null) {
        follow(socketsBySession, hash, socket);
        return null;
      }
      // Checked again: the app may have been made private while the session was read.
      if (!isPublic || state.isPrivate(target.appId)) return refusal(request, target);
      follow(socketsWithoutSession, target.appId, socket);
      return null;
    },
    start: () => state.start(),
    stop: () => state.stop(),
  };
}
