import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import {
  type AddressInfo,
  connect,
  createServer as createTcpServer,
  type Socket,
  type Server as TcpServer,
} from 'node:net';
import { waitFor } from '@cove/shared/testing/wait';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forwardWebSocket } from './websocket-forwarder';
import { serverCloseFrame } from './websocket-frames';
import { WebSocketTunnels } from './websocket-tunnels';

// A raw TCP "app" that answers each upgrade as the test says, the forwarder in a real HTTP server in
// front of it, and a browser speaking raw bytes.
let app: TcpServer;
let appPort: number;
let front: Server;
let frontPort: number;
const tunnels = new WebSocketTunnels();
const forwardErrors: Error[] = [];
let upstreamPort = 0;
/** What the app received on its latest connection. */
let appReceived = Buffer.alloc(0);
/** What the app had received when it answered the upgrade. */
let appReceivedBeforeAnswer = '';
let appConnections = 0;
let answerUpgrade: (socket: Socket) => void = () => {};

async function listen(server: Server | TcpServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  app = createTcpServer((socket) => {
    appReceived = Buffer.alloc(0);
    appConnections += 1;
    let isAnswered = false;
    socket.on('data', (chunk: Buffer) => {
      appReceived = Buffer.concat([appReceived, chunk]);
      if (!isAnswered && appReceived.includes('\r\n\r\n')) {
        isAnswered = true;
        appReceivedBeforeAnswer = appReceived.toString('latin1');
        answerUpgrade(socket);
      }
    });
    socket.on('error', () => {});
  });
  appPort = await listen(app);
  front = createServer();
  front.on('upgrade', (request, socket, head) => {
    tunnels.track(socket);
    forwardWebSocket({
      request,
      client: socket,
      head,
      upstream: { host: '127.0.0.1', port: upstreamPort },
      tunnels,
      onError: (error) => {
        forwardErrors.push(error);
        socket.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      },
    });
  });
  frontPort = await listen(front);
});

afterAll(async () => {
  tunnels.destroyAll();
  front?.closeAllConnections();
  await new Promise<void>((resolve) => front?.close(() => resolve()));
  await new Promise<void>((resolve) => app?.close(() => resolve()));
});

interface Browser {
  socket: Socket;
  received(): Buffer;
  closed: Promise<void>;
}

/** Sends an upgrade request (and `extra` bytes right behind it) as a browser would. */
function openBrowser(extra = Buffer.alloc(0), extraHeaders = ''): Browser {
  const socket = connect(frontPort, '127.0.0.1');
  let received = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(
    Buffer.concat([
      Buffer.from(
        'GET /_stcore/stream HTTP/1.1\r\nHost: app.localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extraHeaders}\r\n`,
        'latin1',
      ),
      extra,
    ]),
  );
  return { socket, received: () => received, closed };
}

/** An unmasked text frame, as an app sends one. */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from([0x81, payload.length]), payload]);
}

const switching =
  'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n';

