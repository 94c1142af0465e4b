// A real TLS client for the proxy's HTTPS listener: connects to 127.0.0.1 with the host as the
// server name (SNI) and Host, trusting only the CA given, and reports what the handshake showed.
import { request } from 'node:https';
import type { LookupFunction } from 'node:net';
import { connect, type PeerCertificate, TLSSocket } from 'node:tls';
import WebSocket from 'ws';

export interface TlsResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  certificate: PeerCertificate;
  protocol: string | null;
}

export function httpsGet(port: number, host: string, path: string, ca: string): Promise<TlsResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        servername: host,
        headers: { host },
        ca,
        agent: false,
        timeout: 10_000,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => {
          const socket = response.socket;
          if (!(socket instanceof TLSSocket)) {
            reject(new Error('the answer did not come over TLS'));
            return;
          }
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body,
            certificate: socket.getPeerCertificate(),
            protocol: socket.getProtocol(),
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from https://${host}${path}`)));
    req.on('error', reject);
    req.end();
  });
}

/** Tries a handshake limited to one protocol version; resolves with the error, or null if it worked. */
export function handshakeError(
  port: number,
  host: string,
  options: {
    ca: string;
    maxVersion: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
    minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2';
  },
): Promise<{ error: Error | null; protocol: string | null }> {
  return new Promise((resolve) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      servername: host,
      ca: options.ca,
      maxVersion: options.maxVersion,
      minVersion: options.minVersion ?? 'TLSv1',
      // Node's own floor would refuse old versions before the server could.
      ciphers: 'DEFAULT:@SECLEVEL=0',
    });
    socket.once('secureConnect', () => {
      const protocol = socket.getProtocol();
      socket.end();
      resolve({ error: null, protocol });
    });
    socket.once('error', (error) => resolve({ error, protocol: null }));
  });
}

/** Every name is 127.0.0.1 (Node does not resolve the test domains), so the URL keeps the real host. */
const toLoopback: LookupFunction = (_hostname, options, callback) => {
  if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

export function openSecureWebSocket(
  port: number,
  host: string,
  ca: string,
  path = '/_stcore/stream',
): WebSocket {
  return new WebSocket(`wss://${host}:${port}${path}`, { ca, lookup: toLoopback });
}
