import { describe, expect, it } from 'vitest';
import {
  endOfHead,
  maskedBinaryFrame,
  serverFrameLength,
  statusCodeOf,
  upgradeRequest,
} from './websocket-wire';

describe('websocket wire helpers', () => {
  it('builds a masked binary frame that unmasks to the payload', () => {
    const payload = Buffer.from('hello, cove');
    const mask = Buffer.from([1, 2, 3, 4]);
    const frame = maskedBinaryFrame(payload, mask);
    expect(frame[0]).toBe(0x82);
    expect(frame[1]).toBe(0x80 | payload.length);
    const unmasked = frame.subarray(6).map((byte, index) => byte ^ (mask[index % 4] ?? 0));
    expect(Buffer.from(unmasked).toString()).toBe('hello, cove');
  });

  it('refuses payloads that need an extended length', () => {
    expect(() => maskedBinaryFrame(Buffer.alloc(126))).toThrow(RangeError);
    expect(serverFrameLength(32)).toBe(34);
  });

  it('writes an upgrade request with the host and a fresh key', () => {
    const request = upgradeRequest({ hostHeader: 'bench.localhost', path: '/_stcore/stream' });
    expect(request.startsWith('GET /_stcore/stream HTTP/1.1\r\nHost: bench.localhost\r\n')).toBe(true);
    expect(request).toMatch(/Sec-WebSocket-Key: [A-Za-z0-9+/]{22}==\r\n/);
    expect(request.endsWith('\r\n\r\n')).toBe(true);
  });

  it('finds the end of an HTTP head and its status', () => {
    const head = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n';
    const answer = Buffer.concat([Buffer.from(head), Buffer.from([0x82, 0x00])]);
    expect(endOfHead(answer)).toBe(answer.length - 2);
    expect(endOfHead(Buffer.from('HTTP/1.1 101 Swi'))).toBe(-1);
    expect(statusCodeOf(answer.toString())).toBe(101);
    expect(statusCodeOf('garbage')).toBeUndefined();
  });
});
