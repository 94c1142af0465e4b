// What visitors do while a fault is injected: steady HTTP requests through the proxy to each app,
// open tabs (WebSockets on Streamlit's /_stcore/stream) that reconnect as Streamlit's frontend does
// when dropped, and a dashboard user calling the API. Every outcome is kept with its time, so each
// fault's window can be read afterwards. Everything goes to 127.0.0.1 and stops with stop().
import http from 'node:http';
import WebSocket from 'ws';
import type { LocalPlatform } from './platform';

export interface Sample {
  atMs: number;
  isOk: boolean;
  /** For a failure: the status or the error, to say what visitors saw. */
  detail?: string;
}

export interface SocketEvent {
  atMs: number;
  kind: 'dropped' | 'reconnected';
  /** For a reconnection: how long the tab had no live connection. */
  gapMs?: number;
}

export interface Recording {
  /** Requests through the proxy to the apps. */
  requests: Sample[];
  /** API calls to the dashboard. */
  dashboard: Sample[];
  sockets: SocketEvent[];
}

const pause = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

function get(
  agent: http.Agent,
  port: number,
  hostHeader: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<Sample> {
  return new Promise((resolve) => {
    const request = http.get(
      { agent, host: '127.0.0.1', port, path, headers: { host: hostHeader, ...headers }, timeout: 5_000 },
      (response) => {
        response.resume();
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          resolve(
            status >= 200 && status < 300
              ? { atMs: Date.now(), isOk: true }
              : { atMs: Date.now(), isOk: false, detail: `HTTP ${status}` },
          );
        });
        response.on('error', (error) => resolve({ atMs: Date.now(), isOk: false, detail: error.message }));
      },
    );
    request.on('timeout', () => request.destroy(new Error('no answer within 5 s')));
    request.on('error', (error) => resolve({ atMs: Date.now(), isOk: false, detail: error.message }));
  });
}

/** An open tab: its WebSocket reconnects after a drop, waiting 0.5 s, then twice as long, up to 4 s. */
function holdTab(
  platform: LocalPlatform,
  hostHeader: string,
  events: SocketEvent[],
  isStopped: () => boolean,
) {
  let socket: WebSocket | undefined;
  let isOpen = false;
  let droppedAtMs: number | null = null;
  let retryMs = 500;
  const connect = () => {
    if (isStopped()) return;
    const current = new WebSocket(`ws://127.0.0.1:${platform.proxyPort}/_stcore/stream`, ['streamlit'], {
      headers: { host: hostHeader },
      perMessageDeflate: false,
      handshakeTimeout: 5_000,
    });
    socket = current;
    current.on('open', () => {
      isOpen = true;
      retryMs = 500;
      if (droppedAtMs !== null) {
        events.push({ atMs: Date.now(), kind: 'reconnected', gapMs: Date.now() - droppedAtMs });
        droppedAtMs = null;
      }
    });
    current.on('error', () => {});
    current.on('close', () => {
      isOpen = false;
      if (isStopped()) return;
      if (droppedAtMs === null) {
        droppedAtMs = Date.now();
        events.push({ atMs: droppedAtMs, kind: 'dropped' });
      }
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 4_000);
    });
  };
  connect();
  return { isOpen: () => isOpen, close: () => socket?.terminate() };
}

export interface Traffic {
  readonly recording: Recording;
  /** Every tab has a live connection (none is waiting to reconnect). */
  isEveryTabOpen(): boolean;
  stop(): Promise<void>;
}

/** Starts the visitors: `loopsPerApp` request loops and `tabsPerApp` open tabs for each app. */
export function startTraffic(
  platform: LocalPlatform,
  appNames: readonly string[],
  options: { loopsPerApp: number; tabsPerApp: number },
): Traffic {
  const recording: Recording = { requests: [], dashboard: [], sockets: [] };
  let isStopped = false;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const hostOf = (name: string) => `${name}.${platform.appsDomain}:${platform.proxyPort}`;

  const loops: Promise<void>[] = [];
  for (const name of appNames) {
    for (let loop = 0; loop < options.loopsPerApp; loop++) {
      loops.push(
        (async () => {
          while (!isStopped) {
            recording.requests.push(await get(agent, platform.proxyPort, hostOf(name), '/_stcore/health'));
            await pause(20);
          }
        })(),
      );
    }
  }
  loops.push(
    (async () => {
      const dashboardHost = `localhost:${platform.dashboardPort}`;
      const authorization = `Bearer ${platform.apiToken}`;
      while (!isStopped) {
        const sample = await get(agent, platform.dashboardPort, dashboardHost, '/api/v1/apps', {
          authorization,
        });
        recording.dashboard.push(sample);
        await pause(100);
      }
    })(),
  );
  const tabs = appNames.flatMap((name) =>
    Array.from({ length: options.tabsPerApp }, () =>
      holdTab(platform, hostOf(name), recording.sockets, () => isStopped),
    ),
  );

  return {
    recording,
    isEveryTabOpen: () => tabs.every((tab) => tab.isOpen()),
    stop: async () => {
      isStopped = true;
      for (const tab of tabs) tab.close();
      await Promise.all(loops);
      agent.destroy();
    },
  };
}
