import { describe, expect, it } from 'vitest';
import { FrameBoundaryTracker, serverCloseFrame } from './websocket-frames';

function frame(payloadLength: number, options: { masked?: boolean } = {}): Buffer {
  const maskBytes = options.masked ? 4 : 0;
  let header: Buffer;
  if (payloadLength < 126) {
    header = Buffer.from([0x82, payloadLength | (options.masked ? 0x80 : 0)]);
  } else if (payloadLength < 65536) {
    header = Buffer.alloc(4);
    header.writeUInt8(0x82, 0);
    header.writeUInt8(126 | (options.masked ? 0x80 : 0), 1);
    header.writeUInt16BE(payloadLength, 2);
  } else {
    header = Buffer.alloc(10);
    header.writeUInt8(0x82, 0);
    header.writeUInt8(127 | (options.masked ? 0x80 : 0), 1);
    header.writeBigUInt64BE(BigInt(payloadLength), 2);
  }
  return Buffer.concat([header, Buffer.alloc(maskBytes + payloadLength, 7)]);
}

describe('FrameBoundaryTracker', () => {
  it.each([0, 5, 125, 126, 300, 65535, 70000])('follows a %i-byte frame fed one byte at a time', (length) => {
    const tracker = new FrameBoundaryTracker();
    const bytes = frame(length);
    // Where the tracker saw a boundary, checked once (an expect per byte made this the slow part).
    const boundaries: number[] = [];
    for (let index = 0; index < bytes.length; index += 1) {
      if (tracker.isAtFrameBoundary) boundaries.push(index);
      tracker.push(bytes.subarray(index, index + 1));
    }
    expect(boundaries).toEqual([0]);
    expect(tracker.isAtFrameBoundary).toBe(true);
  });

  it('follows several frames in odd-sized chunks, masked or not', () => {
    const tracker = new FrameBoundaryTracker();
    const stream = Buffer.concat([frame(3), frame(200, { masked: true }), frame(70000), frame(1)]);
    for (let offset = 0; offset < stream.length; offset += 997) {
      tracker.push(stream.subarray(offset, offset + 997));
    }
    expect(tracker.isAtFrameBoundary).toBe(true);
    tracker.push(frame(10).subarray(0, 5));
    expect(tracker.isAtFrameBoundary).toBe(false);
  });

  it('notes a close frame among the others', () => {
    const tracker = new FrameBoundaryTracker();
    tracker.push(Buffer.concat([frame(3), frame(200, { masked: true })]));
    expect(tracker.hasCloseFrame).toBe(false);
    tracker.push(serverCloseFrame(1000, 'bye'));
    expect(tracker.hasCloseFrame).toBe(true);
    expect(tracker.isAtFrameBoundary).toBe(true);
  });
});

describe('serverCloseFrame', () => {
  it('encodes the code and reason as RFC 6455 says', () => {
    expect([...serverCloseFrame(1001, 'bye')]).toEqual([0x88, 5, 0x03, 0xe9, 0x62, 0x79, 0x65]);
  });
});
