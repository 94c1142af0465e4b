// The request line and headers the proxy writes to an app, for plain requests and WebSocket upgrades.
import type { IncomingMessage } from 'node:http';
import { connectionTokens, hopByHopHeaders } from './response-reader';
import { viewerEmailHeader, viewerEmailOf } from './viewer';

/** Headers the proxy writes itself. */
const forwardedForHeaders = new Set([
  'x-forwarded-for',
  'x-forwarded-port',
  'x-forwarded-proto',
  'x-forwarded-host',
  viewerEmailHeader,
]);

/** The port a Host header names ("[::1]:8080" included), the scheme's default when it names none. */
function portOf(host: string, defaultPort: string): string {
  const colon = host.lastIndexOf(':');
  return colon > host.lastIndexOf(']') && colon < host.length - 1 ? host.slice(colon + 1) : defaultPort;
}

/** Whether the client's connection is TLS (the proxy's HTTPS listener). */
export function isEncrypted(request: IncomingMessage): boolean {
  return 'encrypted' in request.socket && request.socket.encrypted === true;
}

function appended(existing: string | string[] | undefined, value: string): string {
  const text = Array.isArray(existing) ? existing.join(',') : existing;
  return text ? `${text},${value}` : value;
}

function firstOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The client's headers with X-Forwarded-For/-Port/-Proto/-Host set from the connection and its Host
 * header: the proxy is the edge, so what a client claims there is dropped (an app building links
 * from X-Forwarded-Host would otherwise be misled). Only a request from a trusted front proxy
 * (`isFromTrustedProxy`) keeps its values: its X-Forwarded-For gets the peer appended, the others
 * stay as it set them. The viewer's e-mail is the gate's (viewer.ts), never the client's. A plain request loses the headers for this hop (and every name `Connection`
 * lists); an upgrade keeps them all, since they are the handshake. Node's parser has already refused
 * CR and LF in every part. Write it as latin1, the encoding Node read it in.
 */
export function requestHead(
  request: IncomingMessage,
  options: { isChunkedBody?: boolean; isUpgrade?: boolean; isFromTrustedProxy?: boolean },
): string {
  const source = request.headers;
  const isChunkedBody = options.isChunkedBody === true;
  const isUpgrade = options.isUpgrade === true;
  const named = isUpgrade ? null : connectionTokens(source.connection);
  let head = `${request.method ?? 'GET'} ${request.url ?? '/'} HTTP/1.1\r\n`;
  for (const name in source) {
    if (forwardedForHeaders.has(name) || named?.has(name)) continue;
    if (!isUpgrade && hopByHopHeaders.has(name)) continue;
    // The body is re-framed as chunks; a length beside them would contradict them.
    if (isChunkedBody && name === 'content-length') continue;
    const value = source[name];
    if (Array.isArray(value)) for (const item of value) head += `${name}: ${item}\r\n`;
    else if (value !== undefined) head += `${name}: ${value}\r\n`;
  }
  const host = source.host ?? '';
  const peer = request.socket.remoteAddress ?? '';
  const isTls = isEncrypted(request);
  const proto = isUpgrade ? (isTls ? 'wss' : 'ws') : isTls ? 'https' : 'http';
  const defaultPort = isTls ? '443' : '80';
  if (options.isFromTrustedProxy === true) {
    head += `x-forwarded-for: ${appended(source['x-forwarded-for'], peer)}\r\n`;
    head += `x-forwarded-port: ${firstOf(source['x-forwarded-port']) || portOf(host, defaultPort)}\r\n`;
    head += `x-forwarded-proto: ${firstOf(source['x-forwarded-proto']) || proto}\r\n`;
    head += `x-forwarded-host: ${firstOf(source['x-forwarded-host']) || host}\r\n`;
  } else {
    head += `x-forwarded-for: ${peer}\r\nx-forwarded-port: ${portOf(host, defaultPort)}\r\n`;
    head += `x-forwarded-proto: ${proto}\r\nx-forwarded-host: ${host}\r\n`;
  }
  const viewer = viewerEmailOf(request);
  if (viewer !== undefined) head += `${viewerEmailHeader}: ${viewer}\r\n`;
  if (isChunkedBody) head += 'transfer-encoding: chunked\r\n';
  return `${head}\r\n`;
}
