// fast-check generators of what an app may write back to the proxy: well-formed HTTP/1.1 answers of
// every framing, each with what ResponseReader must make of it, and the ways an answer can break.
// Used by the reader's and the forwarder's property tests only.
import fc from 'fast-check';
import { hopByHopHeaders } from './response-reader';

export type Framing =
  | { kind: 'length'; lengthHeaderName: string }
  | { kind: 'chunked'; chunks: ChunkSpec[]; trailers: [string, string][] }
  | { kind: 'until-close' }
  | { kind: 'no-body'; status: 204 | 304 }
  | { kind: 'head'; lengthHeaderName: string };

interface ChunkSpec {
  size: number;
  /** How the size is spelt: upper or lower case hex, leading zeros. */
  sizeText: string;
  extension: string;
}

export interface ValidAnswer {
  interim: { status: number; headers: [string, string][] }[];
  version: '1.0' | '1.1';
  status: number;
  reason: string;
  headers: [string, string][];
  /** Where the Content-Length goes among the headers (length and HEAD framings). */
  lengthAt: number;
  connection: 'none' | 'keep-alive' | 'close';
  framing: Framing;
  body: Buffer;
}

/** What the reader must report for a ValidAnswer. */
export interface ExpectedRead {
  statusCode: number;
  statusMessage: string;
  headers: string[];
  body: Buffer;
  isReusable: boolean;
  isHeadRequest: boolean;
  /** Only the app closing its side ends the answer. */
  endsAtClose: boolean;
}

const tokenCharacters = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
/** Names the reader or Node's server give a meaning of their own; the generators add them on purpose. */
const namesWithAMeaning = new Set([...hopByHopHeaders, 'content-length', 'date']);

const headerName = fc
  .string({ unit: fc.constantFrom(...tokenCharacters), minLength: 1, maxLength: 12 })
  .filter((name) => !namesWithAMeaning.has(name.toLowerCase()));

/** field-vchar (RFC 9110 5.5): visible ASCII and obs-text bytes, as latin1 characters. */
const visibleCharacter = fc
  .oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0x21, max: 0x7e }) },
    { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
  )
  .map((code) => String.fromCharCode(code));
const valueCharacter = fc.oneof({ weight: 6, arbitrary: visibleCharacter }, fc.constantFrom(' ', '\t'));

/** A field value as the reader gives it back: no white space at either end. */
export const headerValue = fc.oneof(
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 6, arbitrary: visibleCharacter },
  {
    weight: 6,
    arbitrary: fc
      .tuple(visibleCharacter, fc.string({ unit: valueCharacter, maxLength: 24 }), visibleCharacter)
      .map(([first, middle, last]) => first + middle + last),
  },
);

const headers = fc.array(fc.tuple(headerName, headerValue), { maxLength: 6 });
const reason = fc.oneof(
  fc.constantFrom('', 'OK', 'Not Found', 'Made Here'),
  fc.string({ unit: valueCharacter, maxLength: 20 }),
);
const casings = (name: string) => fc.constantFrom(name, name.toLowerCase(), name.toUpperCase());

function chunkSpecs(bodyLength: number): fc.Arbitrary<ChunkSpec[]> {
  return fc.array(fc.integer({ min: 1, max: Math.max(1, bodyLength) }), { maxLength: 5 }).chain((cuts) => {
    const points = [...new Set(cuts.filter((cut) => cut < bodyLength))].sort((a, b) => a - b);
    const sizes: number[] = [];
    let previous = 0;
    for (const point of [...points, bodyLength]) {
      if (point > previous) sizes.push(point - previous);
      previous = point;
    }
    return fc.tuple(
      ...sizes.map((size) =>
        fc.record({
          size: fc.constant(size),
          sizeText: fc.tuple(fc.boolean(), fc.nat({ max: 3 })).map(([isUpper, zeros]) => {
            const hex = size.toString(16);
            return '0'.repeat(zeros) + (isUpper ? hex.toUpperCase() : hex);
          }),
          extension: fc.constantFrom('', ';name=x', ';a=1;b', ';q="quoted ; value"'),
        }),
      ),
    );
  });
}

