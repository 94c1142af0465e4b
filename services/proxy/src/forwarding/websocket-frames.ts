// Just enough of RFC 6455 framing to close a proxied WebSocket politely: follow the frame
// boundaries of the upstream-to-browser stream, so a close frame is never spliced into a frame,
// and whether the app sent a close frame of its own.

const closeOpcode = 0x8;

/** Follows frame boundaries in a byte stream of WebSocket frames, without keeping payloads. */
export class FrameBoundaryTracker {
  private header: number[] = [];
  private remainingPayloadBytes = 0;
  /** The stream carried a close frame: the side that sent it has said goodbye itself. */
  hasCloseFrame = false;

  get isAtFrameBoundary(): boolean {
    return this.header.length === 0 && this.remainingPayloadBytes === 0;
  }

  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.remainingPayloadBytes > 0) {
        const taken = Math.min(this.remainingPayloadBytes, chunk.length - offset);
        offset += taken;
        this.remainingPayloadBytes -= taken;
        continue;
      }
      this.header.push(chunk.readUInt8(offset));
      offset += 1;
      const headerLength = frameHeaderLength(this.header);
      if (headerLength !== undefined && this.header.length === headerLength) {
        this.remainingPayloadBytes = framePayloadLength(this.header);
        if (((this.header[0] ?? 0) & 0x0f) === closeOpcode) this.hasCloseFrame = true;
        this.header = [];
      }
    }
  }
}

/** The full header length once the first two bytes are known. */
function frameHeaderLength(header: number[]): number | undefined {
  const second = header[1];
  if (second === undefined) return undefined;
  const lengthCode = second & 0x7f;
  const extendedLengthBytes = lengthCode === 126 ? 2 : lengthCode === 127 ? 8 : 0;
  const maskBytes = second & 0x80 ? 4 : 0;
  return 2 + extendedLengthBytes + maskBytes;
}

function framePayloadLength(header: number[]): number {
  const lengthCode = (header[1] ?? 0) & 0x7f;
  if (lengthCode < 126) return lengthCode;
  const extendedBytes = header.slice(2, lengthCode === 126 ? 4 : 10);
  return extendedBytes.reduce((length, byte) => length * 256 + byte, 0);
}

/** An unmasked close frame, as a server sends it (RFC 6455 §5.5.1). */
export function serverCloseFrame(code: number, reason: string): Buffer {
  const reasonBytes = Buffer.from(reason, 'utf8').subarray(0, 123);
  const frame = Buffer.alloc(4 + reasonBytes.length);
  frame.writeUInt8(0x88, 0);
  frame.writeUInt8(2 + reasonBytes.length, 1);
  frame.writeUInt16BE(code, 2);
  reasonBytes.copy(frame, 4);
  return frame;
}
