import { createHash, randomBytes } from 'node:crypto';
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import {
  type AddressInfo,
  createServer as createTcpServer,
  type Socket,
  type Server as TcpServer,
} from 'node:net';
import { waitFor } from '@cove/shared/testing/wait';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpForwarder, type HttpForwarder } from './http-forwarder';

// A real app server and a real front server on 127.0.0.1, with the forwarder between them.
const pageBody = randomBytes(100_000);
const bigChunk = randomBytes(1024 * 1024);
const bigChunkCount = 96;

/** What the app did with the large answer: how far it got, and whether it waits for the proxy. */
const bigAnswer = { bytesSent: 0, isWaitingForDrain: false };
const heldRequests = new Set<IncomingMessage>();

function writeBigAnswer(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'application/octet-stream' });
  let sentChunks = 0;
  const writeMore = () => {
    bigAnswer.isWaitingForDrain = false;
    while (sentChunks < bigChunkCount) {
      sentChunks += 1;
      bigAnswer.bytesSent += bigChunk.length;
      if (!response.write(bigChunk)) {
        bigAnswer.isWaitingForDrain = true;
        response.once('drain', writeMore);
        return;
      }
    }
    response.end();
  };
  writeMore();
}

function answer(request: IncomingMessage, response: ServerResponse): void {
  switch (request.url) {
    case '/page':
      response.writeHead(201, 'Made Here', {
        'content-type': 'application/octet-stream',
        'content-length': String(pageBody.length),
        'x-app': 'kept',
        'set-cookie': ['a=1; Path=/', 'b=2; Path=/'],
        connection: 'keep-alive, x-app-hop',
        'x-app-hop': 'dropped',
      });
      response.end(request.method === 'HEAD' ? undefined : pageBody);
      return;
    case '/no-content':
      response.writeHead(204, { 'x-app': 'kept' }).end();
      return;
    case '/not-modified':
      response.writeHead(304, { etag: '"v1"' }).end();
      return;
    case '/streamed':
      // No content-length: the answer is sent as it is produced, and forwarded the same way.
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('first part, ');
      setImmediate(() => response.end('second part'));
      return;
    case '/big':
      writeBigAnswer(response);
      return;
    case '/forwarded':
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(request.headers));
      return;
    case '/echo-body': {
      const digest = createHash('sha256');
      let bytes = 0;
      request.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        digest.update(chunk);
      });
      request.on('end', () => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            bytes,
            sha256: digest.digest('hex'),
            transferEncoding: request.headers['transfer-encoding'] ?? null,
            contentLength: request.headers['content-length'] ?? null,
          }),
        );
      });
      return;
    }
    case '/closing':
      response.writeHead(200, { connection: 'close', 'content-length': '6' }).end('closed');
      return;
    case '/cut-short':
      // The container dies mid-answer: a length promised, a part sent, the connection gone.
      response.writeHead(200, { 'content-length': '1000' });
      response.write('only a part', () => response.socket?.destroy());
      return;
    case '/hold':
      heldRequests.add(request);
      response.once('close', () => heldRequests.delete(request));
      return;
    default:
      response.writeHead(404).end();
  }
}

let app: Server;
let front: Server;
let forwarder: HttpForwarder;
let frontPort: number;
const forwardErrors: Error[] = [];

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  app = createServer(answer);
  const appPort = await listen(app);
  forwarder = createHttpForwarder();
  front = createServer((request, response) =>
    forwarder.forward(request, response, { host: '127.0.0.1', port: appPort }, (error) => {
      forwardErrors.push(error);
      response.destroy();
    }),
  );
  frontPort = await listen(front);
});

afterAll(async () => {
  await forwarder?.destroy();
  for (const server of [front, app]) {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  }
});

interface Answer {
  response: IncomingMessage;
  body: Buffer;
  isReusedSocket: boolean;
}