const finalStatus = fc.integer({ min: 200, max: 599 });
const bodiedStatus = finalStatus.filter((status) => status !== 204 && status !== 304);

function framing(bodyLength: number): fc.Arbitrary<{ status: number; framing: Framing }> {
  return fc.oneof(
    fc.record({
      status: bodiedStatus,
      framing: casings('Content-Length').map((name): Framing => ({ kind: 'length', lengthHeaderName: name })),
    }),
    fc.record({
      status: bodiedStatus,
      framing: fc
        .record({
          chunks: chunkSpecs(bodyLength),
          trailers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 2 }),
        })
        .map((chunked): Framing => ({ kind: 'chunked', ...chunked })),
    }),
    fc.record({ status: bodiedStatus, framing: fc.constant<Framing>({ kind: 'until-close' }) }),
    fc
      .constantFrom<204 | 304>(204, 304)
      .map((status) => ({ status, framing: { kind: 'no-body', status } as Framing })),
    fc.record({
      status: finalStatus,
      framing: casings('Content-Length').map((name): Framing => ({ kind: 'head', lengthHeaderName: name })),
    }),
  );
}

export const validAnswer: fc.Arbitrary<ValidAnswer> = fc
  .uint8Array({ maxLength: 400 })
  .chain((bytes) => {
    const body = Buffer.from(bytes);
    return fc.record({
      interim: fc.array(fc.record({ status: fc.constantFrom(100, 102, 103, 199), headers }), {
        maxLength: 2,
      }),
      version: fc.constantFrom<'1.0' | '1.1'>('1.1', '1.1', '1.1', '1.0'),
      statusAndFraming: framing(body.length),
      reason,
      headers,
      lengthAt: fc.nat({ max: 6 }),
      connection: fc.constantFrom<ValidAnswer['connection']>('none', 'none', 'keep-alive', 'close'),
      body: fc.constant(body),
    });
  })
  .map(({ statusAndFraming, ...rest }) => ({ ...rest, ...statusAndFraming }));

function headLines(status: string, reasonText: string, version: string, fields: [string, string][]): string {
  const statusLine =
    reasonText === '' ? `HTTP/${version} ${status}` : `HTTP/${version} ${status} ${reasonText}`;
  return [statusLine, ...fields.map(([name, value]) => `${name}: ${value}`)].join('\r\n');
}

/** The end-to-end headers as the reader must give them, in the order they are sent. */
function sentFields(answer: ValidAnswer): { fields: [string, string][]; kept: [string, string][] } {
  const kept: [string, string][] = [...answer.headers];
  const { framing: f } = answer;
  if (f.kind === 'length' || f.kind === 'head') {
    kept.splice(Math.min(answer.lengthAt, kept.length), 0, [f.lengthHeaderName, String(answer.body.length)]);
  }
  const fields = [...kept];
  if (f.kind === 'chunked')
    fields.splice(Math.min(answer.lengthAt, fields.length), 0, ['Transfer-Encoding', 'chunked']);
  if (answer.connection === 'close') fields.push(['Connection', 'close']);
  if (answer.connection === 'keep-alive') fields.unshift(['Connection', 'keep-alive']);
  return { fields, kept };
}

export interface SerialisedAnswer {
  bytes: Buffer;
  /** Where the head of the final answer ends (its body, if any, starts here). */
  finalHeadEnd: number;
}

