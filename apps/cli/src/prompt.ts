// Asks a person for a value on the terminal (hidden for secrets); from a pipe, reads one line.
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import type { CliIo } from './context';
import { usageError } from './exit-codes';

export async function ask(
  io: CliIo,
  question: string,
  options: { isSecret?: boolean } = {},
): Promise<string> {
  const isTerminal = io.stdin.isTTY === true;
  io.stderr.write(question);
  // A secret's keystrokes are echoed into nothing; the question itself went out above.
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  const echo = options.isSecret || !isTerminal ? discard : io.stderr;
  const reader = createInterface({ input: io.stdin, output: echo, terminal: isTerminal });
  try {
    const answer = await new Promise<string>((resolve, reject) => {
      reader.question('').then(resolve, reject);
      reader.once('close', () => resolve(''));
    });
    return answer.trim();
  } finally {
    reader.close();
    if (options.isSecret || !isTerminal) io.stderr.write('\n');
  }
}

export async function askRequired(
  io: CliIo,
  question: string,
  what: string,
  isSecret = false,
): Promise<string> {
  const answer = await ask(io, question, { isSecret });
  if (answer === '') throw usageError(`No ${what} given.`);
  return answer;
}
