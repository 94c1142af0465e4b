// The rude traffic a public proxy sees: requests abandoned before the answer, WebSockets dropped
// without a close frame. After it, a healthy proxy holds what it held before.
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { inBatches } from '../../lib/wait';
import { maskedBinaryFrame, serverFrameLength } from '../../lib/websocket-wire';
import { type Endpoint, openWebSocket } from './websocket';

/** Asks for the upstream's slow page and hangs up before it comes: half with FIN, half with RST. */
export async function abortRequests(
  endpoint: Endpoint,
  options: { count: number; concurrency: number; abortAfterMs: number },
): Promise<{ sent: number }> {
  let sent = 0;
  await inBatches(options.count, options.concurrency, (index) => {
    return new Promise<void>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: endpoint.port, noDelay: true });
      const guard = setTimeout(() => socket.destroy(), 5_000);
      socket.on('error', () => {
        // Expected: the connection is being thrown away.
      });
      socket.once('close', () => {
        clearTimeout(guard);
        resolve();
      });
      socket.once('connect', () => {
        socket.write(`GET /slow HTTP/1.1\r\nHost: ${endpoint.hostHeader}\r\nAccept: text/html\r\n\r\n`);
        sent += 1;
        setTimeout(
          () => (index % 2 === 0 ? socket.destroy() : socket.resetAndDestroy()),
          options.abortAfterMs,
        );
      });
    });
  });
  return { sent };
}

/** Opens a WebSocket, exchanges one frame, then cuts the TCP connection with no close frame. */
export async function dropWebSockets(
  endpoint: Endpoint,
  options: { count: number; concurrency: number },
): Promise<{ dropped: number; failures: number }> {
  const payload = randomBytes(16);
  const frame = maskedBinaryFrame(payload);
  const echoLength = serverFrameLength(payload.length);
  let dropped = 0;
  let failures = 0;
  await inBatches(options.count, options.concurrency, async (index) => {
    try {
      const { socket, leftover } = await openWebSocket(endpoint);
      socket.on('error', () => {
        // Expected: the connection is being thrown away.
      });
      await new Promise<void>((resolve) => {
        let receivedBytes = leftover.length;
        const guard = setTimeout(resolve, 1_000);
        socket.on('data', (chunk: Buffer) => {
          receivedBytes += chunk.length;
          if (receivedBytes >= echoLength) {
            clearTimeout(guard);
            resolve();
          }
        });
        socket.write(frame);
      });
      if (index % 2 === 0) socket.destroy();
      else socket.resetAndDestroy();
      dropped += 1;
    } catch {
      failures += 1;
    }
  });
  return { dropped, failures };
}
