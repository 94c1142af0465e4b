// The journeys' Chromium runs in a network namespace of its own, so Docker adding or removing a
// veth on the host (every container start and stop) is not a network change it sees: Chromium drops
// every load in flight on one (net::ERR_NETWORK_CHANGED), which a viewer on another machine never
// meets. The namespace has only its loopback; the platform's ports are carried into it through
// Unix sockets, which belong to the file system, not to a namespace:
//
//   Chromium -> 127.0.0.1:<port> in the namespace -> <dir>/<port>.sock -> 127.0.0.1:<port> on the host
//
// The host side runs in Playwright's global set-up (startHostRelay); the namespace side is this
// file's `inside` command, which chromium.sh starts under `unshare --net` and which starts Chromium.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Where the two sides meet: the environment Playwright hands to the browser it launches. */
export const relayDirVariable = 'COVE_BROWSER_RELAY_DIR';
export const relayPortsVariable = 'COVE_BROWSER_RELAY_PORTS';

const socketPath = (dir: string, port: number) => path.join(dir, `${port}.sock`);

/** Pipes each connection accepted by `server` to a fresh connection made by `connect`. */
function relayConnections(server: net.Server, connect: () => net.Socket): void {
  server.on('connection', (accepted) => {
    const onward = connect();
    accepted.pipe(onward).pipe(accepted);
    // Either side failing or closing ends the other. A reset reaches the browser as one where the
    // accepted side is TCP (only TCP sockets can be reset; a Unix socket is just closed).
    accepted.on('error', () => onward.destroy());
    onward.on('error', () => (accepted.remoteAddress ? accepted.resetAndDestroy() : accepted.destroy()));
    accepted.on('close', () => onward.destroy());
    onward.on('close', () => accepted.destroy());
  });
}

/** Listens on a Unix socket path, or on a TCP port of 127.0.0.1. */
function listen(server: net.Server, address: string | number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const options = typeof address === 'string' ? { path: address } : { port: address, host: '127.0.0.1' };
    server.listen(options, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export interface HostRelay {
  readonly dir: string;
  close(): Promise<void>;
}

/** The host's side: a Unix socket per port, each connection carried on to 127.0.0.1:<port>. */
export async function startHostRelay(ports: readonly number[]): Promise<HostRelay> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cove-browser-'));
  const servers = ports.map((port) => {
    const server = net.createServer();
    relayConnections(server, () => net.connect(port, '127.0.0.1'));
    return { server, port };
  });
  await Promise.all(servers.map(({ server, port }) => listen(server, socketPath(dir, port))));
  return {
    dir,
    close: async () => {
      await Promise.all(
        servers.map(({ server }) => new Promise<void>((resolve) => server.close(() => resolve()))),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function requiredVariable(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: Chromium is launched by the journeys' global set-up.`);
  return value;
}

/**
 * The namespace's side, run as the browser's own process: loopback up, each port listened on and
 * carried out through its Unix socket, then Chromium with the descriptors Playwright gave us (it
 * drives the browser through pipes 3 and 4). Exits as Chromium does.
 */
async function runInside(chromiumArgs: readonly string[]): Promise<void> {
  const dir = requiredVariable(relayDirVariable);
  const ports = requiredVariable(relayPortsVariable).split(',').map(Number);
  execFileSync('ip', ['link', 'set', 'lo', 'up']);
  for (const port of ports) {
    const server = net.createServer();
    relayConnections(server, () => net.connect(socketPath(dir, port)));
    await listen(server, port);
  }
  const chromium = spawn('/usr/bin/chromium', chromiumArgs, { stdio: [0, 1, 2, 3, 4] });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.on(signal, () => chromium.kill(signal));
  }
  chromium.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (process.argv[2] === 'inside') {
  runInside(process.argv.slice(3)).catch((error: unknown) => {
    console.error('The browser could not start in its own network namespace:', error);
    process.exit(1);
  });
}