/** Asks the front server; `bodyParts` are written one by one (chunked unless a content-length is set). */
function ask(
  path: string,
  options: { method?: string; agent?: Agent; headers?: Record<string, string>; bodyParts?: Buffer[] } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port: frontPort,
        path,
        method: options.method ?? 'GET',
        agent: options.agent,
        headers: options.headers,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ response, body: Buffer.concat(chunks), isReusedSocket: request.reusedSocket }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.setTimeout(10_000, () => request.destroy(new Error('no answer through the forwarder')));
    for (const part of options.bodyParts ?? []) request.write(part);
    request.end();
  });
}

describe('createHttpForwarder', () => {
  it('passes status, message, headers and body through unchanged, with content-length kept', async () => {
    const { response, body } = await ask('/page');
    expect(response.statusCode).toBe(201);
    expect(response.statusMessage).toBe('Made Here');
    expect(body.equals(pageBody)).toBe(true);
    expect(response.headers['content-length']).toBe(String(pageBody.length));
    expect(response.headers['transfer-encoding']).toBeUndefined();
    expect(response.headers['x-app']).toBe('kept');
    expect(response.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    // Hop-by-hop headers, and those the app's Connection header names, stay on the app's hop.
    expect(response.headers['x-app-hop']).toBeUndefined();
  });

  it.each([
    ['app.example:8443', '8443'],
    ['[::1]:8080', '8080'],
    ['[::1]', '80'],
    ['app.example', '80'],
  ])('tells the app the port of Host %s (%s) beside the other X-Forwarded headers', async (host, port) => {
    const { body } = await ask('/forwarded', { headers: { host } });
    const seen = JSON.parse(body.toString());
    expect(seen['x-forwarded-port']).toBe(port);
    expect(seen['x-forwarded-host']).toBe(host);
    expect(seen['x-forwarded-proto']).toBe('http');
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
  });

  it('replaces X-Forwarded-* a client sent with what the connection and its Host say', async () => {
    const { body } = await ask('/forwarded', {
      headers: {
        host: 'app.example:8443',
        'x-forwarded-for': '6.6.6.6',
        'x-forwarded-host': 'evil.example',
        'x-forwarded-proto': 'https',
        'x-forwarded-port': '1',
      },
    });
    const seen = JSON.parse(body.toString());
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen['x-forwarded-host']).toBe('app.example:8443');
    expect(seen['x-forwarded-proto']).toBe('http');
    expect(seen['x-forwarded-port']).toBe('8443');
  });

  it("keeps a trusted front proxy's X-Forwarded-* and appends the peer to X-Forwarded-For", async () => {
    const trustingForwarder = createHttpForwarder({ trustedProxyAddresses: new Set(['127.0.0.1']) });
    const appPort = (app.address() as AddressInfo).port;
    const trustingFront = createServer((request, response) =>
      trustingForwarder.forward(request, response, { host: '127.0.0.1', port: appPort }, () =>
        response.destroy(),
      ),
    );
    const trustingPort = await listen(trustingFront);
    try {
      const seen = await new Promise<Record<string, string>>((resolve, reject) => {
        const request = httpRequest(
          {
            host: '127.0.0.1',
            port: trustingPort,
            path: '/forwarded',
            agent: false,
            headers: {
              host: 'app.example',
              'x-forwarded-for': '203.0.113.7',
              'x-forwarded-host': 'apps.example.com',
              'x-forwarded-proto': 'https',
              'x-forwarded-port': '443',
            },
          },
          (response) => {
            let text = '';
            response.on('data', (chunk: Buffer) => {
              text += chunk.toString();
            });
            response.on('end', () => resolve(JSON.parse(text)));
          },
        );
        request.on('error', reject);
        request.end();
      });
      expect(seen['x-forwarded-for']).toBe('203.0.113.7,127.0.0.1');
      expect(seen['x-forwarded-host']).toBe('apps.example.com');
      expect(seen['x-forwarded-proto']).toBe('https');
      expect(seen['x-forwarded-port']).toBe('443');
    } finally {
      await trustingForwarder.destroy();
      trustingFront.closeAllConnections();
      await new Promise<void>((resolve) => trustingFront.close(() => resolve()));
    }
  });

  it('passes header bytes above 0x7f to the app as the browser sent them', async () => {
    const { body } = await ask('/forwarded', { headers: { 'x-name': 'caf\u00e9 \u00ff' } });
    expect(JSON.parse(body.toString())['x-name']).toBe('caf\u00e9 \u00ff');
  });

  it('keeps the connection to the browser open from one answer to the next', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await ask('/page', { agent });
      const second = await ask('/page', { agent });
      expect(first.response.headers.connection).toBe('keep-alive');
      expect(second.isReusedSocket).toBe(true);
      expect(second.body.equals(pageBody)).toBe(true);
    } finally {
      agent.destroy();
    }
  });

  it('answers HEAD, 204 and 304 without a body and keeps the connection usable', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const head = await ask('/page', { method: 'HEAD', agent });
      expect(head.response.statusCode).toBe(201);
      expect(head.response.headers['content-length']).toBe(String(pageBody.length));
      expect(head.body.length).toBe(0);

      const noContent = await ask('/no-content', { agent });
      expect(noContent.response.statusCode).toBe(204);
      expect(noContent.response.headers['x-app']).toBe('kept');
      expect(noContent.body.length).toBe(0);

      const notModified = await ask('/not-modified', { agent });
      expect(notModified.response.statusCode).toBe(304);
      expect(notModified.response.headers.etag).toBe('"v1"');
      expect(notModified.body.length).toBe(0);

      // Had any of them carried stray bytes, this answer on the same socket would be garbled.
      const after = await ask('/page', { agent });
      expect(after.isReusedSocket).toBe(true);
      expect(after.body.equals(pageBody)).toBe(true);
    } finally {
      agent.destroy();
    }
  });

  it('streams an answer without a length as it comes', async () => {
    const { response, body } = await ask('/streamed');
    expect(response.headers['transfer-encoding']).toBe('chunked');
    expect(body.toString()).toBe('first part, second part');
  });

  it('holds the app back while the browser does not read, then delivers every byte', async () => {
    const total = bigChunk.length * bigChunkCount;
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const request = httpRequest({ host: '127.0.0.1', port: frontPort, path: '/big' }, resolve);
      request.on('error', reject);
      request.end();
    });
    response.pause();
    // Held back: the app waits for the forwarder to take more, and no more bytes leave it.
    let lastBytesSent = -1;
    let stalledPolls = 0;
    await waitFor(
      () => {
        const isStalled = bigAnswer.isWaitingForDrain && bigAnswer.bytesSent === lastBytesSent;
        stalledPolls = isStalled ? stalledPolls + 1 : 0;
        lastBytesSent = bigAnswer.bytesSent;
        return stalledPolls >= 5;
      },
      { timeoutMs: 20_000, intervalMs: 50, description: 'the app to be held back by the forwarder' },
    );
    expect(bigAnswer.bytesSent).toBeLessThan(total);

    const digest = createHash('sha256');
    let received = 0;
    response.on('data', (chunk: Buffer) => {
      received += chunk.length;
      digest.update(chunk);
    });
    await new Promise((resolve, reject) => {
      response.once('end', resolve);
      response.once('error', reject);
      response.resume();
    });
    expect(received).toBe(total);
    const expected = createHash('sha256');
    for (let index = 0; index < bigChunkCount; index += 1) expected.update(bigChunk);
    expect(digest.digest('hex')).toBe(expected.digest('hex'));
  }, 30_000);

  it('cancels the request to the app when the browser goes away', async () => {
    const request = httpRequest({ host: '127.0.0.1', port: frontPort, path: '/hold' });
    request.on('error', () => {});
    request.end();
    await waitFor(() => heldRequests.size === 1, {
      timeoutMs: 5_000,
      intervalMs: 10,
      description: 'the app to receive the request',
    });
    request.destroy();
    await waitFor(() => heldRequests.size === 0, {
      timeoutMs: 5_000,
      intervalMs: 10,
      description: 'the request to the app to be closed',
    });
    expect(forwardErrors).toEqual([]);
  });

  it.each([
    ['a content-length', true],
    ['chunks', false],
  ])('sends a request body framed with %s to the app whole', async (_framing, withLength) => {
    const parts = [randomBytes(70_000), randomBytes(1), randomBytes(300_000)];
    const { response, body } = await ask('/echo-body', {
      method: 'POST',
      headers: withLength ? { 'content-length': '370001' } : {},
      bodyParts: parts,
    });
    expect(response.statusCode).toBe(200);
    const seen = JSON.parse(body.toString());
    const expected = createHash('sha256');
    for (const part of parts) expected.update(part);
    expect(seen.bytes).toBe(370_001);
    expect(seen.sha256).toBe(expected.digest('hex'));
    expect(seen.transferEncoding).toBe(withLength ? null : 'chunked');
    expect(seen.contentLength).toBe(withLength ? '370001' : null);
  });

  it('answers after an app answer that closed its connection (a new one is opened)', async () => {
    const closing = await ask('/closing');
    expect(closing.body.toString()).toBe('closed');
    const after = await ask('/page');
    expect(after.body.equals(pageBody)).toBe(true);
  });

  it('cuts the browser off when the app drops the connection mid-answer, and says so', async () => {
    const errorsBefore = forwardErrors.length;
    await expect(ask('/cut-short')).rejects.toThrow();
    expect(forwardErrors.length).toBe(errorsBefore + 1);
    expect(forwardErrors.at(-1)?.message).toMatch(/closed the connection/);
  });
});

