import { expect, test } from 'vitest';
import { appTabOf } from './app-tabs';

test('the address names the tab; anything unknown opens the overview', () => {
  expect(appTabOf('settings')).toBe('settings');
  expect(appTabOf('secrets')).toBe('secrets');
  expect(appTabOf(undefined)).toBe('overview');
  expect(appTabOf('constructor')).toBe('overview');
  expect(appTabOf(['settings', 'logs'])).toBe('overview');
});
