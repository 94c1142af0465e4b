// Reads an app's HTTP/1.1 answer off its connection: the head, then the body framed as RFC 9112
// section 6 says (length, chunked, or until the app closes), so a keep-alive connection can carry the
// next request. On the proxy's hot path: written for the one job, it costs less than a general client.

export interface ResponseHead {
  statusCode: number;
  statusMessage: string;
  /** Names and values in one flat list, as the app sent them (writeHead takes this form). */
  headers: string[];
}

export interface ResponseEvents {
  onHead(head: ResponseHead): void;
  onBody(chunk: Buffer): void;
  /** The whole answer was read; `isReusable` says whether the connection may carry another request. */
  onEnd(isReusable: boolean): void;
}

/** The app's answer breaks HTTP/1.1; the connection can only be closed. */
export class MalformedResponseError extends Error {
  readonly code = 'COVE_MALFORMED_RESPONSE';
}

/** More than this before the end of a head (or a chunk-size line) is not an answer we accept. */
const maxHeadBytes = 64 * 1024;
const maxChunkLineBytes = 4 * 1024;

const CR = 13;
const LF = 10;
const headEnd = Buffer.from('\r\n\r\n');
const lineEnd = Buffer.from('\n');
/** What is left when a read is used up (one shared empty buffer: no allocation per read). */
const consumed = Buffer.alloc(0);
const tokenPattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const statusLinePattern = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/;
/** A reason phrase or field value (RFC 9110 5.5): tabs, spaces, visible ASCII and obs-text, no other control. */
const fieldTextPattern = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Headers that describe one hop, not the message (RFC 9110 7.6.1), plus `expect` (the proxy's
 * own server answers 100-continue) and `trailer` (trailers are not forwarded).
 */
export const hopByHopHeaders: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
]);

/** Names listed in a Connection header beyond keep-alive/close; null when there are none. */
export function connectionTokens(connection: string | undefined): Set<string> | null {
  if (connection === undefined || connection === 'keep-alive' || connection === 'close') return null;
  return new Set(connection.split(',').map((token) => token.trim().toLowerCase()));
}

type Framing =
  | { kind: 'none' }
  | { kind: 'length'; remaining: number }
  | { kind: 'chunked' }
  | { kind: 'until-close' };

type State = 'head' | 'body' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'done';

/** One answer to one request. Feed it what the connection reads; it calls `events` in order. */
export class ResponseReader {
  private state: State = 'head';
  /**
   * Bytes kept until the delimiter `pendingWait` names arrives, as read: joined once, when it has
   * arrived (joining on every read made a head trickled in one byte at a time cost quadratic time).
   */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private pendingWait: { delimiter: Buffer; maxBytes: number } | null = null;
  private framing: Framing = { kind: 'none' };
  private chunkRemaining = 0;
  private isReusable = true;
  private hasEnded = false;

  constructor(
    private readonly isHeadRequest: boolean,
    private readonly events: ResponseEvents,
  ) {}

  get isDone(): boolean {
    return this.state === 'done';
  }

  /** Whether any of the answer has arrived (a reused connection that fails before may be retried). */
  get hasStarted(): boolean {
    return this.state !== 'head' || this.pendingBytes > 0;
  }

  /** Takes bytes read from the app. Throws MalformedResponseError when the answer breaks HTTP/1.1. */
  push(chunk: Buffer): void {
    if (this.keepsWaiting(chunk)) return;
    let data = this.pendingBytes === 0 ? chunk : Buffer.concat([...this.pending, chunk]);
    this.pending = [];
    this.pendingBytes = 0;
    this.pendingWait = null;
    while (data.length > 0) {
      switch (this.state) {
        case 'head':
          data = this.readHead(data);
          break;
        case 'body':
          data = this.readBody(data);
          break;
        case 'chunk-size':
          data = this.readChunkSize(data);
          break;
        case 'chunk-data':
          data = this.readChunkData(data);
          break;
        case 'chunk-end':
          data = this.readChunkEnd(data);
          break;
        case 'trailers':
          data = this.readTrailers(data);
          break;
        case 'done':
          // The app sent more than it announced: the connection is out of step, never reuse it.
          this.isReusable = false;
          data = consumed;
          break;
        default:
          assertNever(this.state);
      }
    }
    if (this.state === 'done' && !this.hasEnded) {
      this.hasEnded = true;
      this.events.onEnd(this.isReusable);
    }
  }

  /**
   * The app closed its side: that ends an answer read until close. False when the answer was not
   * whole (not begun, or cut short).
   */
  close(): boolean {
    if (this.state === 'body' && this.framing.kind === 'until-close') {
      this.state = 'done';
      this.hasEnded = true;
      this.events.onEnd(false);
    }
    return this.state === 'done';
  }

  /**
   * Keeps the chunk with the pending bytes when it neither completes what they wait for nor takes
   * them past its limit (then nothing happens on this read, as if all had been joined and read).
   */
  private keepsWaiting(chunk: Buffer): boolean {
    const wait = this.pendingWait;
    if (wait === null) return false;
    if (this.pendingBytes + chunk.length > wait.maxBytes) return false;
    if (Buffer.concat([this.pendingTail(wait.delimiter.length - 1), chunk]).includes(wait.delimiter)) {
      return false;
    }
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    return true;
  }

