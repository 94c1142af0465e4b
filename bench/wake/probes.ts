// What a visitor observes of a wake: the first byte of the app's page (an HTTP client), and the
// first render (Chromium showing the text the app's script writes, which Streamlit delivers over
// its WebSocket after the first script run). Times are from a start the caller gives.
import { request } from 'node:http';
import type { Browser, Page } from 'playwright-core';

export interface PageAnswer {
  statusCode: number;
  /** ms from the given start to the answer's status line and headers. */
  milliseconds: number;
}

/** GET / on 127.0.0.1:port with the given Host; resolves at the first byte of the answer. */
export function getPage(options: {
  port: number;
  host: string;
  accept: string;
  startedAtMs: number;
  timeoutMs: number;
}): Promise<PageAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: '127.0.0.1',
        port: options.port,
        path: '/',
        headers: { host: options.host, accept: options.accept },
        timeout: options.timeoutMs,
        agent: false,
      },
      (response) => {
        const milliseconds = performance.now() - options.startedAtMs;
        response.resume();
        resolve({ statusCode: response.statusCode ?? 0, milliseconds });
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer from port ${options.port}`)));
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** Asks again every intervalMs until the page answers 200 (a starting server refuses at first). */
export async function pollPage(options: {
  port: number;
  startedAtMs: number;
  timeoutMs: number;
  intervalMs: number;
}): Promise<number> {
  const deadline = performance.now() + options.timeoutMs;
  for (;;) {
    try {
      const answer = await getPage({
        port: options.port,
        host: `127.0.0.1:${options.port}`,
        accept: '*/*',
        startedAtMs: options.startedAtMs,
        timeoutMs: 5_000,
      });
      if (answer.statusCode === 200) return answer.milliseconds;
    } catch {
      // Not listening yet.
    }
    if (performance.now() > deadline) throw new Error(`port ${options.port} did not answer in time`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}

/** Runs work with a page in a fresh browser context (empty cache), made before any clock starts. */
export async function withFreshPage<T>(browser: Browser, work: (page: Page) => Promise<T>): Promise<T> {
  const context = await browser.newContext();
  try {
    return await work(await context.newPage());
  } finally {
    await context.close();
  }
}

/** With BENCH_TRACE=1: when each request of a render starts and ends, to see where the time goes. */
function traceRequests(page: Page, startedAtMs: number): void {
  const at = () => `${Math.round(performance.now() - startedAtMs)}`.padStart(6);
  page.on('request', (sent) => process.stdout.write(`  ${at()} ms  -> ${sent.method()} ${sent.url()}\n`));
  page.on('requestfinished', (done) => process.stdout.write(`  ${at()} ms  <- ${done.url()}\n`));
  page.on('websocket', (socket) => {
    process.stdout.write(`  ${at()} ms  ws ${socket.url()}\n`);
    socket.on('framereceived', () => process.stdout.write(`  ${at()} ms  ws frame\n`));
  });
}

/**
 * Chromium drops its requests in flight when the host's network interfaces change (Docker adding a
 * bridge or a veth for anyone's container): such a measurement says nothing and is taken again.
 */
export class NetworkChangedError extends Error {}

/** Opens url and waits until text is visible, across any reloads (the waking page's). */
export async function renderPage(
  page: Page,
  options: { url: string; text: string; startedAtMs: number; timeoutMs: number },
): Promise<number> {
  const problems: string[] = [];
  let rejectOnNetworkChange: (error: Error) => void = () => {};
  const networkChanged = new Promise<never>((_resolve, reject) => {
    rejectOnNetworkChange = reject;
  });
  networkChanged.catch(() => {});
  page.on('requestfailed', (failed) => {
    const reason = failed.failure()?.errorText ?? 'unknown';
    problems.push(`${failed.url()} failed: ${reason}`);
    if (reason.includes('ERR_NETWORK_CHANGED')) rejectOnNetworkChange(new NetworkChangedError(reason));
  });
  page.on('response', (answer) => {
    if (answer.status() >= 400) problems.push(`${answer.url()} answered ${answer.status()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  if (process.env.BENCH_TRACE === '1') traceRequests(page, options.startedAtMs);
  try {
    await Promise.race([
      networkChanged,
      (async () => {
        await page.goto(options.url, { waitUntil: 'commit', timeout: options.timeoutMs });
        await page.getByText(options.text).first().waitFor({ state: 'visible', timeout: options.timeoutMs });
      })(),
    ]);
  } catch (error) {
    if (error instanceof NetworkChangedError || String(error).includes('ERR_NETWORK_CHANGED')) {
      throw new NetworkChangedError(`the network changed while ${options.url} loaded`);
    }
    const shown = (await page.textContent('body').catch(() => null)) ?? '(no page)';
    const seconds = Math.round((performance.now() - options.startedAtMs) / 1000);
    const said = `${shown.slice(0, 300)}\nwhile loading: ${problems.slice(0, 10).join('\n') || 'nothing failed'}`;
    throw new Error(`${options.url} never showed "${options.text}" in ${seconds} s; it shows: ${said}`, {
      cause: error,
    });
  }
  return performance.now() - options.startedAtMs;
}

/** Runs measure again (at most attempts times) when Chromium lost it to a network change. */
export async function retryOnNetworkChange<T>(
  attempts: number,
  measure: () => Promise<T>,
  onRetry: (attempt: number) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await measure();
    } catch (error) {
      if (!(error instanceof NetworkChangedError) || attempt >= attempts) throw error;
      onRetry(attempt);
    }
  }
}
