// Just enough of RFC 6455 to drive thousands of WebSockets from one process cheaply: the upgrade
// request, a pre-built masked binary frame, and reading the 101 answer. The load generator must
// cost less than what it measures, so it never parses frames it can count by length.
import { randomBytes } from 'node:crypto';

export function upgradeRequest(options: { hostHeader: string; path: string }): string {
  return [
    `GET ${options.path} HTTP/1.1`,
    `Host: ${options.hostHeader}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
    '',
    '',
  ].join('\r\n');
}

/** A single unfragmented binary frame from a client (clients must mask), payload under 126 bytes. */
export function maskedBinaryFrame(payload: Buffer, mask: Buffer = randomBytes(4)): Buffer {
  if (payload.length >= 126) throw new RangeError('payload must be under 126 bytes');
  if (mask.length !== 4) throw new RangeError('mask must be 4 bytes');
  const frame = Buffer.alloc(2 + 4 + payload.length);
  frame[0] = 0x82; // FIN + binary
  frame[1] = 0x80 | payload.length; // masked + length
  mask.copy(frame, 2);
  for (let index = 0; index < payload.length; index += 1) {
    frame[6 + index] = (payload[index] ?? 0) ^ (mask[index % 4] ?? 0);
  }
  return frame;
}

/** How many bytes the server's unmasked echo of a small payload takes on the wire. */
export function serverFrameLength(payloadLength: number): number {
  if (payloadLength >= 126) throw new RangeError('payload must be under 126 bytes');
  return 2 + payloadLength;
}

/** Where the HTTP head ends in what was received so far, or -1 while it is incomplete. */
export function endOfHead(received: Buffer): number {
  const index = received.indexOf('\r\n\r\n');
  return index === -1 ? -1 : index + 4;
}

/** The status code on the first line of an HTTP answer, or undefined when it is not HTTP. */
export function statusCodeOf(head: string): number | undefined {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(head);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
