import { expect, test } from 'vitest';
import { generateDockerfile } from './dockerfile';

test('installs requirements as root in a layer before the code, then runs as app', () => {
  expect(
    generateDockerfile({
      runtimeImage: 'cove/runtime:dev',
      mainFile: 'src/app.py',
      hasRequirementsTxt: true,
    }),
  ).toBe(
    [
      'FROM cove/runtime:dev',
      'USER root',
      'COPY --chown=app:app requirements.txt /tmp/cove/requirements.txt',
      'RUN NO_COLOR=1 uv pip install --no-progress --python /opt/venv/bin/python -r /tmp/cove/requirements.txt',
      'USER app',
      'COPY --chown=app:app . /app',
      'ENV COVE_MAIN_FILE="src/app.py"',
      '',
    ].join('\n'),
  );
});

test('has no dependency layer without requirements.txt', () => {
  expect(generateDockerfile({ runtimeImage: 'img', mainFile: 'app.py', hasRequirementsTxt: false })).toBe(
    'FROM img\nCOPY --chown=app:app . /app\nENV COVE_MAIN_FILE="app.py"\n',
  );
});
