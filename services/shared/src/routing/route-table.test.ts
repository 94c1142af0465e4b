import { expect, test } from 'vitest';
import { visitorReason } from './route-table';

test('a visitor of an app that does not run gets the first sentence of why, and only then', () => {
  expect(visitorReason('failed', 'Line 1 of requirements.txt could not be installed. uv says: no.')).toBe(
    'Line 1 of requirements.txt could not be installed.',
  );
  expect(visitorReason('crashed', 'The app ran out of memory (768 MB)\nlog lines')).toBe(
    'The app ran out of memory (768 MB)',
  );
  expect(visitorReason('failed', `${'x'.repeat(250)}.`)?.length).toBe(200);
  expect(visitorReason('failed', null)).toBeUndefined();
  expect(visitorReason('running', 'Health check passed.')).toBeUndefined();
  expect(visitorReason('building', 'Building the app.')).toBeUndefined();
});
