// Reads the API's text/event-stream answers (a deployment's followed log): "line" events carrying
// a LogLineEvent, then one "end" event when no more lines will come.
import { logLineEvent } from '@cove/shared/contracts/api';
import type { z } from 'zod';

export interface ServerSentEvent {
  event: string;
  data: string;
  id?: string;
}

/** Splits a byte stream into events; comments (": keep-alive") and "retry:" blocks yield nothing. */
export async function* readEvents(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  // A CR ending a chunk may be the first half of a CRLF: it waits for the next chunk.
  let heldBack = '';
  for await (const chunk of chunks) {
    const text = heldBack + decoder.decode(chunk, { stream: true });
    heldBack = text.endsWith('\r') ? '\r' : '';
    buffer += (heldBack ? text.slice(0, -1) : text).replace(/\r\n?/g, '\n');
    for (let boundary = buffer.indexOf('\n\n'); boundary >= 0; boundary = buffer.indexOf('\n\n')) {
      const event = parseBlock(buffer.slice(0, boundary));
      buffer = buffer.slice(boundary + 2);
      if (event) yield event;
    }
  }
}

function parseBlock(block: string): ServerSentEvent | undefined {
  let event = 'message';
  const data: string[] = [];
  let id: string | undefined;
  let hasData = false;
  for (const row of block.split('\n')) {
    if (row === '' || row.startsWith(':')) continue;
    const colon = row.indexOf(':');
    const field = colon < 0 ? row : row.slice(0, colon);
    const value = colon < 0 ? '' : row.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') {
      data.push(value);
      hasData = true;
    } else if (field === 'id') id = value;
  }
  if (!hasData) return undefined;
  return { event, data: data.join('\n'), ...(id === undefined ? {} : { id }) };
}

export type LogLine = z.infer<typeof logLineEvent>;

/** The log lines of a followed log, until its "end" event or the stream closing. */
export async function* readLogLines(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<LogLine> {
  for await (const event of readEvents(chunks)) {
    if (event.event === 'end') return;
    if (event.event !== 'line') continue;
    const parsed = logLineEvent.safeParse(safeJson(event.data));
    if (parsed.success) yield parsed.data;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A fetch body as an async iterable of chunks. */
export async function* bodyChunks(body: ReadableStream<Uint8Array> | null): AsyncGenerator<Uint8Array> {
  if (!body) return;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}
