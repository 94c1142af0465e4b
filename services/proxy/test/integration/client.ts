// Requests to the proxy as a browser would send them to <name>.localhost: Node does not resolve
// *.localhost, so connect to 127.0.0.1 and set the Host header.
import { type ClientRequest, request as httpRequest } from 'node:http';
import WebSocket from 'ws';

export const browserAccept = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

export interface ProxyResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function send(
  proxyPort: number,
  host: string,
  path: string,
  options: { method?: string; accept?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<ProxyResponse> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port: proxyPort,
        path,
        method: options.method ?? 'GET',
        agent: false,
        headers: { host, ...(options.accept ? { accept: options.accept } : {}), ...options.headers },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    // A bound, not an assertion: a hung answer fails the test instead of stalling it.
    request.setTimeout(10_000, () => request.destroy(new Error('no answer from the proxy')));
    request.end(options.body);
  });
}

/** Starts a request and leaves it open; the caller aborts it. */
export function startRequest(proxyPort: number, host: string, path: string): ClientRequest {
  const request = httpRequest({ host: '127.0.0.1', port: proxyPort, path, agent: false, headers: { host } });
  request.on('error', () => {});
  request.end();
  return request;
}

export function openWebSocket(proxyPort: number, host: string, path = '/_stcore/stream'): WebSocket {
  return new WebSocket(`ws://127.0.0.1:${proxyPort}${path}`, { headers: { host } });
}

export function waitForOpen(socket: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
}

/** The status of a refused upgrade, from ws's 'unexpected-response'. */
export function refusedUpgradeStatus(socket: WebSocket): Promise<number> {
  return new Promise((resolve, reject) => {
    // With this listener, ws leaves the refused request to us: read the answer, then drop it.
    socket.on('error', () => {});
    socket.once('unexpected-response', (request, response) => {
      resolve(response.statusCode ?? 0);
      response.resume();
      response.once('end', () => request.destroy());
    });
    socket.once('open', () => reject(new Error('the upgrade was accepted')));
  });
}

export function nextMessage(socket: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve) => {
    socket.once('message', (data, isBinary) => {
      const buffer = Buffer.isBuffer(data)
        ? data
        : Array.isArray(data)
          ? Buffer.concat(data)
          : Buffer.from(data);
      resolve({ data: buffer, isBinary });
    });
  });
}

export function closeEvent(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => {
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') }));
  });
}
