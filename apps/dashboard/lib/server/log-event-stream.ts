// Serves a deployment's log lines as Server-Sent Events: one "line" event per line (its id lets
// EventSource resume with Last-Event-ID), then an "end" event when no more will come.
import type { LogLineMessage } from '@cove/shared/logs/deployment-logs';

const keepAliveIntervalMs = 15_000;

/**
 * openLines gets a signal that aborts when the client leaves (the request's signal, or the
 * response body being cancelled); the generator must release what it holds when it does.
 */
export function logEventStream(
  openLines: (signal: AbortSignal) => AsyncGenerator<LogLineMessage>,
  options: { signal: AbortSignal; onError: (error: unknown) => void },
): Response {
  const encoder = new TextEncoder();
  const clientLeft = new AbortController();
  const abort = () => clientLeft.abort();
  if (options.signal.aborted) abort();
  else options.signal.addEventListener('abort', abort, { once: true });
  let keepAlive: NodeJS.Timeout | undefined;

  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (text: string) => {
        if (!clientLeft.signal.aborted) controller.enqueue(encoder.encode(text));
      };
      keepAlive = setInterval(() => send(': keep-alive\n\n'), keepAliveIntervalMs);
      send('retry: 2000\n\n');
      try {
        for await (const entry of openLines(clientLeft.signal)) {
          send(`id: ${entry.id}\nevent: line\ndata: ${JSON.stringify(entry)}\n\n`);
        }
        send('event: end\ndata: {}\n\n');
      } catch (error) {
        if (!clientLeft.signal.aborted) options.onError(error);
      } finally {
        clearInterval(keepAlive);
        options.signal.removeEventListener('abort', abort);
        if (!clientLeft.signal.aborted) controller.close();
      }
    },
    cancel() {
      clearInterval(keepAlive);
      abort();
    },
  });
  return new Response(body, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    },
  });
}
