// The forwarder over a pooled keep-alive connection to a tiny app on 127.0.0.1 that writes generated
// answers (answer-arbitraries.ts) in random pieces: whatever the first answer was (well-formed,
// with unsolicited bytes after it, malformed, cut short, garbage), the visitor gets it or a clean
// error within a bound, and the next request, from another visitor, from the same one on its kept
// connection, or pipelined behind it, gets its own answer: never a byte of the first.
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import {
  type AddressInfo,
  connect,
  createServer as createTcpServer,
  type Socket,
  type Server as TcpServer,
} from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cuts, expectedRead, malformedAnswer, serialise, splitAt, validAnswer } from './answer-arbitraries';
import { createHttpForwarder, type HttpForwarder } from './http-forwarder';

/** What the app writes for one request: the pieces (each its own write), then whether it closes. */
interface Script {
  pieces: Buffer[];
  closesAfter: boolean;
  /**
   * Bytes the app writes on this connection when the next request comes in on it, before that
   * request's answer: the worst moment, when nothing in HTTP/1.1 tells them from the real answer.
   */
  poisonsNextRequest?: Buffer;
}

/** Bytes that are never a real answer: a visitor who receives any of them got another's leftovers. */
const leftoverMarker = 'LEFTOVER';
const leftoverAnswer = Buffer.from(
  `HTTP/1.1 200 OK\r\nContent-Length: ${leftoverMarker.length}\r\n\r\n${leftoverMarker}`,
);

const scripts = new Map<string, Script>();
let app: TcpServer;
let front: Server;
let forwarder: HttpForwarder;
let frontPort: number;
let runNumber = 0;

/** Answers each request head by the script its path names; requests here never have a body. */
function startApp(): Promise<number> {
  app = createTcpServer((socket) => {
    let buffered = '';
    let queue = Promise.resolve();
    let poison: Buffer | undefined;
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        const path = head.split(' ')[1] ?? '';
        const script = scripts.get(path);
        queue = queue.then(async () => {
          if (poison !== undefined && !socket.destroyed) socket.write(poison);
          poison = script?.poisonsNextRequest;
          await play(socket, script);
        });
      }
    });
  });
  return new Promise((resolve) =>
    app.listen(0, '127.0.0.1', () => resolve((app.address() as AddressInfo).port)),
  );
}

async function play(socket: Socket, script: Script | undefined): Promise<void> {
  if (script === undefined) {
    socket.destroy();
    return;
  }
  for (const piece of script.pieces) {
    if (socket.destroyed) return;
    socket.write(piece);
    await nextTurn();
  }
  if (script.closesAfter) socket.end();
}

beforeAll(async () => {
  const appPort = await startApp();
  forwarder = createHttpForwarder({ answerTimeoutMs: 5_000 });
  front = createServer((request, response) =>
    forwarder.forward(request, response, { host: '127.0.0.1', port: appPort }, (error) => {
      // A clean error: a 502 with the reason, or a cut connection once the app's head went out.
      if (response.headersSent) response.destroy();
      else response.writeHead(502).end(error.message);
    }),
  );
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  frontPort = (front.address() as AddressInfo).port;
});

afterAll(async () => {
  await forwarder?.destroy();
  front?.closeAllConnections();
  await new Promise<void>((resolve) => front?.close(() => resolve()));
  await new Promise<void>((resolve) => app?.close(() => resolve()));
});

interface Got {
  statusCode: number;
  rawHeaders: string[];
  body: Buffer;
}

/** One request through the front; an error (the connection cut) resolves as null. Bounded. */
function ask(path: string, method: string, agent: Agent): Promise<Got | null> {
  return new Promise((resolve) => {
    const request = httpRequest(
      { host: '127.0.0.1', port: frontPort, path, method, agent },
      (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            statusCode: response.statusCode ?? 0,
            rawHeaders: response.rawHeaders,
            body: Buffer.concat(chunks),
          }),
        );
        response.on('error', () => resolve(null));
        response.on('aborted', () => resolve(null));
      },
    );
    request.on('error', () => resolve(null));
    request.setTimeout(4_000, () => request.destroy(new Error(`no answer to ${path} within 4 s`)));
    request.end();
  });
}

