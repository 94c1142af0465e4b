// One measured wake on each side. Cove: put the app to sleep (untimed), then the clock starts as the
// visitor arrives at the proxy. Reference: pause or stop the copy (untimed), then the clock starts as
// the unpause or start is asked of the engine; its page is asked for directly on the container port.
// The first render is the page, then the app's WebSocket delivering the script's text, as a browser
// asks for them minus downloading and running Streamlit's JavaScript (the browser render has that).
import type { SleepDepth } from '@cove/shared/sleep/wake-state';
import type { Browser } from 'playwright-core';
import type { CoveSide } from './cove';
import { getPage, pollPage, renderPage, withFreshPage } from './probes';
import type { ReferenceContainer } from './reference';
import type { Metric } from './report';
import { firstScriptRun } from './streamlit-stream';

export interface Target {
  name: string;
  marker: string;
}

const timeoutMs = 120_000;
/** How often the reference asks a starting container for its page: finer than any wake. */
const referencePollMs = 10;

export async function measureCove(options: {
  cove: CoveSide;
  browser: Browser;
  target: Target;
  depth: SleepDepth;
  metric: Metric;
}): Promise<number> {
  const { cove, browser, target, depth, metric } = options;
  await cove.putToSleep(target.name, depth);
  const host = `${target.name}.localhost`;
  let milliseconds: number;
  if (metric === 'first-byte' || metric === 'first-render') {
    const startedAtMs = performance.now();
    // Not a browser (no text/html): the proxy holds the request until the app answers.
    const answer = await getPage({ port: cove.proxyPort, host, accept: '*/*', startedAtMs, timeoutMs });
    if (answer.statusCode !== 200) throw new Error(`Cove answered ${answer.statusCode} for ${target.name}`);
    milliseconds =
      metric === 'first-byte'
        ? answer.milliseconds
        : (
            await firstScriptRun({
              port: cove.proxyPort,
              host,
              text: target.marker,
              startedAtMs,
              timeoutMs,
            })
          ).renderedMs;
  } else {
    milliseconds = await withFreshPage(browser, (page) =>
      renderPage(page, {
        url: `http://${target.name}.localhost:${cove.proxyPort}/`,
        text: target.marker,
        startedAtMs: performance.now(),
        timeoutMs,
      }),
    );
  }
  await cove.waitAwake(target.name);
  return milliseconds;
}

export async function measureReference(options: {
  reference: ReferenceContainer;
  browser: Browser;
  target: Target;
  depth: SleepDepth;
  metric: Metric;
}): Promise<number> {
  const { reference, browser, target, depth, metric } = options;
  const port = reference.hostPort;
  if (depth === 'frozen') await reference.pause();
  else await reference.stop();
  const wake = async (startedAtMs: number): Promise<number> => {
    if (depth === 'frozen') {
      await reference.unpause();
      const answer = await getPage({
        port,
        host: `127.0.0.1:${port}`,
        accept: '*/*',
        startedAtMs,
        timeoutMs,
      });
      return answer.milliseconds;
    }
    await reference.start();
    return pollPage({ port, startedAtMs, timeoutMs, intervalMs: referencePollMs });
  };
  if (metric === 'first-byte') return wake(performance.now());
  if (metric === 'first-render') {
    const startedAtMs = performance.now();
    await wake(startedAtMs);
    const run = await firstScriptRun({
      port,
      host: `127.0.0.1:${port}`,
      text: target.marker,
      startedAtMs,
      timeoutMs,
    });
    return run.renderedMs;
  }
  return withFreshPage(browser, async (page) => {
    const startedAtMs = performance.now();
    await wake(startedAtMs);
    return renderPage(page, {
      url: `http://127.0.0.1:${port}/`,
      text: target.marker,
      startedAtMs,
      timeoutMs,
    });
  });
}
