// WebSocket upgrades to apps: the browser's upgrade request written on a new connection to the app,
// the app's answer read. A 101 joins the two sockets (WebSocketTunnels pumps the bytes); any other
// answer is relayed to the browser and both connections close. The app's side is read into one
// shared buffer (net's `onread`), which skips the stream machinery on every message: about a third
// less JavaScript per round trip than http-proxy-3's pipes (bench/README.md).
import type { IncomingMessage } from 'node:http';
import { connect, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { requestHead } from './request-head';
import { ResponseReader } from './response-reader';
import { AnswerTimeoutError, type Upstream } from './upstream-pool';
import type { Tunnel, WebSocketTunnels } from './websocket-tunnels';

/**
 * Every app connection reads into this one buffer: reads are handled one at a time on this thread
 * and the bytes are copied before the callback returns, so one buffer serves all (a buffer per
 * connection would cost more memory per held WebSocket than nginx spends in all).
 */
const sharedReadBuffer = Buffer.allocUnsafe(64 * 1024);
const headEnd = Buffer.from('\r\n\r\n');
const maxHeadBytes = 64 * 1024;
const connectTimeoutMs = 10_000;

export interface WebSocketForward {
  request: IncomingMessage;
  client: Duplex;
  /** Bytes the browser sent after its upgrade request: held until the app's 101, dropped without one. */
  head: Buffer;
  upstream: Upstream;
  tunnels: WebSocketTunnels;
  /** The request came from a trusted front proxy: its X-Forwarded-* headers are kept (request-head.ts). */
  isFromTrustedProxy?: boolean;
  /** The app must start its answer to the upgrade within this once connected (default 120 s). */
  answerTimeoutMs?: number;
  /** The app could not be reached or did not answer: the browser still expects an HTTP answer. */
  onError(error: Error): void;
  /** Rewrites the head of the app's 101 (latin1, ending in a blank line) before the browser gets it. */
  adjustAnswerHead?: (head: string) => string;
}

function isWebSocketUpgrade(request: IncomingMessage): boolean {
  return request.method === 'GET' && request.headers.upgrade?.toLowerCase() === 'websocket';
}

/** A body on an upgrade would reach the app as bytes of the WebSocket, or as a request of its own. */
function hasBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

const upgradeWithBodyRefusal =
  'HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: 48\r\n' +
  'connection: close\r\n\r\nA WebSocket upgrade request cannot have a body.\n';

export function forwardWebSocket(forward: WebSocketForward): void {
  const { request, client, tunnels } = forward;
  if (!isWebSocketUpgrade(request)) {
    client.destroy();
    return;
  }
  if (hasBody(request)) {
    client.end(upgradeWithBodyRefusal, () => client.destroy());
    return;
  }
  if (client instanceof Socket) {
    client.setTimeout(0);
    client.setNoDelay(true);
    client.setKeepAlive(true, 0);
  }
  let answerHead: Buffer | null = null;
  let tunnel: Tunnel | undefined;
  let relay: ResponseReader | undefined;
  let isAnswered = false;

  const fail = (error: Error) => {
    if (isAnswered) return;
    isAnswered = true;
    upstream.destroy();
    forward.onError(error);
  };

  /** The app's first bytes: its answer to the upgrade, maybe followed by its first frames. */
  const readAnswer = (bytes: Buffer) => {
    const data = answerHead === null ? Buffer.from(bytes) : Buffer.concat([answerHead, bytes]);
    const end = data.indexOf(headEnd);
    if (end < 0) {
      if (data.length > maxHeadBytes) fail(new Error('the app answered the upgrade with an overlong head'));
      answerHead = data;
      return;
    }
    answerHead = null;
    isAnswered = true;
    upstream.setTimeout(0);
    const statusLine = data.toString('latin1', 0, data.indexOf('\r\n'));
    if (/^HTTP\/1\.1 101(?: |$)/.test(statusLine)) {
      tunnel = tunnels.join(client, upstream);
      if (!tunnel) {
        upstream.destroy();
        return;
      }
      // What the browser sent behind its handshake is WebSocket data only now that the app agreed;
      // written before, an app that refuses would read it as a request the proxy never looked at.
      if (forward.head.length > 0) upstream.write(forward.head);
      // The app's 101 as it sent it (or as adjusted); frames that came with it go on through the tunnel.
      const answer = data.subarray(0, end + headEnd.length);
      const adjust = forward.adjustAnswerHead;
      client.write(adjust ? Buffer.from(adjust(answer.toString('latin1')), 'latin1') : answer);
      const rest = data.subarray(end + headEnd.length);
      if (rest.length > 0 && !tunnel.fromUpstream(rest)) upstream.pause();
      return;
    }
    // Not a WebSocket endpoint: relay the app's answer as it is, then close both sides.
    relay = new ResponseReader(false, {
      onHead: () => {},
      onBody: () => {},
      onEnd: () => {
        client.end();
        upstream.destroy();
      },
    });
    relayBytes(data);
  };

  const relayBytes = (bytes: Buffer) => {
    client.write(bytes);
    try {
      relay?.push(bytes);
    } catch {
      client.destroy();
      upstream.destroy();
    }
  };

  const upstream = connect({
    host: forward.upstream.host,
    port: forward.upstream.port,
    noDelay: true,
    onread: {
      buffer: sharedReadBuffer,
      callback: (bytesRead: number, buffer: Uint8Array) => {
        const bytes = Buffer.from(buffer.buffer, buffer.byteOffset, bytesRead);
        if (tunnel) return tunnel.fromUpstream(bytes);
        if (relay) relayBytes(Buffer.from(bytes));
        else readAnswer(bytes);
        return true;
      },
    },
  });
  const answerTimeoutMs = forward.answerTimeoutMs ?? 120_000;
  upstream.setTimeout(connectTimeoutMs);
  upstream.on('timeout', () =>
    fail(
      upstream.connecting
        ? new Error(`the app did not accept a connection within ${connectTimeoutMs / 1000} s`)
        : new AnswerTimeoutError(answerTimeoutMs),
    ),
  );
  upstream.once('connect', () => {
    // Until the app answers the upgrade (readAnswer clears it): an app that never does is let go.
    upstream.setTimeout(answerTimeoutMs);
    upstream.setKeepAlive(true, 0);
  });
  upstream.on('error', (error) => fail(error));
  upstream.once('close', () => {
    if (!isAnswered) fail(new Error('the app closed the connection before answering the upgrade'));
    else if (!tunnel) client.end();
  });
  // The browser left before the app answered: nothing to keep.
  client.once('close', () => {
    if (!tunnel) upstream.destroy();
  });

  const isFromTrustedProxy = forward.isFromTrustedProxy === true;
  upstream.write(requestHead(request, { isUpgrade: true, isFromTrustedProxy }), 'latin1');
}
