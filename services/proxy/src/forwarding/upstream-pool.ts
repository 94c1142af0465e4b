// Keep-alive connections to the apps: one list of idle sockets per upstream, reused newest first,
// closed after a few idle seconds so a burst of requests leaves no descriptors behind.
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
  /** Set once the connection has carried an answer: a failure before any byte may be a stale socket. */
  isReused = false;

  constructor(
    readonly socket: Socket,
    readonly key: string,
    private readonly onGone: (connection: UpstreamConnection) => void,
  ) {
    socket.on('data', (chunk: Buffer) => {
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

export class UpstreamPool {
  private readonly idle = new Map<string, UpstreamConnection[]>();
  private readonly open = new Set<UpstreamConnection>();
  private readonly sweeper: NodeJS.Timeout;

  constructor() {
    this.sweeper = setInterval(() => this.closeIdle(Date.now() - idleTimeoutMs), 1_000);
    this.sweeper.unref();
  }

  /** An idle connection to `upstream` (newest first), else a new one. */
  acquire(upstream: Upstream, user: ConnectionUser): UpstreamConnection {
    const key = `${upstream.host}:${upstream.port}`;
    const connection = this.idle.get(key)?.pop() ?? this.connect(upstream, key);
    connection.user = user;
    return connection;
  }

  /** The connection carried a whole answer and may carry the next request. */
  release(connection: UpstreamConnection): void {
    connection.user = null;
    connection.isReused = true;
    connection.idleSinceMs = Date.now();
    const list = this.idle.get(connection.key);
    if (list) list.push(connection);
    else this.idle.set(connection.key, [connection]);
  }

  destroyAll(): void {
    clearInterval(this.sweeper);
    for (const connection of this.open) connection.destroy();
    this.idle.clear();
  }

  private connect(upstream: Upstream, key: string): UpstreamConnection {
    const socket = connect({ host: upstream.host, port: upstream.port, noDelay: true });
    socket.setTimeout(connectTimeoutMs, () =>
      socket.destroy(new Error(`the app did not accept a connection within ${connectTimeoutMs / 1000} s`)),
    );
    socket.once('connect', () => socket.setTimeout(0));
    const connection = new UpstreamConnection(socket, key, (gone) => this.forget(gone));
    this.open.add(connection);
    return connection;
  }

  private forget(connection: UpstreamConnection): void {
    if (!this.open.delete(connection)) return;
    const list = this.idle.get(connection.key);
    const index = list?.indexOf(connection) ?? -1;
    if (list && index >= 0) list.splice(index, 1);
    if (list?.length === 0) this.idle.delete(connection.key);
  }

  private closeIdle(idleBeforeMs: number): void {
    for (const list of this.idle.values()) {
      // Oldest first: the list is in release order. Taken off the list now; the socket closes later.
      while (list.length > 0 && (list[0]?.idleSinceMs ?? 0) < idleBeforeMs) list.shift()?.destroy();
    }
  }
}