  /** The last `byteCount` pending bytes (fewer when fewer are pending), across the reads they came in. */
  private pendingTail(byteCount: number): Buffer {
    const pieces: Buffer[] = [];
    let needed = byteCount;
    for (let index = this.pending.length - 1; index >= 0 && needed > 0; index--) {
      const piece = this.pending[index] ?? consumed;
      pieces.unshift(piece.subarray(Math.max(0, piece.length - needed)));
      needed -= piece.length;
    }
    return Buffer.concat(pieces);
  }

  /** Keeps `data` until `delimiter` arrives, or it grows past `maxBytes` (then the read fails). */
  private waitFor(data: Buffer, delimiter: Buffer, maxBytes: number): void {
    this.pending = [data];
    this.pendingBytes = data.length;
    this.pendingWait = { delimiter, maxBytes };
  }

  private readHead(data: Buffer): Buffer {
    const end = data.indexOf(headEnd);
    // The same limit whether the head came in one read or in many.
    if (end > maxHeadBytes || (end < 0 && data.length > maxHeadBytes)) {
      throw new MalformedResponseError('the answer head is too large');
    }
    if (end < 0) {
      this.waitFor(data, headEnd, maxHeadBytes);
      return consumed;
    }
    const lines = data.toString('latin1', 0, end).split('\r\n');
    const status = statusLinePattern.exec(lines[0] ?? '');
    if (status === null)
      throw new MalformedResponseError('the answer does not start with an HTTP/1 status line');
    const statusCode = Number(status[2]);
    const statusMessage = status[3] ?? '';
    if (!fieldTextPattern.test(statusMessage)) {
      throw new MalformedResponseError('the answer has a control character in its status line');
    }
    const rest = end + headEnd.length === data.length ? consumed : data.subarray(end + headEnd.length);
    // No status below 100 exists (RFC 9110 15): taken as interim, it would leave the browser waiting.
    if (statusCode < 100) throw new MalformedResponseError(`the answer has an invalid status ${status[2]}`);
    if (statusCode === 101) throw new MalformedResponseError('the app switched protocols on a plain request');
    // 100 Continue, 103 Early Hints: informational, for this hop; the real answer follows.
    if (statusCode < 200) return rest;
    if (status[1] === '0') this.isReusable = false;

    const headers: string[] = [];
    let contentLength: string | undefined;
    let transferEncoding: string | undefined;
    let connection: string | undefined;
    for (let index = 1; index < lines.length; index += 1) {
      const line = lines[index] ?? '';
      const colon = line.indexOf(':');
      const name = line.slice(0, colon);
      // No obsolete line folding, no header without a name: such a head may hide a second answer.
      if (colon <= 0 || !tokenPattern.test(name)) {
        throw new MalformedResponseError(`the answer has a malformed header line: ${JSON.stringify(line)}`);
      }
      const value = withoutOptionalWhiteSpace(line.slice(colon + 1));
      // A bare CR or LF here is a line end to some readers and not to others; NUL and other controls
      // are refused by browsers: neither may reach one.
      if (!fieldTextPattern.test(value)) {
        throw new MalformedResponseError(`the answer has a control character in its ${name} header`);
      }
      const lowerName = name.toLowerCase();
      if (lowerName === 'content-length') {
        if (contentLength !== undefined && contentLength !== value) {
          throw new MalformedResponseError('the answer has two different content-length headers');
        }
        contentLength = value;
      } else if (lowerName === 'transfer-encoding') {
        transferEncoding = transferEncoding === undefined ? value : `${transferEncoding}, ${value}`;
      } else if (lowerName === 'connection') {
        connection = connection === undefined ? value : `${connection}, ${value}`;
      }
      if (!hopByHopHeaders.has(lowerName)) headers.push(name, value);
    }
    const connectionLower = connection?.toLowerCase();
    if (connectionLower !== undefined && /(^|,)\s*close\s*(,|$)/.test(connectionLower))
      this.isReusable = false;

    this.framing = this.framingOf(statusCode, contentLength, transferEncoding);
    let dropped = connectionTokens(connectionLower);
    // A length beside an encoding is not the length of what the browser will get.
    if (transferEncoding !== undefined && contentLength !== undefined) {
      dropped ??= new Set<string>();
      dropped.add('content-length');
    }
    this.events.onHead({
      statusCode,
      statusMessage,
      headers: dropped === null ? headers : withoutHeaders(headers, dropped),
    });
    switch (this.framing.kind) {
      case 'none':
        this.state = 'done';
        break;
      case 'chunked':
        this.state = 'chunk-size';
        break;
      case 'length':
        this.state = this.framing.remaining === 0 ? 'done' : 'body';
        break;
      case 'until-close':
        this.state = 'body';
        break;
      default:
        assertNever(this.framing);
    }
    return rest;
  }