describe('createHttpForwarder against apps that misbehave', () => {
  let forwarder: HttpForwarder;
  let server: TcpServer;
  let port: number;
  let front: Server;
  let frontPort: number;
  /** Where the front server forwards to. */
  let target = 0;
  /** What each connection the app accepted was asked, in order. */
  const connections: string[][] = [];
  let answerWith: (socket: Socket, requestIndex: number) => void = () => {};

  beforeAll(async () => {
    forwarder = createHttpForwarder();
    front = createServer((request, response) =>
      forwarder.forward(request, response, { host: '127.0.0.1', port: target }, (error) => {
        response.writeHead(502).end(error.message);
      }),
    );
    frontPort = await listen(front);
    server = createTcpServer((socket) => {
      const asked: string[] = [];
      connections.push(asked);
      socket.on('data', (chunk) => {
        asked.push(chunk.toString('latin1').split('\r\n')[0] ?? '');
        answerWith(socket, asked.length - 1);
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await forwarder?.destroy();
    front?.closeAllConnections();
    await new Promise<void>((resolve) => front?.close(() => resolve()));
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  /**
   * Forwards one request through the front server on a connection of its own, or on `agent`'s kept
   * one (the app's connection is kept for the browser connection that used it); resolves with the
   * front's answer.
   */
  function forwardOnce(
    path: string,
    options: { to?: number; method?: string; agent?: Agent } = {},
  ): Promise<{ statusCode?: number; statusMessage?: string; body?: string }> {
    target = options.to ?? port;
    return new Promise((resolve, reject) => {
      const request = httpRequest(
        {
          host: '127.0.0.1',
          port: frontPort,
          path,
          method: options.method ?? 'GET',
          agent: options.agent ?? false,
        },
        (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => {
            body += chunk.toString();
          });
          response.on('end', () =>
            resolve({
              statusCode: response.statusCode ?? 0,
              statusMessage: response.statusMessage ?? '',
              body,
            }),
          );
        },
      );
      request.on('error', reject);
      request.end();
    });
  }

  it('gives the reason when the app cannot be reached', async () => {
    const closed = createTcpServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const answer = await forwardOnce('/', { to: closedPort });
    expect(answer.statusCode).toBe(502);
    expect(answer.body).toMatch(/ECONNREFUSED/);
  });

  it('gives the reason when the app answers with something that is not HTTP', async () => {
    answerWith = (socket) => socket.write('SSH-2.0-OpenSSH_9.2\r\n\r\n');
    const answer = await forwardOnce('/not-http');
    expect(answer.statusCode).toBe(502);
    expect(answer.body).toMatch(/status line/);
  });

  it('asks again on a new connection when a kept-alive one turns out closed before any answer', async () => {
    connections.length = 0;
    // The first request on a connection is answered; the second finds the app closing it.
    answerWith = (socket, requestIndex) => {
      if (requestIndex === 0) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      else socket.destroy();
    };
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect(await forwardOnce('/first', { agent })).toMatchObject({ statusCode: 200, body: 'ok' });
      expect(await forwardOnce('/second', { agent })).toMatchObject({ statusCode: 200, body: 'ok' });
    } finally {
      agent.destroy();
    }
    expect(connections).toEqual([['GET /first HTTP/1.1', 'GET /second HTTP/1.1'], ['GET /second HTTP/1.1']]);
  });

  it('answers 502 to a status below 100 instead of waiting for another head', async () => {
    answerWith = (socket) => socket.write('HTTP/1.1 000 X\r\ncontent-length: 2\r\n\r\nhi');
    const answer = await forwardOnce('/bad-status');
    expect(answer.statusCode).toBe(502);
    expect(answer.body).toMatch(/invalid status 000/);
  });

  it('sends the 502 for a head the browser side refuses without the app status text', async () => {
    answerWith = (socket) =>
      socket.write('HTTP/1.1 200 Fine By Me\r\nX-Ctl: a\u0001b\r\ncontent-length: 2\r\n\r\nhi', 'latin1');
    const answer = await forwardOnce('/ctl-header');
    expect(answer.statusCode).toBe(502);
    expect(answer.statusMessage).toBe('Bad Gateway');
  });

  it.each([['POST'], ['DELETE']])(
    'does not send a bodyless %s again when a kept-alive connection fails before any answer',
    async (method) => {
      connections.length = 0;
      answerWith = (socket, requestIndex) => {
        if (requestIndex === 0) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        else socket.destroy();
      };
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        expect(await forwardOnce('/first', { agent })).toMatchObject({ statusCode: 200, body: 'ok' });
        expect(await forwardOnce('/second', { agent, method })).toMatchObject({ statusCode: 502 });
      } finally {
        agent.destroy();
      }
      expect(connections).toEqual([['GET /first HTTP/1.1', `${method} /second HTTP/1.1`]]);
    },
  );

  it("never hands an app's unrequested bytes after an answer to another visitor", async () => {
    connections.length = 0;
    // The app answers, then writes a second answer nobody asked for once the next request comes in
    // on that connection: the worst moment, when the proxy cannot tell it from the real answer.
    answerWith = (socket, requestIndex) => {
      if (requestIndex === 0) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello');
      else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nPOISONED');
    };
    expect(await forwardOnce('/extra-bytes')).toMatchObject({ statusCode: 200, body: 'hello' });
    expect(await forwardOnce('/next-visitor')).toMatchObject({ statusCode: 200, body: 'hello' });
    expect(connections).toEqual([['GET /extra-bytes HTTP/1.1'], ['GET /next-visitor HTTP/1.1']]);
  });

  it('answers with the reason when the app sends no answer in time, and does not ask it again', async () => {
    const impatient = createHttpForwarder({ answerTimeoutMs: 200 });
    const impatientFront = createServer((request, response) =>
      impatient.forward(request, response, { host: '127.0.0.1', port }, (error) => {
        response.writeHead(502).end(error.message);
      }),
    );
    const impatientPort = await listen(impatientFront);
    connections.length = 0;
    // The first request is answered; the second, on the same kept connection, never is.
    answerWith = (socket, requestIndex) => {
      if (requestIndex === 0) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    };
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const ask = (path: string) =>
      new Promise<{ statusCode: number; body: string }>((resolve, reject) => {
        const request = httpRequest({ host: '127.0.0.1', port: impatientPort, path, agent }, (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => {
            body += chunk.toString();
          });
          response.on('end', () => resolve({ statusCode: response.statusCode ?? 0, body }));
        });
        request.on('error', reject);
        request.end();
      });
    try {
      expect(await ask('/first')).toEqual({ statusCode: 200, body: 'ok' });
      const late = await ask('/never-answered');
      expect(late.statusCode).toBe(502);
      expect(late.body).toMatch(/no answer within 0\.2 s/);
      expect(connections).toEqual([['GET /first HTTP/1.1', 'GET /never-answered HTTP/1.1']]);
    } finally {
      agent.destroy();
      await impatient.destroy();
      impatientFront.closeAllConnections();
      await new Promise<void>((resolve) => impatientFront.close(() => resolve()));
    }
  });
});