export function serialise(answer: ValidAnswer): SerialisedAnswer {
  const interim = answer.interim
    .map((one) => `${headLines(String(one.status), '', '1.1', one.headers)}\r\n\r\n`)
    .join('');
  const { fields } = sentFields(answer);
  const head = `${interim}${headLines(String(answer.status), answer.reason, answer.version, fields)}\r\n\r\n`;
  const headBytes = Buffer.from(head, 'latin1');
  const { framing: f } = answer;
  let body: Buffer;
  switch (f.kind) {
    case 'length':
    case 'until-close':
      body = answer.body;
      break;
    case 'no-body':
    case 'head':
      body = Buffer.alloc(0);
      break;
    case 'chunked': {
      const parts: Buffer[] = [];
      let offset = 0;
      for (const chunk of f.chunks) {
        parts.push(Buffer.from(`${chunk.sizeText}${chunk.extension}\r\n`, 'latin1'));
        parts.push(answer.body.subarray(offset, offset + chunk.size), Buffer.from('\r\n'));
        offset += chunk.size;
      }
      const trailers = f.trailers.map(([name, value]) => `${name}: ${value}\r\n`).join('');
      parts.push(Buffer.from(`0\r\n${trailers}\r\n`, 'latin1'));
      body = Buffer.concat(parts);
      break;
    }
    default: {
      const unknown: never = f;
      throw new Error(`unknown framing ${JSON.stringify(unknown)}`);
    }
  }
  return { bytes: Buffer.concat([headBytes, body]), finalHeadEnd: headBytes.length };
}

export function expectedRead(answer: ValidAnswer): ExpectedRead {
  const { kept } = sentFields(answer);
  const { framing: f } = answer;
  const hasBody = f.kind === 'length' || f.kind === 'chunked' || f.kind === 'until-close';
  return {
    statusCode: answer.status,
    statusMessage: answer.reason,
    headers: kept.flat(),
    body: hasBody ? answer.body : Buffer.alloc(0),
    isReusable: answer.version === '1.1' && answer.connection !== 'close' && f.kind !== 'until-close',
    isHeadRequest: f.kind === 'head',
    endsAtClose: f.kind === 'until-close',
  };
}

/** Cuts `bytes` at random places: the reads a connection may deliver them in. */
export function splitAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((cut) => (bytes.length === 0 ? 0 : cut % bytes.length)))]
    .filter((point) => point > 0)
    .sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let previous = 0;
  for (const point of [...points, bytes.length]) {
    if (point > previous) pieces.push(bytes.subarray(previous, point));
    previous = point;
  }
  return pieces;
}

export const cuts = fc.array(fc.nat(), { maxLength: 10 });

/**
 * A well-formed answer made malformed in one of the ways RFC 9112 forbids, or that a reader must not
 * guess at. Each yields the bytes and the name of the breakage (for the failure message).
 */