  /** RFC 9112 6.3, in its order. */
  private framingOf(
    statusCode: number,
    contentLength: string | undefined,
    transferEncoding: string | undefined,
  ): Framing {
    if (this.isHeadRequest || statusCode === 204 || statusCode === 304) return { kind: 'none' };
    if (transferEncoding !== undefined) {
      // With both, the encoding wins and the connection may not be trusted again.
      if (contentLength !== undefined) this.isReusable = false;
      const codings = transferEncoding.toLowerCase().split(',');
      if (codings[codings.length - 1]?.trim() === 'chunked') return { kind: 'chunked' };
      this.isReusable = false;
      return { kind: 'until-close' };
    }
    if (contentLength !== undefined) {
      if (!/^\d{1,15}$/.test(contentLength)) {
        throw new MalformedResponseError(`the answer has an invalid content-length: ${contentLength}`);
      }
      return { kind: 'length', remaining: Number(contentLength) };
    }
    this.isReusable = false;
    return { kind: 'until-close' };
  }

  private readBody(data: Buffer): Buffer {
    if (this.framing.kind !== 'length') {
      this.events.onBody(data);
      return consumed;
    }
    const remaining = this.framing.remaining;
    if (data.length < remaining) {
      this.framing.remaining = remaining - data.length;
      this.events.onBody(data);
      return consumed;
    }
    this.framing.remaining = 0;
    this.state = 'done';
    if (data.length === remaining) {
      this.events.onBody(data);
      return consumed;
    }
    this.events.onBody(data.subarray(0, remaining));
    return data.subarray(remaining);
  }

  private readChunkSize(data: Buffer): Buffer {
    const line = this.readLine(data, maxChunkLineBytes);
    if (line === null) return consumed;
    // chunk-size [ ; chunk-ext ]: the extensions mean nothing to the proxy.
    const semicolon = line.text.indexOf(';');
    const size = withoutOptionalWhiteSpace(semicolon < 0 ? line.text : line.text.slice(0, semicolon));
    if (!/^[0-9a-fA-F]{1,12}$/.test(size)) {
      throw new MalformedResponseError(`the answer has an invalid chunk size: ${JSON.stringify(size)}`);
    }
    this.chunkRemaining = Number.parseInt(size, 16);
    this.state = this.chunkRemaining === 0 ? 'trailers' : 'chunk-data';
    return line.rest;
  }

  private readChunkData(data: Buffer): Buffer {
    if (data.length < this.chunkRemaining) {
      this.chunkRemaining -= data.length;
      this.events.onBody(data);
      return consumed;
    }
    this.events.onBody(data.subarray(0, this.chunkRemaining));
    const rest = data.subarray(this.chunkRemaining);
    this.chunkRemaining = 0;
    this.state = 'chunk-end';
    return rest;
  }

  private readChunkEnd(data: Buffer): Buffer {
    const line = this.readLine(data, 2);
    if (line === null) return consumed;
    if (line.text !== '') throw new MalformedResponseError('a chunk of the answer is longer than its size');
    this.state = 'chunk-size';
    return line.rest;
  }

  /** Trailer fields after the last chunk, up to an empty line; they stay on this hop. */
  private readTrailers(data: Buffer): Buffer {
    const line = this.readLine(data, maxHeadBytes);
    if (line === null) return consumed;
    if (line.text === '') this.state = 'done';
    return line.rest;
  }

  /** One CRLF-ended line, or null (the start kept for the next read) when its end has not arrived. */
  private readLine(data: Buffer, maxBytes: number): { text: string; rest: Buffer } | null {
    const end = data.indexOf(LF);
    if (end < 0) {
      if (data.length > maxBytes + 1) throw new MalformedResponseError('the answer has an overlong line');
      this.waitFor(data, lineEnd, maxBytes + 1);
      return null;
    }
    if (end === 0 || data[end - 1] !== CR) throw new MalformedResponseError('the answer has a bare LF');
    if (end - 1 > maxBytes) throw new MalformedResponseError('the answer has an overlong line');
    return { text: data.toString('latin1', 0, end - 1), rest: data.subarray(end + 1) };
  }
}

/**
 * Spaces and tabs cut from both ends (RFC 9110 5.6.3), and nothing else: JavaScript's trim() would
 * also take a value's own bytes (0xA0, read as latin1, is a no-break space to it).
 */
function withoutOptionalWhiteSpace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isSpaceOrTab(text.charCodeAt(start))) start += 1;
  while (end > start && isSpaceOrTab(text.charCodeAt(end - 1))) end -= 1;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

function isSpaceOrTab(code: number): boolean {
  return code === 32 || code === 9;
}

/** A flat name-value list less the names in `dropped` (lower-case). */
function withoutHeaders(headers: string[], dropped: ReadonlySet<string>): string[] {
  const kept: string[] = [];
  for (let index = 0; index + 1 < headers.length; index += 2) {
    const name = headers[index] ?? '';
    if (!dropped.has(name.toLowerCase())) kept.push(name, headers[index + 1] ?? '');
  }
  return kept;
}

function assertNever(value: never): never {
  throw new Error(`unexpected ${String(value)}`);
}
