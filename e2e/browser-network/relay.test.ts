// The host's end of the browser's network carries connections to 127.0.0.1 and survives an app
// side that resets them (a Unix socket cannot be reset; trying threw and ended the journeys' runner).
import net from 'node:net';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { type HostRelay, startHostRelay } from './relay';

let relay: HostRelay | undefined;
let upstream: net.Server | undefined;
afterEach(async () => {
  await relay?.close();
  await new Promise((resolve) => (upstream ? upstream.close(resolve) : resolve(undefined)));
});

async function listenOnLoopback(onConnection: (socket: net.Socket) => void): Promise<number> {
  upstream = net.createServer(onConnection);
  await new Promise<void>((resolve) => upstream?.listen(0, '127.0.0.1', resolve));
  const address = upstream.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function talk(socketPath: string, message: string): Promise<{ answer: string }> {
  return new Promise((resolve) => {
    const client = net.connect(socketPath);
    let answer = '';
    client.on('data', (chunk) => {
      answer += chunk.toString();
    });
    client.on('error', () => {});
    client.on('close', () => resolve({ answer }));
    client.write(message);
  });
}

test('bytes go both ways between the Unix socket and the port', async () => {
  const port = await listenOnLoopback((socket) => socket.on('data', (chunk) => socket.end(`echo ${chunk}`)));
  relay = await startHostRelay([port]);
  expect(await talk(path.join(relay.dir, `${port}.sock`), 'hello')).toEqual({ answer: 'echo hello' });
});

test('an app side that resets the connection closes the browser side, and the relay keeps serving', async () => {
  let connections = 0;
  const port = await listenOnLoopback((socket) => {
    connections += 1;
    socket.on('data', () => (connections === 1 ? socket.resetAndDestroy() : socket.end('still here')));
  });
  relay = await startHostRelay([port]);
  const socketPath = path.join(relay.dir, `${port}.sock`);
  expect(await talk(socketPath, 'first')).toEqual({ answer: '' });
  expect(await talk(socketPath, 'second')).toEqual({ answer: 'still here' });
});
