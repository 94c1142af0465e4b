import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { createOutput } from './output';

function streams() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const read = (stream: PassThrough) => () => stream.read()?.toString('utf8') ?? '';
  return { io: { stdout, stderr }, stdout: read(stdout), stderr: read(stderr) };
}

describe('progress without a terminal', () => {
  test('says each new state once on stderr, log lines on stdout, and nothing after it ended', () => {
    const { io, stdout, stderr } = streams();
    const progress = createOutput({ isJson: false }, io).progress('Deploying a: queued');
    progress.update('Deploying a: queued');
    progress.update('Deploying a: building');
    progress.line('Step 1');
    progress.fail('Deploying a: failed');
    progress.fail('Deploying a: stopped waiting');
    progress.update('Deploying a: later');
    expect(stderr()).toBe('Deploying a: queued\nDeploying a: building\nDeploying a: failed\n');
    expect(stdout()).toBe('Step 1\n');
  });

  test('with --json, stderr stays empty and results are the JSON', () => {
    const { io, stdout, stderr } = streams();
    const output = createOutput({ isJson: true }, io);
    output.progress('Deploying a').succeed('done');
    output.note('a note');
    output.result({ apps: [] }, () => ['not this']);
    expect(stderr()).toBe('');
    expect(JSON.parse(stdout())).toEqual({ apps: [] });
  });
});
