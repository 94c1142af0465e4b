// Turning the engine's byte streams into lines: chunks split anywhere, and Docker's multiplexed
// container output (an 8-byte header per frame naming stdout or stderr).

// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal colour codes are control characters.
const ansiEscape = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

export function stripAnsi(text: string): string {
  return text.replace(ansiEscape, '');
}

/** Collects text chunks and hands back the complete lines (without `\n` or `\r`). */
export class LineSplitter {
  private partial = '';

  push(chunk: string): string[] {
    const text = this.partial + chunk;
    const pieces = text.split('\n');
    this.partial = pieces.pop() ?? '';
    return pieces.map((piece) => piece.replace(/\r$/, ''));
  }

  /** The last unterminated line, if any. */
  end(): string[] {
    const rest = this.partial.replace(/\r$/, '');
    this.partial = '';
    return rest === '' ? [] : [rest];
  }
}

export interface OutputFrame {
  stream: 'stdout' | 'stderr';
  text: string;
}

/** Splits a complete multiplexed log buffer into its frames. Unframed output is returned as is. */
export function demultiplex(buffer: Buffer): OutputFrame[] {
  const frames: OutputFrame[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const kind = buffer[offset];
    const isHeader = (kind === 1 || kind === 2) && buffer.readUIntBE(offset + 1, 3) === 0;
    if (!isHeader) break;
    const size = buffer.readUInt32BE(offset + 4);
    const text = buffer.subarray(offset + 8, offset + 8 + size).toString('utf8');
    frames.push({ stream: kind === 1 ? 'stdout' : 'stderr', text });
    offset += 8 + size;
  }
  if (offset < buffer.length)
    frames.push({ stream: 'stdout', text: buffer.subarray(offset).toString('utf8') });
  return frames;
}

/** The lines of a complete multiplexed log buffer, in the order they were printed. */
export function demultiplexLines(buffer: Buffer): string[] {
  const splitter = new LineSplitter();
  const lines: string[] = [];
  for (const frame of demultiplex(buffer)) lines.push(...splitter.push(frame.text));
  lines.push(...splitter.end());
  return lines;
}
