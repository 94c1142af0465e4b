import { expect, test } from 'vitest';
import { scriptErrorSummary } from './health';

test('the exception line of the last traceback is the summary', () => {
  const printed = [
    '2026-12-07 16:58:01.123 Uncaught app execution',
    'Traceback (most recent call last):',
    '  File "/opt/venv/lib/python3.11/site-packages/streamlit/runtime/scriptrunner/exec_code.py", line 129, in exec_func_with_error_handling',
    '    result = func()',
    '  File "/app/app.py", line 3, in <module>',
    '    raise KeyError("token")',
    "KeyError: 'token'",
  ];
  expect(scriptErrorSummary(printed)).toBe("KeyError: 'token'");
  expect(
    scriptErrorSummary(['Traceback (most recent call last):', '  File "x", line 1', 'ZeroDivisionError']),
  ).toBe('ZeroDivisionError');
});

test('without a traceback it points at what follows', () => {
  expect(scriptErrorSummary(['You can now view your Streamlit app'])).toBe('see the traceback below');
});
