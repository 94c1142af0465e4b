// An HTTP response written straight to a socket, for upgrade requests the proxy answers itself.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ProblemResponse } from '../pages/problems';

export function writeResponseToSocket(socket: Duplex, response: ProblemResponse): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const headers = {
    ...response.headers,
    'content-length': String(Buffer.byteLength(response.body)),
    connection: 'close',
  };
  const head = [
    `HTTP/1.1 ${response.statusCode} ${STATUS_CODES[response.statusCode] ?? ''}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ].join('\r\n');
  socket.end(`${head}\r\n\r\n${response.body}`, () => socket.destroy());
}
