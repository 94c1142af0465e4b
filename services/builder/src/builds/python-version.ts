// Which Python an app runs on: the version `.python-version` asks for, among those the runtime
// image offers (asked of the image itself, so nothing here assumes one), else the image's own.
import { permanentFailure } from '../failure';

export interface PythonChoice {
  /** The full version used, e.g. 3.11.2. */
  version: string;
  /** For the build log: which version and why. */
  note: string;
}

export interface PythonVersionFile {
  file: string;
  content: string;
}

/** 3.13.5 -> 3.13. */
export function minorOf(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

function listMinors(offered: readonly string[]): string {
  const minors = [...new Set(offered.map(minorOf))];
  return minors.length <= 1
    ? (minors[0] ?? 'none')
    : `${minors.slice(0, -1).join(', ')} and ${minors.at(-1)}`;
}

/** The first version written in the file: `3.11`, `3.11.4`, `python3.11`, `cpython@3.11`. */
export function readRequestedVersion(content: string): string | null {
  const line = content
    .split(/\r?\n/)
    .map((text) => text.replace(/#.*$/, '').trim())
    .find((text) => text !== '');
  if (line === undefined) return null;
  return /^(?:c?python)?[-@]?(\d+\.\d+(?:\.\d+)?)/i.exec(line)?.[1] ?? line;
}

/** Stands in for a .python-version when the repository has none and the app's settings name one. */
export const appSettingSource = "the Python version in the app's settings";

/**
 * Chooses among `offered` (full versions the runtime image has, the default first): the
 * repository's .python-version, else the app's setting, else the image's default. Throws a
 * permanent failure when what is asked for is not offered.
 */
export function choosePythonVersion(
  offered: readonly string[],
  versionFile: PythonVersionFile | null,
  appSetting: string | null = null,
): PythonChoice {
  const platformDefault = offered[0];
  if (platformDefault === undefined) throw new Error('The runtime image offers no Python version');
  const request =
    versionFile ?? (appSetting === null ? null : { file: appSettingSource, content: appSetting });
  if (request === null) {
    return {
      version: platformDefault,
      note: `Using Python ${platformDefault}, the platform's default (the repository has no .python-version).`,
    };
  }
  const requested = readRequestedVersion(request.content);
  if (requested === null || !/^\d+\.\d+(\.\d+)?$/.test(requested)) {
    throw permanentFailure(
      `${request.file} says \`${requested ?? ''}\`, which is not a Python version. ` +
        `Write a version such as ${minorOf(platformDefault)}, or delete the file.`,
    );
  }
  const match = offered.find((version) => minorOf(version) === minorOf(requested));
  if (match === undefined) {
    throw permanentFailure(
      `Python ${minorOf(requested)} is not available; this platform offers ${listMinors(offered)}. Change ${request.file}.`,
    );
  }
  const exactness =
    requested === minorOf(requested) || requested === match
      ? ''
      : ` (it asks for ${requested}; versions are matched on major.minor)`;
  return { version: match, note: `Using Python ${match}, as ${request.file} asks${exactness}.` };
}
