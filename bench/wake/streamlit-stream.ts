// Streamlit's first render without a browser: open the app's WebSocket (/_stcore/stream), ask for a
// script run as the browser does right after it connects (a BackMsg with rerun_script), and time the
// ForwardMsg that carries the text the script writes. Nothing runs until that BackMsg arrives.
import protobuf from 'protobufjs';
import WebSocket from 'ws';

/**
 * The few messages and fields the probe uses, numbered as in Streamlit 1.64's streamlit/proto
 * (BackMsg.proto, ClientState.proto, ForwardMsg.proto); protobufjs skips every other field.
 */
const root = protobuf.Root.fromJSON({
  nested: {
    ClientState: {
      fields: {
        queryString: { id: 1, type: 'string' },
        pageScriptHash: { id: 3, type: 'string' },
      },
    },
    BackMsg: {
      oneofs: { type: { oneof: ['rerunScript'] } },
      fields: { rerunScript: { id: 11, type: 'ClientState' } },
    },
    ForwardMsg: {
      oneofs: { type: { oneof: ['scriptFinished'] } },
      fields: { scriptFinished: { id: 6, type: 'ScriptFinishedStatus' } },
      nested: {
        ScriptFinishedStatus: {
          values: {
            FINISHED_SUCCESSFULLY: 0,
            FINISHED_WITH_COMPILE_ERROR: 1,
            FINISHED_EARLY_FOR_RERUN: 2,
            FINISHED_FRAGMENT_RUN_SUCCESSFULLY: 3,
          },
        },
      },
    },
  },
});
export const backMessage = root.lookupType('BackMsg');
export const forwardMessage = root.lookupType('ForwardMsg');

/** The BackMsg a browser sends on connecting: run the main page's script, no query, no widgets. */
export function rerunScriptMessage(): Uint8Array {
  return backMessage
    .encode(backMessage.create({ rerunScript: { queryString: '', pageScriptHash: '' } }))
    .finish();
}

/** How the script run ended, when this ForwardMsg says it ended; undefined for any other message. */
export function scriptFinishedStatus(payload: Uint8Array): string | undefined {
  const message = forwardMessage.toObject(forwardMessage.decode(payload), { enums: String });
  return typeof message.scriptFinished === 'string' ? message.scriptFinished : undefined;
}

/** Whether the message carries text (protobuf strings are UTF-8 on the wire, wherever they sit). */
export function carriesText(payload: Uint8Array, text: string): boolean {
  return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).includes(text, 0, 'utf8');
}

export interface ScriptRunTimes {
  /** ms from the given start to the WebSocket's upgrade. */
  connectedMs: number;
  /** ms to the ForwardMsg carrying the text: the first render. */
  renderedMs: number;
  /** ms to script_finished. */
  finishedMs: number;
}

/**
 * Connects to ws://127.0.0.1:port/_stcore/stream with the given Host (Cove's proxy routes by it),
 * asks for a script run and resolves once the run finished, with when the text arrived.
 */
export function firstScriptRun(options: {
  port: number;
  host: string;
  text: string;
  startedAtMs: number;
  timeoutMs: number;
}): Promise<ScriptRunTimes> {
  const since = () => performance.now() - options.startedAtMs;
  return new Promise((resolve, reject) => {
    // The browser offers "streamlit" as its subprotocol (then an XSRF token and a session id to
    // resume, neither needed by a fresh public session); no Origin header is same-origin to Streamlit.
    const socket = new WebSocket(`ws://127.0.0.1:${options.port}/_stcore/stream`, ['streamlit'], {
      headers: { host: options.host },
      perMessageDeflate: false,
    });
    let connectedMs = Number.NaN;
    let renderedMs = Number.NaN;
    const timer = setTimeout(
      () => fail(new Error(`no script run of ${options.host} within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    function fail(error: Error): void {
      clearTimeout(timer);
      socket.terminate();
      reject(error);
    }
    socket.on('unexpected-response', (_request, response) =>
      fail(new Error(`${options.host} refused the WebSocket: ${response.statusCode}`)),
    );
    socket.on('error', fail);
    socket.on('open', () => {
      connectedMs = since();
      socket.send(rerunScriptMessage());
    });
    socket.on('message', (data, isBinary) => {
      if (!isBinary || !Buffer.isBuffer(data)) return;
      if (Number.isNaN(renderedMs) && carriesText(data, options.text)) renderedMs = since();
      const status = scriptFinishedStatus(data);
      if (status === undefined) return;
      clearTimeout(timer);
      socket.close();
      if (status !== 'FINISHED_SUCCESSFULLY' || Number.isNaN(renderedMs)) {
        reject(new Error(`the script run of ${options.host} ended ${status} without "${options.text}"`));
        return;
      }
      resolve({ connectedMs, renderedMs, finishedMs: since() });
    });
    socket.on('close', (code) => fail(new Error(`${options.host} closed the WebSocket (${code})`)));
  });
}
