// The shapes dependency detection works with: the repository's files as read, and the plan the
// Dockerfile is generated from.

/** The dependency files a repository has, by path from the repository root (`src/requirements.txt`). */
export type RepositoryFiles = ReadonlyMap<string, string>;

/** Where a requirement came from, so a failed install can name the author's own file and line. */
export interface RequirementSource {
  file: string;
  lineNumber: number;
  /** The line as shown to the author: their own line, or the locked requirement for a lock file. */
  text: string;
}

/** One line of the requirements list Cove installs, with the line it came from. */
export interface RequirementEntry {
  requirement: string;
  source: RequirementSource;
}

/**
 * How the Python dependencies are installed:
 * - `requirements`: one requirements list (the author's requirements.txt as is, or one Cove wrote
 *   from Pipfile, Pipfile.lock, environment.yml or pyproject.toml), installed with `uv pip install`;
 * - `uv-lock`: pyproject.toml and uv.lock, installed with `uv sync --frozen`.
 */
export type PythonInstall =
  | {
      kind: 'requirements';
      /** The file the author wrote (`Pipfile.lock`, `src/requirements.txt`). */
      sourceFile: string;
      /** The list handed to uv; line n of it is `entries[n - 1]` when it was generated. */
      requirementsTxt: string;
      /** Null when `requirementsTxt` is the author's file itself (its lines are their own source). */
      entries: readonly RequirementEntry[] | null;
      /**
       * The files the author's requirements.txt includes with `-r` and `-c`, by path from the
       * repository root; installed beside it so the relative paths resolve. None when absent.
       */
      includedFiles?: Readonly<Record<string, string>>;
    }
  | { kind: 'uv-lock'; sourceFile: string; pyprojectToml: string; uvLock: string };

export interface DependencyPlan {
  /** Null when the repository declares no Python dependencies: Streamlit alone, as in the image. */
  python: PythonInstall | null;
  /** Debian packages from packages.txt, in the order written. */
  aptPackages: readonly string[];
  /** The packages.txt they come from, to explain a failed apt-get. */
  packagesTxt: { file: string; content: string } | null;
  /** Lines for the build log saying what was found, what is used and why. */
  notes: readonly string[];
}