export const malformedAnswer: fc.Arbitrary<{ breakage: string; bytes: Buffer }> = fc
  .oneof(
    fc.record({
      breakage: fc.constant('obs-fold'),
      bytes: fc
        .tuple(headerName, headerValue, fc.constantFrom(' ', '\t', '  '), headerValue)
        .map(
          ([name, value, fold, more]) =>
            `HTTP/1.1 200 OK\r\n${name}: ${value}\r\n${fold}${more}x\r\nContent-Length: 0\r\n\r\n`,
        ),
    }),
    fc.record({
      breakage: fc.constant('white space before the colon'),
      bytes: fc
        .tuple(fc.constantFrom('Content-Length', 'Transfer-Encoding', 'X-App'), fc.constantFrom(' ', '\t'))
        .map(([name, space]) => `HTTP/1.1 200 OK\r\n${name}${space}: 0\r\nContent-Length: 0\r\n\r\n`),
    }),
    fc.record({
      breakage: fc.constant('two different content-lengths'),
      bytes: fc
        .tuple(fc.nat({ max: 1000 }), fc.integer({ min: 1, max: 1000 }))
        .map(
          ([first, delta]) =>
            `HTTP/1.1 200 OK\r\nContent-Length: ${first}\r\ncontent-length: ${first + delta}\r\n\r\n`,
        ),
    }),
    fc.record({
      breakage: fc.constant('an invalid content-length'),
      bytes: fc
        .constantFrom(
          '-1',
          '+5',
          '1.5',
          '0x10',
          '1e3',
          '5, 6',
          'five',
          '',
          '1234567890123456',
          '99999999999999999999',
        )
        .map((length) => `HTTP/1.1 200 OK\r\nContent-Length: ${length}\r\n\r\n`),
    }),
    fc.record({
      breakage: fc.constant('an invalid chunk size'),
      bytes: fc
        .constantFrom('zz', '0x5', '-1', '', '1 2', '+5', 'fffffffffffff', '1234567890abcd', '5\u00a0')
        .map((size) => `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${size}\r\nhello\r\n0\r\n\r\n`),
    }),
    fc.record({
      breakage: fc.constant('a chunk longer than its size'),
      bytes: fc
        .integer({ min: 1, max: 9 })
        .map(
          (size) =>
            `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${size}\r\n${'a'.repeat(size + 1)}\r\n0\r\n\r\n`,
        ),
    }),
    fc.record({
      breakage: fc.constant('a bare LF ending a chunk line'),
      bytes: fc.constant('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n'),
    }),
    fc.record({
      breakage: fc.constant('a status below 100'),
      bytes: fc
        .integer({ min: 0, max: 99 })
        .map((status) => `HTTP/1.1 ${String(status).padStart(3, '0')} X\r\nContent-Length: 2\r\n\r\nhi`),
    }),
    fc.record({
      breakage: fc.constant('a switch of protocols'),
      bytes: fc.constant(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
      ),
    }),
    fc.record({
      breakage: fc.constant('a status line that is not HTTP/1'),
      bytes: fc
        .constantFrom(
          'HTTP/2 200 OK',
          'HTTP/1.2 200 OK',
          'http/1.1 200 OK',
          'HTTP/1.1 20 OK',
          'HTTP/1.1 2000 OK',
          'HTTP/1.1  200 OK',
          'HTTP/1.1 200\tOK',
          'ICY 200 OK',
          ' HTTP/1.1 200 OK',
        )
        .map((line) => `${line}\r\nContent-Length: 0\r\n\r\n`),
    }),
    fc.record({
      breakage: fc.constant('a bare LF in the head'),
      bytes: fc.constantFrom(
        'HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n',
        'HTTP/1.1 200 OK\r\nX-A: 1\nX-Injected: yes\r\nContent-Length: 0\r\n\r\n',
      ),
    }),
    fc.record({
      breakage: fc.constant('a control character in a header value or the reason'),
      bytes: fc
        .tuple(
          fc.oneof(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0x0a, max: 0x1f }), fc.constant(0x7f)),
          fc.boolean(),
        )
        .map(([code, inReason]) => {
          const control = String.fromCharCode(code);
          return inReason
            ? `HTTP/1.1 200 O${control}K\r\nContent-Length: 0\r\n\r\n`
            : `HTTP/1.1 200 OK\r\nX-App: a${control}b\r\nContent-Length: 0\r\n\r\n`;
        }),
    }),
    fc.record({
      breakage: fc.constant('a header name that is not a token'),
      bytes: fc
        .constantFrom('', 'X(A)', 'X@A', 'X\u00e9', '"X"', 'X/A', 'X A')
        .map((name) => `HTTP/1.1 200 OK\r\n${name}: 1\r\nContent-Length: 0\r\n\r\n`),
    }),
    fc.record({
      breakage: fc.constant('a head over 64 KB'),
      bytes: fc
        .integer({ min: 64 * 1024, max: 80 * 1024 })
        .map((size) => `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(size)}\r\nContent-Length: 0\r\n\r\n`),
    }),
  )
  .map(({ breakage, bytes }) => ({ breakage, bytes: Buffer.from(bytes, 'latin1') }));
