// How a command speaks: results on stdout (the API's JSON with --json, plain lines otherwise),
// progress and errors on stderr, and a spinner only when stderr is a terminal.
import { WriteStream } from 'node:tty';
import { createSpinner, type Spinner } from 'nanospinner';

export interface Output {
  readonly isJson: boolean;
  /** The command's result: JSON with --json, else the given lines. */
  result(json: unknown, lines: () => string[]): void;
  /** A line of the result stream (a log line): stdout, also with --json (as JSON then). */
  line(text: string): void;
  /** Progress for a person: stderr, never with --json. */
  note(text: string): void;
  progress(text: string): Progress;
}

export interface Progress {
  update(text: string): void;
  /** Prints a line on stdout without tearing the spinner. */
  line(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
}

export type OutStream = NodeJS.WritableStream & { isTTY?: boolean };

export interface Streams {
  stdout: OutStream;
  stderr: OutStream;
}

export function createOutput(options: { isJson: boolean }, streams: Streams): Output {
  const write = (stream: OutStream, text: string) => stream.write(`${text}\n`);
  const note = (text: string) => {
    if (!options.isJson) write(streams.stderr, text);
  };
  return {
    isJson: options.isJson,
    result(json, lines) {
      if (options.isJson) write(streams.stdout, JSON.stringify(json, null, 2));
      else for (const text of lines()) write(streams.stdout, text);
    },
    line: (text) => write(streams.stdout, text),
    note,
    progress(text) {
      const terminal = streams.stderr;
      // A terminal of no known width (some pseudo-terminals) gets plain lines: the spinner's
      // line counting divides by the width.
      if (options.isJson || !(terminal instanceof WriteStream) || !terminal.isTTY || !(terminal.columns > 0))
        return plainProgress(text, note, (line) => write(streams.stdout, line));
      const spinner = createSpinner(text, { stream: terminal }).start();
      return spinnerProgress(spinner, (line) => write(streams.stdout, line));
    },
  };
}

/** Without a terminal: each new state once, as a line. */
function plainProgress(text: string, note: (text: string) => void, line: (text: string) => void): Progress {
  let last = text;
  note(text);
  return endsOnce(line, {
    update(next) {
      if (next !== last) note(next);
      last = next;
    },
    line,
    succeed: note,
    fail: note,
  });
}

function spinnerProgress(spinner: Spinner, line: (text: string) => void): Progress {
  return endsOnce(line, {
    update: (text) => {
      spinner.update({ text });
    },
    line(text) {
      spinner.clear();
      line(text);
      spinner.render();
    },
    succeed: (text) => {
      spinner.success({ text });
    },
    fail: (text) => {
      spinner.error({ text });
    },
  });
}

/**
 * After succeed or fail, the progress says nothing more: a caller may fail it again on its way out
 * without a second line, and the spinner's timer (which keeps the process alive) is stopped once.
 */
function endsOnce(plainLine: (text: string) => void, progress: Progress): Progress {
  let hasEnded = false;
  const unlessEnded =
    (speak: (text: string) => void, isEnd = false) =>
    (text: string) => {
      if (hasEnded) return;
      hasEnded = isEnd;
      speak(text);
    };
  return {
    update: unlessEnded(progress.update),
    line: (text) => (hasEnded ? plainLine(text) : progress.line(text)),
    succeed: unlessEnded(progress.succeed, true),
    fail: unlessEnded(progress.fail, true),
  };
}
