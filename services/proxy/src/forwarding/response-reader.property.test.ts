// Properties of ResponseReader over generated app answers (answer-arbitraries.ts), fed in random
// reads: well-formed answers read exactly as sent whatever the reads, broken ones refused, nothing
// beyond an answer's end taken as part of it, and no input that throws anything but
// MalformedResponseError or leaves the reader unable to say where it stands.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cuts, expectedRead, malformedAnswer, serialise, splitAt, validAnswer } from './answer-arbitraries';
import { MalformedResponseError, type ResponseHead, ResponseReader } from './response-reader';

interface Observed {
  heads: ResponseHead[];
  body: Buffer[];
  ends: boolean[];
  /** Events after the end: must never happen. */
  lateEvents: string[];
}

function observingReader(isHeadRequest: boolean): { reader: ResponseReader; seen: Observed } {
  const seen: Observed = { heads: [], body: [], ends: [], lateEvents: [] };
  const reader = new ResponseReader(isHeadRequest, {
    onHead: (head) => {
      if (seen.ends.length > 0) seen.lateEvents.push('head');
      seen.heads.push(head);
    },
    onBody: (chunk) => {
      if (seen.ends.length > 0) seen.lateEvents.push('body');
      seen.body.push(Buffer.from(chunk));
    },
    onEnd: (isReusable) => {
      seen.ends.push(isReusable);
    },
  });
  return { reader, seen };
}

/** Pushes the pieces in order; the error a push threw, if any (later pieces are not pushed). */
function pushAll(reader: ResponseReader, pieces: Buffer[]): unknown {
  for (const piece of pieces) {
    try {
      reader.push(piece);
    } catch (error) {
      return error;
    }
  }
  return undefined;
}

// Each property runs in well under a second here; the runs are many because the inputs are small.
const runs = { numRuns: 400 };

describe('ResponseReader, property-based', () => {
  it('reads every well-formed answer exactly as sent, whatever the reads it comes in', () => {
    fc.assert(
      fc.property(validAnswer, cuts, (answer, cutPoints) => {
        const expected = expectedRead(answer);
        const { bytes } = serialise(answer);
        const { reader, seen } = observingReader(expected.isHeadRequest);
        expect(pushAll(reader, splitAt(bytes, cutPoints))).toBeUndefined();
        if (expected.endsAtClose) {
          expect(seen.ends).toEqual([]);
          expect(reader.close()).toBe(true);
        }
        expect(seen.heads).toEqual([
          {
            statusCode: expected.statusCode,
            statusMessage: expected.statusMessage,
            headers: expected.headers,
          },
        ]);
        expect(Buffer.concat(seen.body).equals(expected.body)).toBe(true);
        expect(seen.ends).toEqual([expected.isReusable]);
        expect(reader.isDone).toBe(true);
        expect(seen.lateEvents).toEqual([]);
      }),
      runs,
    );
  });

  it('never takes bytes after the end as part of the answer, nor reuses a connection that had them in the same read', () => {
    const framedAnswer = validAnswer.filter((answer) => expectedRead(answer).endsAtClose === false);
    const unsolicited = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
      fc.constant(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nLEFTOVER')),
    );
    fc.assert(
      fc.property(framedAnswer, unsolicited, cuts, (answer, extra, cutPoints) => {
        const expected = expectedRead(answer);
        const { bytes } = serialise(answer);
        const pieces = splitAt(Buffer.concat([bytes, extra]), cutPoints);
        const { reader, seen } = observingReader(expected.isHeadRequest);
        expect(pushAll(reader, pieces)).toBeUndefined();
        expect(Buffer.concat(seen.body).equals(expected.body)).toBe(true);
        expect(seen.ends.length).toBe(1);
        expect(seen.lateEvents).toEqual([]);
        // Where the answer's last byte and the first extra byte came in the same read, the reader saw
        // them and must not let the connection carry another request (later bytes reach an idle
        // connection, which the pool closes).
        let offset = 0;
        const sharesARead = pieces.some((piece) => {
          const start = offset;
          offset += piece.length;
          return start < bytes.length && offset > bytes.length;
        });
        if (sharesARead) expect(seen.ends).toEqual([false]);
      }),
      runs,
    );
  });

  it('refuses every malformed answer with MalformedResponseError, whatever the reads, and never ends it', () => {
    fc.assert(
      fc.property(malformedAnswer, cuts, ({ breakage, bytes }, cutPoints) => {
        const { reader, seen } = observingReader(false);
        const error = pushAll(reader, splitAt(bytes, cutPoints));
        expect(error, breakage).toBeInstanceOf(MalformedResponseError);
        expect(seen.ends, breakage).toEqual([]);
      }),
      runs,
    );
  });

  it('reads an answer cut short as not whole when the app closes, and never ends it', () => {
    const cutShort = fc
      .tuple(
        validAnswer.filter((answer) => !expectedRead(answer).endsAtClose),
        fc.nat(),
        cuts,
      )
      .map(([answer, keep, cutPoints]) => {
        const { bytes } = serialise(answer);
        return { answer, pieces: splitAt(bytes.subarray(0, keep % bytes.length), cutPoints) };
      });
    fc.assert(
      fc.property(cutShort, ({ answer, pieces }) => {
        const { reader, seen } = observingReader(expectedRead(answer).isHeadRequest);
        expect(pushAll(reader, pieces)).toBeUndefined();
        expect(reader.close()).toBe(false);
        expect(seen.ends).toEqual([]);
      }),
      runs,
    );
  });

  it('on any bytes at all: throws nothing but MalformedResponseError, passes on no more than it got, and a close settles it', () => {
    const anyBytes = fc.oneof(
      fc.uint8Array({ maxLength: 600 }).map((bytes) => Buffer.from(bytes)),
      // Garbage after a plausible start, so the parser goes deeper than the status line.
      fc
        .tuple(
          fc.constantFrom(
            'HTTP/1.1 200 OK\r\n',
            'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n',
            'HTTP/1.1 100 Continue\r\n\r\n',
          ),
          fc.uint8Array({ maxLength: 300 }),
        )
        .map(([start, rest]) => Buffer.concat([Buffer.from(start), Buffer.from(rest)])),
      // Well-formed words in a random order: heads, sizes and line ends the parser must not trip on.
      fc
        .array(
          fc.constantFrom(
            'HTTP/1.1 200 OK',
            '\r\n',
            'Content-Length: 3',
            'Transfer-Encoding: chunked',
            '0',
            '5',
            'abc',
            ';x',
            ':',
            ' ',
            '\n',
            '\r',
          ),
          { maxLength: 30 },
        )
        .map((words) => Buffer.from(words.join(''), 'latin1')),
    );
    fc.assert(
      fc.property(anyBytes, cuts, fc.boolean(), (bytes, cutPoints, isHeadRequest) => {
        const { reader, seen } = observingReader(isHeadRequest);
        const error = pushAll(reader, splitAt(bytes, cutPoints));
        if (error !== undefined) expect(error).toBeInstanceOf(MalformedResponseError);
        expect(Buffer.concat(seen.body).length).toBeLessThanOrEqual(bytes.length);
        expect(seen.heads.length).toBeLessThanOrEqual(1);
        expect(seen.ends.length).toBeLessThanOrEqual(1);
        if (error === undefined) {
          // Either whole, or waiting for more: the app closing then says which, without throwing.
          const isWhole = reader.close();
          expect(isWhole).toBe(reader.isDone);
          expect(seen.ends.length).toBe(isWhole ? 1 : 0);
        }
      }),
      runs,
    );
  });
});
