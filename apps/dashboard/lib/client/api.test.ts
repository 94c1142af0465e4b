import { expect, test } from 'vitest';
import { type ApiFailure, messageBesideFields } from './api';

function failure(message: string, fields: Record<string, string>): ApiFailure {
  return { ok: false, status: 400, message, fields };
}

test('a message shown beside its field is not repeated in the banner', () => {
  const refused = failure('pythonVersion: Give a Python version as major.minor, for example 3.11.', {
    pythonVersion: 'Give a Python version as major.minor, for example 3.11.',
  });
  expect(messageBesideFields(refused, ['pythonVersion', 'memoryMb'])).toBeNull();
});

test('messages of fields the form does not show reach the banner without their field names', () => {
  const refused = failure('visibility: Choose a visibility. memoryMb: Give at least 128 MB.', {
    visibility: 'Choose a visibility.',
    memoryMb: 'Give at least 128 MB.',
  });
  expect(messageBesideFields(refused, ['memoryMb'])).toBe('Choose a visibility.');
});

test('a refusal about no field keeps its message', () => {
  expect(messageBesideFields(failure('The name hello is taken; choose another.', {}), ['name'])).toBe(
    'The name hello is taken; choose another.',
  );
});
