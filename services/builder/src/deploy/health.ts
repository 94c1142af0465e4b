// Waits for a freshly started app to answer Streamlit's health check, and gives up early (with
// what the app printed) when its container stops instead. Streamlit's /_stcore/health answers ok
// as soon as its server is up, even when the script raises on its first run; so, unless told not
// to, it then asks /_stcore/script-health-check (on with STREAMLIT_SERVER_SCRIPT_HEALTH_CHECK_ENABLED,
// container.ts), which runs the script once in a session of its own and answers 200 "ok" when the
// run ended without an uncaught exception (st.stop() and widgets waiting for input count as ok),
// 503 "error" when it raised (the traceback goes to the container's log) and 503 "timeout" when
// the run lasted more than Streamlit's own 60 s.
import type { AppRuntime, Endpoint } from '../runtime/types';

export type HealthResult =
  | { isHealthy: true }
  | {
      isHealthy: false;
      reason: 'exited' | 'timeout' | 'script-error';
      exitCode: number | null;
      isOomKilled: boolean;
    };

export interface HealthOptions {
  /** Between tries of /_stcore/health. Streamlit answers 0.7-1.2 s after it starts. */
  intervalMs?: number;
  /** Also run the script once through the script health check (default true). */
  checkScript?: boolean;
}

async function answersOk(endpoint: Endpoint): Promise<boolean> {
  try {
    const response = await fetch(`http://${endpoint.host}:${endpoint.port}/_stcore/health`, {
      signal: AbortSignal.timeout(2000),
    });
    return response.ok && (await response.text()).trim() === 'ok';
  } catch {
    return false;
  }
}

type ScriptCheck = 'ok' | 'error' | 'pending';

/** One run of the script; 'pending' when it did not finish within timeoutMs (or Streamlit's 60 s). */
async function scriptRuns(endpoint: Endpoint, timeoutMs: number): Promise<ScriptCheck> {
  try {
    const response = await fetch(`http://${endpoint.host}:${endpoint.port}/_stcore/script-health-check`, {
      signal: AbortSignal.timeout(Math.max(timeoutMs, 1000)),
    });
    const body = (await response.text()).trim();
    if (response.ok && body === 'ok') return 'ok';
    return body === 'error' ? 'error' : 'pending';
  } catch {
    return 'pending';
  }
}

/**
 * The exception line of the last Python traceback in what the app printed ("ValueError: boom"),
 * for the plain-words first line of a failed deploy; "see the traceback below" when none is found.
 */
export function scriptErrorSummary(lines: readonly string[]): string {
  const start = lines.findLastIndex((line) => line.includes('Traceback (most recent call last):'));
  if (start >= 0) {
    for (let index = start + 1; index < lines.length; index += 1) {
      const line = lines[index] ?? '';
      if (/^[A-Za-z_][\w.]*(: .*)?$/.test(line.trim()) && !/^\s/.test(line)) return line.trim();
    }
  }
  return 'see the traceback below';
}

export async function waitForHealth(
  runtime: AppRuntime,
  containerId: string,
  timeoutMs: number,
  options: HealthOptions = {},
): Promise<HealthResult> {
  // A short interval puts a push live sooner (each try is one inspect and one local request,
  // cheap for the second or two it lasts).
  const { intervalMs = 100, checkScript = true } = options;
  const deadline = Date.now() + timeoutMs;
  let isServerUp = false;
  for (;;) {
    const container = await runtime.inspect(containerId);
    if (container?.state !== 'running' || container.endpoint === null) {
      return {
        isHealthy: false,
        reason: 'exited',
        exitCode: container?.exitCode ?? null,
        isOomKilled: container?.isOomKilled ?? false,
      };
    }
    if (!isServerUp) isServerUp = await answersOk(container.endpoint);
    if (isServerUp) {
      if (!checkScript) return { isHealthy: true };
      // A slow first run is waited for up to the deadline: the request itself lasts the run.
      const check = await scriptRuns(container.endpoint, deadline - Date.now());
      if (check === 'ok') return { isHealthy: true };
      if (check === 'error') {
        return { isHealthy: false, reason: 'script-error', exitCode: null, isOomKilled: false };
      }
    }
    if (Date.now() > deadline)
      return { isHealthy: false, reason: 'timeout', exitCode: null, isOomKilled: false };
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
