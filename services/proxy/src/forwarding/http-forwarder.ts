// Plain HTTP requests to apps: the request written to a keep-alive connection of the app's pool, the
// answer read by ResponseReader and streamed back as it arrives. It replaced undici's Agent, which
// spent about a third more JavaScript time per proxied page (bench/README.md).
// WebSocket upgrades do not come here (websocket-forwarder.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestHead } from './request-head';
import { type ResponseEvents, type ResponseHead, ResponseReader } from './response-reader';
import {
  AnswerTimeoutError,
  type ConnectionUser,
  type Upstream,
  type UpstreamConnection,
  UpstreamPool,
} from './upstream-pool';

export type { Upstream } from './upstream-pool';

export interface HttpForwarder {
  /**
   * Sends the request to the upstream and streams its answer into `response`. `onError` runs when
   * the app cannot be reached, drops the connection or answers with something that is not HTTP/1.1
   * (not when the browser went away first).
   */
  forward(
    request: IncomingMessage,
    response: ServerResponse,
    upstream: Upstream,
    onError: (error: Error) => void,
    /** Rewrites the answer's headers (name, value, name, value...) before they reach the browser. */
    adjustHeaders?: (headers: string[]) => string[],
  ): void;
  /** Cuts every connection to the apps (the proxy's drain is over by then). */
  destroy(): Promise<void>;
}

/** One forwarded request, from writing it to the app until the browser has the whole answer. */
class ForwardedExchange implements ConnectionUser, ResponseEvents {
  private connection: UpstreamConnection | null = null;
  private reader: ResponseReader;
  private readonly hasBody: boolean;
  /** Only these may be sent again after a failure: the app may have run the request once already. */
  private readonly isIdempotent: boolean;
  private readonly isChunkedBody: boolean;
  private isRequestSent = false;
  private isClientGone = false;
  private isFinished = false;
  private isWaitingForDrain = false;
  private hasRetried = false;
  private isOnReusedConnection = false;

  constructor(
    private readonly pool: UpstreamPool,
    private readonly request: IncomingMessage,
    private readonly response: ServerResponse,
    private readonly upstream: Upstream,
    private readonly reportUpstreamError: (error: Error) => void,
    private readonly isFromTrustedProxy: boolean,
    private readonly bodyIdleTimeoutMs: number,
    private readonly adjustHeaders?: (headers: string[]) => string[],
  ) {
    const headers = request.headers;
    this.isChunkedBody = headers['transfer-encoding'] !== undefined;
    const length = headers['content-length'];
    this.hasBody = this.isChunkedBody || (length !== undefined && length !== '0');
    const method = request.method;
    this.isIdempotent = method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
    this.reader = new ResponseReader(request.method === 'HEAD', this);
    // The browser went away before the answer was complete: stop the app's work on it too.
    response.once('close', () => {
      if (response.writableFinished) return;
      this.isClientGone = true;
      this.finish(false);
    });
  }

  start(): void {
    const connection = this.pool.acquire(this.upstream, this, this.request.socket);
    this.connection = connection;
    this.isOnReusedConnection = connection.isReused;
    // latin1, as Node's parser read it: header bytes above 0x7f reach the app as the browser sent them.
    const head = requestHead(this.request, {
      isChunkedBody: this.isChunkedBody,
      isFromTrustedProxy: this.isFromTrustedProxy,
    });
    connection.socket.write(head, 'latin1');
    if (this.hasBody) this.sendBody(connection);
    else this.onRequestSent(connection);
  }

  /** The whole request is with the app: from now on its answer is timed (the pool's sweep). */
  private onRequestSent(connection: UpstreamConnection): void {
    this.isRequestSent = true;
    if (!this.reader.hasStarted) connection.awaitingAnswerSinceMs = Date.now();
  }