type FirstAnswer =
  | { kind: 'valid'; method: 'GET' | 'HEAD'; script: Script; expected: ReturnType<typeof expectedRead> }
  | { kind: 'broken'; method: 'GET'; script: Script; what: string };

const firstAnswer: fc.Arbitrary<FirstAnswer> = fc.oneof(
  fc
    .tuple(validAnswer, cuts, fc.constantFrom('none', 'same-write', 'next-write', 'on-next-request'))
    .map(([answer, cutPoints, leftovers]): FirstAnswer => {
      const expected = expectedRead(answer);
      const { bytes } = serialise(answer);
      const pieces = splitAt(bytes, cutPoints);
      const script: Script = { pieces, closesAfter: expected.endsAtClose };
      // Unsolicited bytes after the answer: with its last piece, in a write of their own a turn
      // later, or when the next request comes on the connection (an answer read until close has
      // none: everything before the close is its body).
      if (!expected.endsAtClose && pieces.length > 0) {
        if (leftovers === 'same-write') {
          pieces[pieces.length - 1] = Buffer.concat([pieces.at(-1) ?? Buffer.alloc(0), leftoverAnswer]);
        } else if (leftovers === 'next-write') {
          pieces.push(leftoverAnswer);
        } else if (leftovers === 'on-next-request') {
          script.poisonsNextRequest = leftoverAnswer;
        }
      }
      return { kind: 'valid', method: expected.isHeadRequest ? 'HEAD' : 'GET', script, expected };
    }),
  fc.tuple(malformedAnswer, cuts).map(
    ([{ breakage, bytes }, cutPoints]): FirstAnswer => ({
      kind: 'broken',
      method: 'GET',
      script: { pieces: splitAt(Buffer.concat([bytes, leftoverAnswer]), cutPoints), closesAfter: false },
      what: breakage,
    }),
  ),
  fc
    .tuple(
      validAnswer.filter((answer) => !expectedRead(answer).endsAtClose),
      fc.nat(),
      cuts,
    )
    .map(([answer, keep, cutPoints]): FirstAnswer => {
      const { bytes } = serialise(answer);
      return {
        kind: 'broken',
        method: expectedRead(answer).isHeadRequest ? 'HEAD' : 'GET',
        script: { pieces: splitAt(bytes.subarray(0, keep % bytes.length), cutPoints), closesAfter: true },
        what: 'cut short',
      } as FirstAnswer;
    }),
  fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 300 }), cuts).map(
    ([bytes, cutPoints]): FirstAnswer => ({
      kind: 'broken',
      method: 'GET',
      script: { pieces: splitAt(Buffer.from(bytes), cutPoints), closesAfter: true },
      what: 'garbage',
    }),
  ),
);

/** The headers of `got` named in `expected` (a flat list), in order: what the app's head became. */
function headersNamed(rawHeaders: string[], expected: string[]): string[] {
  const names = new Set(expected.filter((_, index) => index % 2 === 0).map((name) => name.toLowerCase()));
  const kept: string[] = [];
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = rawHeaders[index] ?? '';
    if (names.has(name.toLowerCase())) kept.push(name, rawHeaders[index + 1] ?? '');
  }
  return kept;
}

function checkFirst(first: FirstAnswer, got: Got | null): void {
  if (got === null) {
    expect(first.kind, 'only a broken answer may cut the visitor off').toBe('broken');
    return;
  }
  expect(got.body.toString('latin1')).not.toContain(leftoverMarker);
  if (first.kind === 'broken') {
    // Refused as a whole (502), or cut off after the head went out (then got is null, above).
    expect(got.statusCode, first.what).toBe(502);
    return;
  }
  expect(got.statusCode).toBe(first.expected.statusCode);
  expect(got.body.equals(first.expected.body)).toBe(true);
  expect(headersNamed(got.rawHeaders, first.expected.headers)).toEqual(first.expected.headers);
}

