// A stand-in for an app's container on 127.0.0.1: answers HTTP with what it received, echoes
// WebSocket messages, and can hold requests open to observe what the proxy does with them.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';

export interface TestUpstream {
  name: string;
  port: number;
  /** Requests to /hold/* that have not finished (closed or answered) yet. */
  heldRequests: Set<IncomingMessage>;
  /** Answers every held request with 200 and the given text. */
  releaseHeld(text: string): void;
  /** TCP connections open to it now (the proxy's). */
  openConnections(): number;
  /** WebSockets open to it now. */
  webSocketCount(): number;
  /** The headers of every WebSocket handshake it accepted, oldest first. */
  upgradeHeaders: IncomingHttpHeaders[];
  /** Drops every WebSocket without a close frame, as a container that is stopped does. */
  dropWebSockets(): void;
  close(): Promise<void>;
}

export async function startUpstream(name: string): Promise<TestUpstream> {
  const heldRequests = new Set<IncomingMessage>();
  const heldResponses = new Map<IncomingMessage, ServerResponse>();
  const server = createServer((request, response) => {
    if (request.url?.startsWith('/hold/')) {
      heldRequests.add(request);
      heldResponses.set(request, response);
      response.once('close', () => {
        heldRequests.delete(request);
        heldResponses.delete(request);
      });
      return;
    }
    if (request.url === '/set-cookies') {
      // An app that tries to write the proxy's cookies (replica pin, visitor id) beside one of its own.
      response.writeHead(200, {
        'content-type': 'text/plain',
        'set-cookie': [
          'cove_replica=chosen-by-the-app; Path=/',
          'cove_visitor=chosen-by-the-app; Path=/',
          'own=1; Path=/',
        ],
      });
      response.end(name);
      return;
    }
    if (request.url === '/reset') {
      // Starts an answer, then drops the connection halfway through it.
      response.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1000' });
      response.write('partial', () => request.socket.destroy());
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          upstream: name,
          method: request.method,
          url: request.url,
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
  });
  const connections = new Set<Socket>();
  server.on('connection', (socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });
  const sockets = new WebSocketServer({ server });
  const upgradeHeaders: IncomingHttpHeaders[] = [];
  sockets.on('connection', (socket, request) => {
    upgradeHeaders.push(request.headers);
    socket.on('message', (data, isBinary) => {
      if (!isBinary && data.toString() === 'close please') socket.close(4000, 'asked to close');
      else socket.send(data, { binary: isBinary });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('upstream has no port');
  return {
    name,
    port: (address satisfies AddressInfo).port,
    heldRequests,
    releaseHeld(text) {
      for (const response of heldResponses.values()) response.end(text);
    },
    openConnections: () => connections.size,
    webSocketCount: () => sockets.clients.size,
    upgradeHeaders,
    dropWebSockets() {
      for (const client of sockets.clients) client.terminate();
    },
    async close() {
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port on 127.0.0.1 where nothing listens (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}
