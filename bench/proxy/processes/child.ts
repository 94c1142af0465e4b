// Starts a TypeScript entry in its own Node process (its own event loop, its own core if one is
// free), waits for it to report its port, and asks it questions over IPC with a deadline.
import { type ChildProcess, fork } from 'node:child_process';
import { openSync } from 'node:fs';
import { type ChildMessage, childMessage, type ParentMessage } from './messages';

export interface Child {
  pid: number;
  port: number;
  ask<T extends ChildMessage['type']>(
    message: ParentMessage,
    replyType: T,
  ): Promise<Extract<ChildMessage, { type: T }>>;
  stop(): Promise<void>;
}

const answerTimeoutMs = 10_000;

function nextMessage<T extends ChildMessage['type']>(
  child: ChildProcess,
  type: T,
  description: string,
): Promise<Extract<ChildMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => finish(new Error(`${description}: no '${type}' answer in ${answerTimeoutMs} ms`)),
      answerTimeoutMs,
    );
    const onMessage = (raw: unknown) => {
      const parsed = childMessage.safeParse(raw);
      if (!parsed.success || parsed.data.type !== type) return;
      const message: ChildMessage = parsed.data;
      if (isOfType(message, type)) finish(undefined, message);
    };
    const onExit = (code: number | null) =>
      finish(new Error(`${description} exited (code ${code}) before answering`));
    function finish(error: Error | undefined, message?: Extract<ChildMessage, { type: T }>) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (message) resolve(message);
      else reject(error);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

function isOfType<T extends ChildMessage['type']>(
  message: ChildMessage,
  type: T,
): message is Extract<ChildMessage, { type: T }> {
  return message.type === type;
}

export async function startChild(options: {
  description: string;
  entry: string;
  env: Record<string, string>;
  logFile: string;
}): Promise<Child> {
  const log = openSync(options.logFile, 'a');
  const child = fork(options.entry, [], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: { ...process.env, ...options.env },
    stdio: ['ignore', log, log, 'ipc'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${options.description} did not start`);
  let ready: Extract<ChildMessage, { type: 'ready' }>;
  try {
    ready = await nextMessage(child, 'ready', options.description);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${error instanceof Error ? error.message : String(error)}; see ${options.logFile}`);
  }

  let stopping: Promise<void> | undefined;
  return {
    pid,
    port: ready.port,
    ask(message, replyType) {
      const answer = nextMessage(child, replyType, options.description);
      child.send(message);
      return answer;
    },
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const killTimer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(killTimer);
          resolve();
        });
        child.kill('SIGTERM');
      });
      return stopping;
    },
  };
}
