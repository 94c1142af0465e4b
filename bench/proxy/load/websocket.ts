// WebSocket load over raw sockets: the upgrade by hand, then one small masked binary frame in flight
// per connection, counted back by length. Cheap enough that the proxies, not the client, set the pace.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { type Summary, summarize } from '../../lib/stats';
import { inBatches } from '../../lib/wait';
import {
  endOfHead,
  maskedBinaryFrame,
  serverFrameLength,
  statusCodeOf,
  upgradeRequest,
} from '../../lib/websocket-wire';

export interface Endpoint {
  port: number;
  hostHeader: string;
}

export interface OpenedWebSocket {
  socket: Socket;
  setupMs: number;
  /** Bytes that arrived after the 101 answer in the same read. */
  leftover: Buffer;
}

/** Streamlit's WebSocket path; the upstream echoes on any path. */
const streamPath = '/_stcore/stream';
const headLimitBytes = 16_384;

export function openWebSocket(endpoint: Endpoint, timeoutMs = 5_000): Promise<OpenedWebSocket> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const socket = connect({ host: '127.0.0.1', port: endpoint.port, noDelay: true });
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => fail(new Error(`no upgrade answer within ${timeoutMs} ms`)), timeoutMs);

    function detach() {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', fail);
      socket.off('close', onClose);
    }
    function fail(error: Error) {
      detach();
      socket.destroy();
      reject(error);
    }
    function onClose() {
      fail(new Error('connection closed before the upgrade'));
    }
    function onData(chunk: Buffer) {
      received = Buffer.concat([received, chunk]);
      const end = endOfHead(received);
      if (end === -1) {
        if (received.length > headLimitBytes) fail(new Error('upgrade answer head too long'));
        return;
      }
      const status = statusCodeOf(received.subarray(0, end).toString('latin1'));
      if (status !== 101) return fail(new Error(`upgrade answered with status ${status ?? 'none'}`));
      detach();
      resolve({ socket, setupMs: performance.now() - startedAt, leftover: received.subarray(end) });
    }

    socket.once('connect', () =>
      socket.write(upgradeRequest({ hostHeader: endpoint.hostHeader, path: streamPath })),
    );
    socket.on('data', onData);
    socket.once('error', fail);
    socket.once('close', onClose);
  });
}

export interface RoundTripResult {
  connections: number;
  roundTrips: number;
  elapsedSeconds: number;
  roundTripsPerSecond: number;
  latencyMs: Summary;
  /** Connections that broke during the run. */
  errors: number;
}

/** Connections open for round trips; they stay open from one timed window to the next. */
export interface RoundTripConnections {
  opened: OpenedWebSocket[];
  frame: Buffer;
  echoLength: number;
}

export async function openRoundTripConnections(
  endpoint: Endpoint,
  options: { connections: number; payloadBytes: number },
): Promise<RoundTripConnections> {
  const opened = await Promise.all(
    Array.from({ length: options.connections }, () => openWebSocket(endpoint)),
  );
  for (const { socket } of opened) {
    socket.on('error', () => {
      // Counted by the close that follows every socket error.
    });
  }
  return {
    opened,
    frame: maskedBinaryFrame(randomBytes(options.payloadBytes)),
    echoLength: serverFrameLength(options.payloadBytes),
  };
}

export function closeRoundTripConnections(connections: RoundTripConnections): void {
  for (const { socket } of connections.opened) socket.end();
}

/**
 * One timed window on open connections: each sends a frame, waits for its echo, and sends the next,
 * until the deadline. Every connection is idle again when it returns (no frame left in flight).
 */
export async function runRoundTrips(
  connections: RoundTripConnections,
  options: { durationMs: number; maxRoundTrips: number },
): Promise<RoundTripResult> {
  const { opened, frame, echoLength } = connections;
  const latencies: number[] = [];
  let roundTrips = 0;
  let errors = 0;
  const startedAt = performance.now();
  const deadline = startedAt + options.durationMs;

  await Promise.all(
    opened.map(
      (connection) =>
        new Promise<void>((resolve) => {
          const { socket } = connection;
          if (socket.destroyed) {
            errors += 1;
            return resolve();
          }
          // Bytes that came with the 101 answer count once, in the first window.
          let pendingBytes = connection.leftover.length;
          connection.leftover = Buffer.alloc(0);
          let sentAt = 0;
          const finish = () => {
            socket.off('data', onData);
            socket.off('close', onClose);
            resolve();
          };
          const send = () => {
            if (performance.now() >= deadline || roundTrips >= options.maxRoundTrips) return finish();
            sentAt = performance.now();
            socket.write(frame);
          };
          const onData = (chunk: Buffer) => {
            pendingBytes += chunk.length;
            if (pendingBytes < echoLength) return;
            pendingBytes -= echoLength;
            latencies.push(performance.now() - sentAt);
            roundTrips += 1;
            send();
          };
          const onClose = () => {
            errors += 1;
            finish();
          };
          socket.on('data', onData);
          socket.once('close', onClose);
          send();
        }),
    ),
  );
  const elapsedSeconds = (performance.now() - startedAt) / 1_000;
  return {
    connections: opened.length,
    roundTrips,
    elapsedSeconds,
    roundTripsPerSecond: roundTrips / elapsedSeconds,
    latencyMs: summarize(latencies),
    errors,
  };
}

/** Opens connections one after another and times each from TCP connect to the 101 answer. */
export async function measureSetup(
  endpoint: Endpoint,
  options: { count: number; timeLimitMs: number },
): Promise<{ setupMs: Summary; failures: number }> {
  const setupTimes: number[] = [];
  let failures = 0;
  const deadline = performance.now() + options.timeLimitMs;
  for (let index = 0; index < options.count && performance.now() < deadline; index += 1) {
    try {
      const { socket, setupMs } = await openWebSocket(endpoint);
      setupTimes.push(setupMs);
      socket.end();
    } catch {
      failures += 1;
    }
  }
  return { setupMs: summarize(setupTimes), failures };
}

export interface HeldWebSockets {
  opened: number;
  failures: number;
  /** Closes every held connection politely (FIN) and waits until they are all closed. */
  release(): Promise<void>;
}

/** Opens count idle WebSockets, a few at a time, and keeps them open until released. */
export async function holdWebSockets(
  endpoint: Endpoint,
  options: { count: number; concurrency: number },
): Promise<HeldWebSockets> {
  const sockets: Socket[] = [];
  let failures = 0;
  await inBatches(options.count, options.concurrency, async () => {
    try {
      const { socket } = await openWebSocket(endpoint);
      socket.on('error', () => {
        // A held socket reset by the far side only ends the hold early; the count is read before.
      });
      sockets.push(socket);
    } catch {
      failures += 1;
    }
  });
  return {
    opened: sockets.length,
    failures,
    async release() {
      await Promise.all(
        sockets.map(
          (socket) =>
            new Promise<void>((resolve) => {
              if (socket.destroyed) return resolve();
              const timer = setTimeout(() => socket.destroy(), 5_000);
              socket.once('close', () => {
                clearTimeout(timer);
                resolve();
              });
              socket.end();
            }),
        ),
      );
    },
  };
}
