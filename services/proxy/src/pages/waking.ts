// The "waking up" page a browser gets for a sleeping app, and the wake status it polls. The page is
// self-contained: it asks the proxy (same URL, with the wake-status header) how the wake goes and
// reloads itself into the app the moment the app answers, or shows why the wake failed.
import { z } from 'zod';
import { html, renderPage, SafeHtml } from './html';

/** A request carrying this header is answered by the proxy with the app's wake status (JSON). */
export const wakeStatusHeader = 'x-cove-wake-status';

export const wakeStatus = z.object({
  state: z.enum(['waking', 'ready', 'failed']),
  message: z.string(),
});
export type WakeStatus = z.infer<typeof wakeStatus>;

/**
 * How long the proxy holds a browser's request for a sleeping app before answering with this page:
 * a frozen app is back within it (measured: 0.05-0.2 s), so its visitor gets the app itself; a
 * stopped one takes longer (Streamlit alone needs 0.7 s to answer), and its visitor sees this page.
 */
export const wakingPageAfterMs = 500;

/**
 * How long the proxy holds a wake-status request while the app is still waking: it answers the
 * moment the app is up, so the page follows at once instead of at its next poll.
 */
export const wakeStatusHoldMs = 3000;

/** Between polls only after an error: a held poll already waited. */
const retryAfterErrorMs = 1000;

const pollScript = `
(function () {
  var started = Date.now();
  var progress = document.getElementById('cove-progress');
  var failure = document.getElementById('cove-failure');
  var ticker = setInterval(function () {
    progress.textContent = 'Waking up… ' + Math.round((Date.now() - started) / 1000) + ' s';
  }, 1000);
  function poll() {
    fetch(location.href, { headers: { '${wakeStatusHeader}': '1' }, cache: 'no-store' })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        if (status.state === 'ready') { location.reload(); return; }
        if (status.state === 'failed') {
          clearInterval(ticker);
          progress.hidden = true;
          failure.hidden = false;
          failure.querySelector('pre').textContent = status.message;
          return;
        }
        setTimeout(poll, 0);
      })
      .catch(function () { setTimeout(poll, ${retryAfterErrorMs}); });
  }
  poll();
})();
`;

export function wakingPage(options: { appName: string; appPageUrl: string }): string {
  const body = html`<p id="cove-progress" role="status">Waking up…</p>
<p>${options.appName} was asleep (it sleeps when nobody uses it for a while, or when its team puts it to sleep) and is starting again. This page turns into the app by itself.</p>
<div id="cove-failure" hidden>
<p><strong>${options.appName} could not wake up:</strong></p>
<pre style="white-space: pre-wrap"></pre>
<p><a href="${options.appPageUrl}">See its status and logs</a>.</p>
</div>
<script>${new SafeHtml(pollScript)}</script>`;
  return renderPage({
    title: `${options.appName} is waking up`,
    heading: `${options.appName} is waking up`,
    body,
  });
}
