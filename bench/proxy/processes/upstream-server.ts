// The app behind every path: a Node http + ws server answering like a Streamlit container (the page
// shell, a health check, a slow page for abort tests, an echoing WebSocket). Runs in its own process.
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { onParentMessage, tellParent } from './messages';
import { pageShellHeaders, pageShellHtml } from './page-shell';

/** Long enough that an aborted request is still running upstream when the abort arrives. */
const slowAnswerMs = 300;

const stats = { openRequests: 0, slowArrived: 0, slowAnswered: 0, slowCancelled: 0, openWebSockets: 0 };

const server = createServer((request, response) => {
  stats.openRequests += 1;
  response.once('close', () => {
    stats.openRequests -= 1;
  });
  if (request.url === '/_stcore/health') {
    response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    return;
  }
  if (request.url === '/slow') {
    stats.slowArrived += 1;
    const timer = setTimeout(() => {
      stats.slowAnswered += 1;
      response.writeHead(200, pageShellHeaders).end(pageShellHtml);
    }, slowAnswerMs);
    response.once('close', () => {
      if (response.writableFinished) return;
      clearTimeout(timer);
      stats.slowCancelled += 1;
    });
    return;
  }
  response.writeHead(200, pageShellHeaders).end(pageShellHtml);
});
// Like Tornado (an hour by default), idle keep-alive connections stay open and no Keep-Alive
// header is sent. Node's own 5 s would also be fine, but a short hint such as timeout=1 makes
// Node's Agent refuse to reuse connections, which would measure connection set-up instead.
server.keepAliveTimeout = 0;

const sockets = new WebSocketServer({ noServer: true, perMessageDeflate: false });
server.on('upgrade', (request, socket, head) => {
  sockets.handleUpgrade(request, socket, head, (webSocket) => {
    stats.openWebSockets += 1;
    webSocket.on('message', (data, isBinary) => webSocket.send(data, { binary: isBinary }));
    webSocket.on('error', () => webSocket.terminate());
    webSocket.once('close', () => {
      stats.openWebSockets -= 1;
    });
  });
});

onParentMessage((message) => {
  if (message.type === 'stats') tellParent({ type: 'stats', stats: { ...stats } });
});

server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, () => {
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('upstream has no port');
  tellParent({ type: 'ready', port: address.port });
});

process.once('SIGTERM', () => {
  for (const client of sockets.clients) client.terminate();
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