describe('forwardWebSocket', () => {
  it("sends the browser's handshake with X-Forwarded headers, and joins both ways after the app's 101", async () => {
    upstreamPort = appPort;
    answerUpgrade = (socket) => socket.write(`${switching}first frame from the app`);
    const browser = openBrowser(Buffer.from('early bytes'));
    await waitFor(() => browser.received().toString('latin1').endsWith('first frame from the app'), {
      timeoutMs: 5_000,
      description: "the app's 101 and the frame that came with it",
    });
    expect(browser.received().toString('latin1')).toBe(`${switching}first frame from the app`);
    const handshake = appReceived.toString('latin1');
    expect(handshake).toMatch(/^GET \/_stcore\/stream HTTP\/1\.1\r\n/);
    expect(handshake).toContain('upgrade: websocket\r\n');
    expect(handshake).toContain('connection: Upgrade\r\n');
    expect(handshake).toContain('sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n');
    expect(handshake).toContain('x-forwarded-for: 127.0.0.1\r\n');
    expect(handshake).toContain('x-forwarded-proto: ws\r\n');
    // The browser's bytes behind its handshake reach the app only after its 101.
    expect(appReceivedBeforeAnswer.endsWith('\r\n\r\n')).toBe(true);
    await waitFor(() => appReceived.toString('latin1').endsWith('\r\n\r\nearly bytes'), {
      timeoutMs: 5_000,
      description: "the browser's early bytes at the app",
    });

    browser.socket.write('from the browser');
    await waitFor(() => appReceived.toString('latin1').endsWith('from the browser'), {
      timeoutMs: 5_000,
      description: "the browser's bytes at the app",
    });
    browser.socket.destroy();
  });

  it('relays every byte of a large stream from the app, held back while the browser does not read', async () => {
    const payload = randomBytes(16 * 1024 * 1024);
    let isAppHeldBack = false;
    answerUpgrade = (socket) => {
      socket.write(switching);
      isAppHeldBack = !socket.write(payload);
    };
    const browser = openBrowser();
    browser.socket.pause();
    await waitFor(() => isAppHeldBack, { timeoutMs: 5_000, description: 'the app to be held back' });
    const digest = createHash('sha256');
    let bytes = 0;
    browser.socket.removeAllListeners('data');
    browser.socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      digest.update(chunk);
    });
    browser.socket.resume();
    await waitFor(() => bytes === switching.length + payload.length, {
      timeoutMs: 20_000,
      description: 'every byte at the browser',
    });
    const expected = createHash('sha256').update(switching).update(payload).digest('hex');
    expect(digest.digest('hex')).toBe(expected);
    browser.socket.destroy();
  }, 30_000);

  it('the app going away without a close frame leaves the browser one with 1012, after every byte it sent', async () => {
    const lastFrame = textFrame('the last frame from the app');
    answerUpgrade = (socket) => socket.end(Buffer.concat([Buffer.from(switching), lastFrame]));
    const browser = openBrowser();
    await browser.closed;
    expect(browser.received()).toEqual(
      Buffer.concat([Buffer.from(switching), lastFrame, serverCloseFrame(1012, 'the app went away')]),
    );
  });

  it("relays the app's own close frame as it is, with none added", async () => {
    const appClose = serverCloseFrame(1000, 'done');
    answerUpgrade = (socket) =>
      socket.end(Buffer.concat([Buffer.from(switching), textFrame('bye'), appClose]));
    const browser = openBrowser();
    await browser.closed;
    expect(browser.received()).toEqual(Buffer.concat([Buffer.from(switching), textFrame('bye'), appClose]));
  });

  it('adds no close frame into a frame the app left half sent', async () => {
    const halfFrame = textFrame('cut short').subarray(0, 5);
    answerUpgrade = (socket) => socket.end(Buffer.concat([Buffer.from(switching), halfFrame]));
    const browser = openBrowser();
    await browser.closed;
    expect(browser.received()).toEqual(Buffer.concat([Buffer.from(switching), halfFrame]));
  });

  it('relays an answer that is not an upgrade as it is, then closes the connection', async () => {
    const refusal =
      'HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\ncontent-length: 9\r\n\r\nforbidden';
    answerUpgrade = (socket) => socket.write(refusal); // and keeps its side open, as Tornado does
    // A second request behind the upgrade, in the same packet: the app must never read it.
    const smuggled = Buffer.from(
      'GET /smuggled HTTP/1.1\r\nHost: app.localhost\r\nX-Streamlit-User: c3Bvb2ZlZA==\r\n\r\n',
    );
    const browser = openBrowser(smuggled);
    await browser.closed;
    expect(browser.received().toString('latin1')).toBe(refusal);
    expect(appReceived.toString('latin1')).not.toContain('/smuggled');
  });

  it.each([
    ['a content-length', 'Content-Length: 5\r\n'],
    ['chunks', 'Transfer-Encoding: chunked\r\n'],
  ])(
    'refuses an upgrade request with a body framed by %s, without asking the app',
    async (_framing, header) => {
      const connectionsBefore = appConnections;
      const browser = openBrowser(Buffer.from('hello'), header);
      await browser.closed;
      expect(browser.received().toString('latin1')).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(browser.received().toString('latin1')).toContain('cannot have a body');
      expect(appConnections).toBe(connectionsBefore);
    },
  );

  it('says why when the app cannot be reached', async () => {
    const closed = createTcpServer();
    upstreamPort = await listen(closed);
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const errorsBefore = forwardErrors.length;
    const browser = openBrowser();
    await browser.closed;
    expect(browser.received().toString('latin1')).toMatch(/^HTTP\/1\.1 502 /);
    expect(forwardErrors.length).toBe(errorsBefore + 1);
    expect(forwardErrors.at(-1)?.message).toMatch(/ECONNREFUSED/);
    upstreamPort = appPort;
  });
});
