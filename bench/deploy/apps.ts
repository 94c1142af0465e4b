// The repositories the deploy benchmark pushes: a small Streamlit app and a typical data app, each
// as a first commit, a code-only change and a dependency change. Every version serves a marker file
// (Streamlit's static serving), so "live" means the new commit's own file answers.

export type AppKind = 'small' | 'data';

export const appKinds: readonly AppKind[] = ['small', 'data'];

/** The path the marker answers at, through the proxy or the reference's published port. */
export const markerPath = '/app/static/version.txt';

export interface AppSpec {
  kind: AppKind;
  description: string;
  /** requirements.txt lines before the dependency change. */
  requirements: readonly string[];
  /** The line the dependency-change push adds. */
  addedRequirement: string;
  /** The main file's body; imports what the app depends on, so a missing package fails at start. */
  mainSource: string;
}

export const appSpecs: Record<AppKind, AppSpec> = {
  small: {
    kind: 'small',
    description: 'small app (streamlit only)',
    requirements: ['streamlit==1.64.0'],
    addedRequirement: 'tabulate==0.9.0',
    mainSource: ['import streamlit as st', '', 'st.title("Hello from the deploy bench")'].join('\n'),
  },
  data: {
    kind: 'data',
    description: 'data app (streamlit, pandas, numpy, plotly)',
    requirements: ['streamlit==1.64.0', 'pandas==2.3.3', 'numpy==2.3.4', 'plotly==6.3.1'],
    addedRequirement: 'tabulate==0.9.0',
    mainSource: [
      'import numpy as np',
      'import pandas as pd',
      'import plotly.express as px',
      'import streamlit as st',
      '',
      'frame = pd.DataFrame({"x": np.arange(100), "y": np.random.default_rng(1).normal(size=100).cumsum()})',
      'st.title("A data app")',
      'st.plotly_chart(px.line(frame, x="x", y="y"))',
      'st.dataframe(frame.describe())',
    ].join('\n'),
  },
};

export type Step = 'first' | 'code' | 'dependency';

export const steps: readonly Step[] = ['first', 'code', 'dependency'];

export const stepLabels: Record<Step, string> = {
  first: 'first deploy',
  code: 'code-only redeploy',
  dependency: 'dependency change',
};

/** A fresh marker per version: the run id, the step and a counter. */
export function versionMarker(runId: string, label: string): string {
  return `cove-bench ${runId} ${label}`;
}

function requirementsTxt(runId: string, lines: readonly string[]): string {
  // The run id keeps the dependency layers of both sides cold on the first deploy of every run.
  return [`# deploy bench run ${runId}`, ...lines, ''].join('\n');
}

/** The files of the first commit: the main file, requirements.txt, static serving on, the marker. */
export function initialFiles(spec: AppSpec, runId: string, marker: string): Record<string, string> {
  return {
    'streamlit_app.py': `${spec.mainSource}\n# ${marker}\n`,
    'requirements.txt': requirementsTxt(runId, spec.requirements),
    '.streamlit/config.toml': '[server]\nenableStaticServing = true\n',
    'static/version.txt': marker,
  };
}

/** A code-only change: the main file and the marker move, requirements.txt stays byte for byte. */
export function codeChange(spec: AppSpec, marker: string): Record<string, string> {
  return {
    'streamlit_app.py': `${spec.mainSource}\n# ${marker}\n`,
    'static/version.txt': marker,
  };
}

/** A dependency change: one more requirement, and the marker. */
export function dependencyChange(spec: AppSpec, runId: string, marker: string): Record<string, string> {
  return {
    'requirements.txt': requirementsTxt(runId, [...spec.requirements, spec.addedRequirement]),
    'static/version.txt': marker,
  };
}

export type ReferenceKind = 'plain' | 'layered';

/** Where the reference's build context holds the extra CA certificates (outside the app's files). */
export const referenceCaFolder = '.bench-ca';

/**
 * The reference: a plain pip Dockerfile on the same base image. `plain` is the one a README would
 * suggest (the repository copied in, then `pip install -r requirements.txt`), so every push
 * reinstalls; `layered` copies requirements.txt alone first, so a code-only push reuses the
 * install layer from Docker's cache, as Cove's own Dockerfile does.
 */
export function referenceDockerfile(baseImage: string, kind: ReferenceKind): string {
  const install = 'RUN pip install -r requirements.txt';
  return [
    `FROM ${baseImage}`,
    // The certificates the runtime image trusts too (runtime-image/extra-ca, for TLS-inspecting
    // networks), so pip reaches PyPI wherever Cove's builds do.
    `COPY ${referenceCaFolder}/ /usr/local/share/ca-certificates/cove/`,
    'RUN update-ca-certificates >/dev/null && python3 -m venv /opt/venv',
    'ENV PATH=/opt/venv/bin:$PATH PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_CERT=/etc/ssl/certs/ca-certificates.crt',
    'WORKDIR /app',
    ...(kind === 'plain'
      ? ['COPY . /app', install]
      : ['COPY requirements.txt /app/', install, 'COPY . /app']),
    'EXPOSE 8501',
    'CMD ["streamlit", "run", "streamlit_app.py", "--server.port=8501", "--server.address=0.0.0.0", "--server.headless=true", "--browser.gatherUsageStats=false"]',
    '',
  ].join('\n');
}