function secondScript(path: string): Script {
  const body = `second answer for ${path}`;
  return {
    pieces: [Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`)],
    closesAfter: false,
  };
}

// Each run takes a few milliseconds; 150 keep the file at a few seconds.
const runs = { numRuns: 150 };

describe('createHttpForwarder over generated app answers', () => {
  it('gives each request its own answer or a clean error, to the same visitor and to the next', async () => {
    await fc.assert(
      fc.asyncProperty(firstAnswer, async (first) => {
        runNumber += 1;
        const path = (name: string) => `/run-${runNumber}/${name}`;
        scripts.set(path('first'), first.script);
        for (const name of ['other-visitor', 'same-visitor'])
          scripts.set(path(name), secondScript(path(name)));
        const visitor = new Agent({ keepAlive: true, maxSockets: 1 });
        const otherVisitor = new Agent({ keepAlive: true, maxSockets: 1 });
        try {
          checkFirst(first, await ask(path('first'), first.method, visitor));
          // Another browser connection never gets the app connection the first answer came on.
          const other = await ask(path('other-visitor'), 'GET', otherVisitor);
          expect(other?.statusCode).toBe(200);
          expect(other?.body.toString('latin1')).toBe(`second answer for ${path('other-visitor')}`);
          // The same visitor's next request on its kept connection: its own answer, when the app's
          // stray bytes came before that request did (after it, HTTP/1.1 cannot tell them apart;
          // that app can then mislead only its own visitor, as the pool's design says).
          if (first.script.poisonsNextRequest === undefined) {
            const again = await ask(path('same-visitor'), 'GET', visitor);
            expect(again?.statusCode).toBe(200);
            expect(again?.body.toString('latin1')).toBe(`second answer for ${path('same-visitor')}`);
          }
        } finally {
          visitor.destroy();
          otherVisitor.destroy();
          for (const name of ['first', 'other-visitor', 'same-visitor']) scripts.delete(path(name));
        }
      }),
      runs,
    );
  }, 60_000);

  it('never hands a pipelined request bytes of the answer before it', async () => {
    await fc.assert(
      fc.asyncProperty(firstAnswer, async (first) => {
        runNumber += 1;
        const firstPath = `/run-${runNumber}/first`;
        const secondPath = `/run-${runNumber}/second`;
        scripts.set(firstPath, first.script);
        scripts.set(secondPath, secondScript(secondPath));
        try {
          // Both requests in one write on one browser connection; read all the front sends back.
          const received = await new Promise<string>((resolve) => {
            const socket = connect(frontPort, '127.0.0.1');
            const chunks: Buffer[] = [];
            socket.on('data', (chunk: Buffer) => chunks.push(chunk));
            socket.on('error', () => {});
            socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
            socket.setTimeout(4_000, () => socket.destroy());
            socket.write(
              `${first.method} ${firstPath} HTTP/1.1\r\nHost: app.localhost\r\n\r\n` +
                `GET ${secondPath} HTTP/1.1\r\nHost: app.localhost\r\nConnection: close\r\n\r\n`,
            );
          });
          expect(received).not.toContain(leftoverMarker);
          const seconds = received.split(`second answer for ${secondPath}`).length - 1;
          expect(seconds).toBeLessThanOrEqual(1);
          // The second answer comes whole unless the first cut the browser's connection.
          if (first.kind === 'valid') expect(seconds).toBe(1);
        } finally {
          scripts.delete(firstPath);
          scripts.delete(secondPath);
        }
      }),
      runs,
    );
  }, 60_000);
});
