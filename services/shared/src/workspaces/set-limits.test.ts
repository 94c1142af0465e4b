import { describe, expect, test } from 'vitest';
import { parseLimitsCommand } from './set-limits';

describe('parseLimitsCommand', () => {
  test.each([
    [['team'], { workspace: 'team', changes: {} }],
    [['team', '--max-apps', '10'], { workspace: 'team', changes: { maxApps: 10 } }],
    [
      ["ada's workspace", '--max-running-apps', '0', '--max-memory-mb', 'default'],
      { workspace: "ada's workspace", changes: { maxRunningApps: 0, maxMemoryMb: null } },
    ],
  ])('%j', (args, expected) => {
    expect(parseLimitsCommand(args)).toEqual(expected);
  });

  test.each([
    [[], /Name the workspace \(its name or id\) first/],
    [['--max-apps', '3'], /Name the workspace/],
    [['team', '--max-cpus', '3'], /Unknown option --max-cpus/],
    [['team', '--max-apps'], /--max-apps needs a whole number or "default"/],
    [['team', '--max-apps', '-1'], /--max-apps needs a whole number or "default"/],
    [['team', '--max-memory-mb', '1.5'], /--max-memory-mb needs a whole number/],
  ])('refuses %j', (args, message) => {
    expect(() => parseLimitsCommand(args)).toThrow(message);
  });
});
