// Waits for a freshly started app to answer Streamlit's health check, and gives up early (with
// what the app printed) when its container stops instead.
import type { AppRuntime, Endpoint } from '../runtime/types';

export type HealthResult =
  | { isHealthy: true }
  | { isHealthy: false; reason: 'exited' | 'timeout'; exitCode: number | null; isOomKilled: boolean };

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

export async function waitForHealth(
  runtime: AppRuntime,
  containerId: string,
  timeoutMs: number,
  // Streamlit answers 0.7-1.2 s after it starts; a short interval puts a push live sooner (each
  // try is one inspect and one local request, cheap for the second or two it lasts).
  intervalMs = 100,
): Promise<HealthResult> {
  const deadline = Date.now() + timeoutMs;
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
    if (await answersOk(container.endpoint)) return { isHealthy: true };
    if (Date.now() > deadline)
      return { isHealthy: false, reason: 'timeout', exitCode: null, isOomKilled: false };
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
