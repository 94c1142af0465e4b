import { expect, test } from 'vitest';
import { imagesToKeep } from './image-retention';

const history = [
  { id: 'd5', image: 'app:e' },
  { id: 'd4', image: 'app:d' },
  { id: 'd3', image: 'app:c' },
  { id: 'd2', image: 'app:b' },
  { id: 'd1', image: 'app:a' },
];

test('keeps the newest images up to the retention setting', () => {
  expect(imagesToKeep(history, 'd5', 3)).toEqual(new Set(['app:e', 'app:d', 'app:c']));
});

test('always keeps the live and the previous image, even past the setting', () => {
  expect(imagesToKeep(history, 'd5', 1)).toEqual(new Set(['app:e', 'app:d']));
  // After a rollback to d2 (a new row with its image), the live image is older than the newest.
  const rolledBack = [{ id: 'd6', image: 'app:b' }, ...history];
  expect(imagesToKeep(rolledBack, 'd6', 1)).toEqual(new Set(['app:b', 'app:e']));
});

test('the same image in several deployments counts once', () => {
  const repeated = [{ id: 'd6', image: 'app:e' }, ...history];
  expect(imagesToKeep(repeated, 'd6', 2)).toEqual(new Set(['app:e', 'app:d']));
});

test('with nothing live, only the setting decides', () => {
  expect(imagesToKeep(history, null, 2)).toEqual(new Set(['app:e', 'app:d']));
});
