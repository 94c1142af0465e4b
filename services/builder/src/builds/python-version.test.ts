import { expect, test } from 'vitest';
import { DeployFailure } from '../failure';
import { choosePythonVersion, readRequestedVersion } from './python-version';

test.each([
  ['3.11\n', '3.11'],
  ['3.11.4', '3.11.4'],
  ['# pinned\n\npython3.12\n', '3.12'],
  ['cpython@3.10', '3.10'],
  ['cpython-3.11.9-linux', '3.11.9'],
  ['\n', null],
])('readRequestedVersion(%j) is %j', (content, expected) => {
  expect(readRequestedVersion(content)).toBe(expected);
});

test('uses the image default without a .python-version, and says so', () => {
  expect(choosePythonVersion(['3.11.2'], null)).toEqual({
    version: '3.11.2',
    note: "Using Python 3.11.2, the platform's default (the repository has no .python-version).",
  });
});

test('uses the version the file asks for, matching on major.minor', () => {
  expect(choosePythonVersion(['3.11.2'], { file: '.python-version', content: '3.11\n' })).toEqual({
    version: '3.11.2',
    note: 'Using Python 3.11.2, as .python-version asks.',
  });
  expect(choosePythonVersion(['3.12.7', '3.11.2'], { file: '.python-version', content: '3.11.9' }).note).toBe(
    'Using Python 3.11.2, as .python-version asks (it asks for 3.11.9; versions are matched on major.minor).',
  );
});

test('refuses a version the platform does not offer, naming what it offers', () => {
  const choose = () => choosePythonVersion(['3.11.2'], { file: '.python-version', content: '3.9\n' });
  expect(choose).toThrow(DeployFailure);
  expect(choose).toThrow('Python 3.9 is not available; this platform offers 3.11. Change .python-version.');
  expect(() =>
    choosePythonVersion(['3.12.1', '3.11.2'], { file: 'src/.python-version', content: '3.8' }),
  ).toThrow('Python 3.8 is not available; this platform offers 3.12 and 3.11. Change src/.python-version.');
});

test('refuses a file that holds no version', () => {
  expect(() => choosePythonVersion(['3.11.2'], { file: '.python-version', content: 'system\n' })).toThrow(
    '.python-version says `system`, which is not a Python version. Write a version such as 3.11, or delete the file.',
  );
});

test("uses the app's Python setting when the repository has no .python-version, and only then", () => {
  expect(choosePythonVersion(['3.12.7', '3.11.2'], null, '3.11')).toEqual({
    version: '3.11.2',
    note: "Using Python 3.11.2, as the Python version in the app's settings asks.",
  });
  expect(
    choosePythonVersion(['3.12.7', '3.11.2'], { file: '.python-version', content: '3.12' }, '3.11').version,
  ).toBe('3.12.7');
  expect(() => choosePythonVersion(['3.11.2'], null, '3.9')).toThrow(
    "Python 3.9 is not available; this platform offers 3.11. Change the Python version in the app's settings.",
  );
});