  onData(chunk: Buffer): void {
    try {
      this.reader.push(chunk);
    } catch (error) {
      this.connection?.destroy();
      this.fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  onLost(error: Error): void {
    if (this.isFinished) return;
    this.connection = null;
    // The app closed its side: that ends an answer read until close, or cuts one short.
    if (this.reader.close()) return;
    // A kept-alive connection the app had already closed: the request never reached it. Once more
    // on another connection, when nothing of the request or answer is lost by that and running it
    // twice does no harm (the app may have run it before it dropped the connection).
    if (
      !this.hasRetried &&
      !(error instanceof AnswerTimeoutError) &&
      this.isIdempotent &&
      !this.hasBody &&
      !this.reader.hasStarted &&
      this.isOnReusedConnection
    ) {
      this.hasRetried = true;
      this.start();
      return;
    }
    this.fail(error);
  }

  onHead(head: ResponseHead): void {
    const headers = this.adjustHeaders ? this.adjustHeaders(head.headers) : head.headers;
    if (head.statusMessage) this.response.writeHead(head.statusCode, head.statusMessage, headers);
    else this.response.writeHead(head.statusCode, headers);
  }

  onBody(chunk: Buffer): void {
    if (this.response.write(chunk) || this.isWaitingForDrain) return;
    // The browser reads slower than the app writes: stop reading the app until it catches up.
    this.connection?.socket.pause();
    this.isWaitingForDrain = true;
    this.response.once('drain', () => this.onDrain());
  }

  private onDrain(): void {
    if (!this.isWaitingForDrain) return;
    this.isWaitingForDrain = false;
    this.connection?.socket.resume();
  }

  onEnd(isReusable: boolean): void {
    this.response.end();
    this.finish(isReusable && this.isRequestSent);
  }

  private sendBody(connection: UpstreamConnection): void {
    const { request } = this;
    const socket = connection.socket;
    const onData = (chunk: Buffer) => {
      if (this.connection !== connection) return;
      let isWritable: boolean;
      if (this.isChunkedBody) {
        socket.cork();
        socket.write(`${chunk.length.toString(16)}\r\n`);
        socket.write(chunk);
        isWritable = socket.write('\r\n');
        socket.uncork();
      } else {
        isWritable = socket.write(chunk);
      }
      if (isWritable) return;
      request.pause();
      socket.once('drain', () => request.resume());
    };
    const onEnd = () => {
      // Node has set the keep-alive timeout on a connection whose answer is already over.
      if (!this.response.writableFinished) request.socket.setTimeout(0);
      if (this.connection !== connection) return;
      if (this.isChunkedBody) socket.write('0\r\n\r\n');
      this.onRequestSent(connection);
    };
    // A body that stalls is cut off: the socket's idle timer (one per connection, not per chunk)
    // runs while the body comes; on its expiry Node's server destroys the socket, and the closed
    // response releases the app's connection.
    request.socket.setTimeout(this.bodyIdleTimeoutMs);
    request.on('data', onData);
    request.once('end', onEnd);
  }

  /** Done with the app's connection: back to the pool when it is in step, else closed. */
  private finish(isReusable: boolean): void {
    if (this.isFinished) return;
    this.isFinished = true;
    const connection = this.connection;
    this.connection = null;
    if (!connection) return;
    if (this.isWaitingForDrain) {
      // The answer ended while the browser was still behind: the connection must read again now
      // (the browser's 'drain' may never come, and the listener then finds nothing to resume).
      this.isWaitingForDrain = false;
      connection.socket.resume();
    }
    if (isReusable) this.pool.release(connection, this.request.socket);
    else connection.destroy();
  }

  private fail(error: Error): void {
    if (this.isFinished) return;
    this.finish(false);
    if (this.isClientGone) return;
    // A head the app sent that the browser's side refused (a control byte in a header) may have set
    // the status text already: the error answer must not go out with the app's words.
    if (!this.response.headersSent) this.response.statusMessage = '';
    this.reportUpstreamError(error);
  }
}

export interface HttpForwarderOptions {
  /** Peers (front proxies) whose X-Forwarded-* headers are kept; from anyone else they are replaced. */
  trustedProxyAddresses?: ReadonlySet<string>;
  /** A request body with no byte for this long is cut off (default 30 s). */
  bodyIdleTimeoutMs?: number;
  /** An app with no byte of its answer this long after the whole request fails with AnswerTimeoutError. */
  answerTimeoutMs?: number;
}

export function createHttpForwarder(options: HttpForwarderOptions = {}): HttpForwarder {
  const pool = new UpstreamPool(options.answerTimeoutMs);
  const bodyIdleTimeoutMs = options.bodyIdleTimeoutMs ?? 30_000;
  const trusted = options.trustedProxyAddresses;
  const hasTrusted = trusted !== undefined && trusted.size > 0;
  return {
    forward(request, response, upstream, onError, adjustHeaders) {
      const isFromTrustedProxy = hasTrusted && trusted.has(request.socket.remoteAddress ?? '');
      new ForwardedExchange(
        pool,
        request,
        response,
        upstream,
        onError,
        isFromTrustedProxy,
        bodyIdleTimeoutMs,
        adjustHeaders,
      ).start();
    },
    async destroy() {
      pool.destroyAll();
    },
  };
}
