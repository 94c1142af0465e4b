import { describe, expect, test } from 'vitest';
import { readEvents, readLogLines } from './event-stream';

const encoder = new TextEncoder();

async function* chunksOf(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = encoder.encode(text);
  for (let start = 0; start < bytes.length; start += size) yield bytes.slice(start, start + size);
}

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of source) items.push(item);
  return items;
}

// As the dashboard's log-event-stream.ts sends it.
const line = (id: number, text: string) =>
  `id: ${id}\nevent: line\ndata: ${JSON.stringify({ id, stream: 'build', line: text, at: '2026-12-07T12:00:00.000Z' })}\n\n`;
const stream = `retry: 2000\n\n${line(1, 'Step 1/3 é')}: keep-alive\n\n${line(2, 'data: tricky')}event: end\ndata: {}\n\n${line(3, 'after the end')}`;

describe('readLogLines', () => {
  test.each([1, 2, 3, 7, 64, 10_000])('gives the lines up to "end", in chunks of %i bytes', async (size) => {
    const lines = await collect(readLogLines(chunksOf(stream, size)));
    expect(lines.map((entry) => entry.line)).toEqual(['Step 1/3 é', 'data: tricky']);
    expect(lines.map((entry) => entry.id)).toEqual([1, 2]);
  });

  test('skips a line event whose data is not a log line', async () => {
    const lines = await collect(readLogLines(chunksOf(`event: line\ndata: nope\n\n${line(4, 'ok')}`, 5)));
    expect(lines.map((entry) => entry.line)).toEqual(['ok']);
  });
});

describe('readEvents', () => {
  test('joins multi-line data, keeps ids, accepts CRLF', async () => {
    const events = await collect(readEvents(chunksOf('id: 9\r\nevent: x\r\ndata: a\r\ndata: b\r\n\r\n', 3)));
    expect(events).toEqual([{ event: 'x', data: 'a\nb', id: '9' }]);
  });
});
