import { expect, test } from 'vitest';
import { BuildLogRenderer, decodeBuildStatus } from './buildkit-status';
import recorded from './fixtures/buildkit-status.json';

function render(messages: readonly string[]): string[] {
  const lines: string[] = [];
  const renderer = new BuildLogRenderer((line) => lines.push(line));
  for (const message of messages) renderer.push(decodeBuildStatus(message));
  renderer.end();
  return lines;
}

test('a build reads as its steps, each followed by what its command printed, line by line', () => {
  // The RUN printed "one\ntw", then "o\n": the line split across messages comes out whole.
  expect(render(recorded.firstBuild)).toEqual([
    'Step 1/2 : FROM docker.io/cove/runtime:dev',
    'Step 2/2 : RUN printf "one\\ntw" && sleep 0.2 && printf "o\\n"',
    'one',
    'two',
  ]);
});

test('a step answered from the cache says so, and prints nothing of its own', () => {
  expect(render(recorded.cachedBuild)).toEqual([
    'Step 1/2 : FROM docker.io/cove/runtime:dev',
    'Step 2/2 : RUN printf "one\\ntw" && sleep 0.2 && printf "o\\n"',
    ' ---> CACHED',
  ]);
});

test('an empty message decodes to nothing', () => {
  expect(decodeBuildStatus('')).toEqual({ vertexes: [], logs: [], warnings: [] });
});
