// The Dockerfile every app is built with: the runtime image, then the dependency layer, then the
// code. Dependencies come before the code so a push that changes only code reuses the cached
// dependency layer.

/** Our Dockerfile's name inside the context, out of the way of a Dockerfile the repository has. */
export const generatedDockerfileName = '.cove.Dockerfile';

/** Never sent to the engine, so never in the image. */
export const excludedContextPaths = ['.git'] as const;

export interface DockerfileInputs {
  runtimeImage: string;
  mainFile: string;
  hasRequirementsTxt: boolean;
}

function quoted(value: string): string {
  return JSON.stringify(value);
}

export function generateDockerfile(inputs: DockerfileInputs): string {
  const lines = [`FROM ${inputs.runtimeImage}`];
  if (inputs.hasRequirementsTxt) {
    // /opt/venv belongs to root in the runtime image; the app itself runs as `app`.
    lines.push(
      'USER root',
      'COPY --chown=app:app requirements.txt /tmp/cove/requirements.txt',
      'RUN NO_COLOR=1 uv pip install --no-progress --python /opt/venv/bin/python -r /tmp/cove/requirements.txt',
      'USER app',
    );
  }
  lines.push('COPY --chown=app:app . /app', `ENV COVE_MAIN_FILE=${quoted(inputs.mainFile)}`);
  return `${lines.join('\n')}\n`;
}

/** Left out of the code layer: git metadata and our own build files. */
export function generateDockerignore(): string {
  return [...excludedContextPaths, generatedDockerfileName, '.dockerignore'].join('\n').concat('\n');
}
