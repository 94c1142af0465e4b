// Keep-alive connections to the apps: each kept for the client connection that used it last (see
// ClientConnection), closed after a few idle seconds so a burst of requests leaves no descriptors behind.
import { connect, type Socket } from 'node:net';

export type Upstream = { host: string; port: number };

/** What a connection hands the bytes it reads to: the exchange it currently carries. */
export interface ConnectionUser {
  onData(chunk: Buffer): void;
  /** The connection ended or failed while this user held it. */
  onLost(error: Error): void;
}

/** Idle connections to an app close after this (Tornado keeps them an hour; we need not). */
const idleTimeoutMs = 4_000;
/** A connection the app does not accept within this is given up (a vanished container's address). */
const connectTimeoutMs = 10_000;

export class UpstreamConnection {
  user: ConnectionUser | null = null;
  idleSinceMs = 0;
  /** When the whole request was written and no byte of the answer has come yet; 0 otherwise. */
  awaitingAnswerSinceMs = 0;
  /** Set once the connection has carried an answer: a failure before any byte may be a stale socket. */
  isReused = false;

  constructor(
    readonly socket: Socket,
    readonly key: string,
    private readonly onGone: (connection: UpstreamConnection) => void,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.awaitingAnswerSinceMs = 0;
      if (this.user) this.user.onData(chunk);
      else socket.destroy(); // an idle connection the app speaks on is out of step
    });
    socket.on('end', () => this.lose(new UpstreamClosedError()));
    socket.on('error', (error: Error) => this.lose(error));
    socket.on('close', () => this.lose(new UpstreamClosedError()));
  }

  destroy(): void {
    this.socket.destroy();
  }

  private lose(error: Error): void {
    this.socket.destroy();
    const user = this.user;
    this.user = null;
    this.onGone(this);
    user?.onLost(error);
  }
}

export class UpstreamClosedError extends Error {
  readonly code = 'COVE_UPSTREAM_CLOSED';
  constructor() {
    super('the app closed the connection');
  }
}

/**
 * A client connection (the browser's socket): an upstream connection it used is kept for its next
 * request only. An app that writes after its answer (a second, unrequested answer; a body on HEAD)
 * then at worst misleads the same visitor's next request, never another visitor's.
 */
export type ClientConnection = Pick<Socket, 'once'>;

/** The app sent no byte of its answer within the answer timeout. */
export class AnswerTimeoutError extends Error {
  readonly code = 'COVE_ANSWER_TIMEOUT';
  constructor(waitedMs: number) {
    super(`the app sent no answer within ${waitedMs / 1000} s`);
  }
}

export class UpstreamPool {
  private readonly keptFor = new WeakMap<ClientConnection, UpstreamConnection>();
  private readonly open = new Set<UpstreamConnection>();
  private readonly sweeper: NodeJS.Timeout;

  /**
   * One sweep of the open connections closes idle ones and those whose app is past
   * `answerTimeoutMs` (no timer per request: the sweep runs at a tenth of it, at most each second).
   */
  constructor(private readonly answerTimeoutMs = 120_000) {
    const sweepMs = Math.min(Math.max(answerTimeoutMs / 10, 20), 1_000);
    this.sweeper = setInterval(() => this.sweep(Date.now()), sweepMs);
    this.sweeper.unref();
  }

  /** The connection `client` used last, when it is idle and to the same upstream; else a new one. */
  acquire(upstream: Upstream, user: ConnectionUser, client: ClientConnection): UpstreamConnection {
    const key = `${upstream.host}:${upstream.port}`;
    const kept = this.keptFor.get(client);
    let connection: UpstreamConnection;
    if (kept !== undefined && kept.user === null && kept.key === key && !kept.socket.destroyed) {
      connection = kept;
    } else {
      if (kept === undefined) {
        // Once per client connection: when it closes, so does the connection kept for it.
        client.once('close', () => {
          const last = this.keptFor.get(client);
          if (last !== undefined && last.user === null) last.destroy();
        });
      } else if (kept.user === null) {
        kept.destroy(); // kept for another app this client no longer asks
      }
      connection = this.connect(upstream, key);
      this.keptFor.set(client, connection);
    }
    connection.user = user;
    connection.idleSinceMs = 0;
    connection.awaitingAnswerSinceMs = 0;
    return connection;
  }

  /** The connection carried a whole answer and may carry the client's next request. */
  release(connection: UpstreamConnection, client: ClientConnection): void {
    connection.user = null;
    // Another connection took its place (pipelined requests), or bytes beyond the answer are waiting.
    if (this.keptFor.get(client) !== connection || connection.socket.readableLength > 0) {
      connection.destroy();
      return;
    }
    connection.isReused = true;
    connection.idleSinceMs = Date.now();
  }

  destroyAll(): void {
    clearInterval(this.sweeper);
    for (const connection of this.open) connection.destroy();
  }

  private connect(upstream: Upstream, key: string): UpstreamConnection {
    const socket = connect({ host: upstream.host, port: upstream.port, noDelay: true });
    socket.setTimeout(connectTimeoutMs, () =>
      socket.destroy(new Error(`the app did not accept a connection within ${connectTimeoutMs / 1000} s`)),
    );
    socket.once('connect', () => socket.setTimeout(0));
    const connection = new UpstreamConnection(socket, key, (gone) => this.open.delete(gone));
    this.open.add(connection);
    return connection;
  }

  private sweep(nowMs: number): void {
    const idleBeforeMs = nowMs - idleTimeoutMs;
    const askedBeforeMs = nowMs - this.answerTimeoutMs;
    for (const connection of this.open) {
      if (connection.user === null) {
        if (connection.idleSinceMs > 0 && connection.idleSinceMs < idleBeforeMs) connection.destroy();
      } else if (connection.awaitingAnswerSinceMs > 0 && connection.awaitingAnswerSinceMs <= askedBeforeMs) {
        connection.socket.destroy(new AnswerTimeoutError(this.answerTimeoutMs));
      }
    }
  }
}
