// Reads the output of a failed dependency install and says which line of the author's own file
// (requirements.txt, Pipfile, environment.yml, pyproject.toml, packages.txt) is at fault and why,
// in uv's or apt-get's own words.
import type { PythonInstall } from './dependencies/types';

export interface RequirementLine {
  lineNumber: number;
  text: string;
  /** Normalised as PyPI does: lower case, runs of `-`, `_`, `.` as one `-`. */
  packageName: string;
}

export function normalisePackageName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

export function parseRequirementLines(requirementsTxt: string): RequirementLine[] {
  const parsed: RequirementLine[] = [];
  requirementsTxt.split('\n').forEach((raw, index) => {
    const text = raw.replace(/(^|\s)#.*$/, '').trim();
    if (text === '' || text.startsWith('-')) return;
    const name = /^([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(text)?.[1];
    if (name !== undefined)
      parsed.push({ lineNumber: index + 1, text, packageName: normalisePackageName(name) });
  });
  return parsed;
}

const uvMarker = /^\s*(error:|×)/;
/** BuildKit's word for a RUN that exited non-zero (20.10 engines, then newer ones). */
const commandFailure =
  /^(executor failed running \[.*\]|process ".*" did not complete successfully): exit code: \d+/s;
/** The build log's own lines around a step's output: its header, a cached step's mark. */
const stepLine = /^(Step \d+\/\d+ : | ---> )/;

/** True when the build failed because a step's command exited non-zero (not the engine itself). */
export function isCommandFailure(errorMessage: string): boolean {
  return commandFailure.test(errorMessage);
}

const decorations = /^\s*(error:|warning:|cause:|caused by:|×|╰─▶|├─▶|│)\s*/;

/** uv's explanation: from its first `error:` line up to the engine's own failure line, tidied. */
export function extractUvReason(buildLines: readonly string[]): string | null {
  const start = buildLines.findIndex((line) => uvMarker.test(line));
  if (start === -1) return null;
  const reason: string[] = [];
  for (const line of buildLines.slice(start)) {
    if (commandFailure.test(line) || stepLine.test(line)) break;
    let cleaned = line;
    while (decorations.test(cleaned)) cleaned = cleaned.replace(decorations, '');
    cleaned = cleaned.trim();
    if (cleaned !== '') reason.push(cleaned);
  }
  const text = reason.join(' ').replace(/\s+/g, ' ').trim();
  return text === '' ? null : text.slice(0, 1500);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The requirement uv complains about: a `requirements.txt:<line>` reference (a line of the list uv
 * was given, found with `atListLine`), else the requirement named first in the reason.
 */
export function findCulprit(
  requirements: readonly RequirementLine[],
  reason: string,
  atListLine: (lineNumber: number) => RequirementLine | null,
): RequirementLine | null {
  const lineReference = /requirements\.txt:(\d+)/.exec(reason)?.[1];
  if (lineReference !== undefined) return atListLine(Number.parseInt(lineReference, 10));
  const normalisedReason = normalisePackageName(reason);
  let best: { requirement: RequirementLine; position: number } | null = null;
  for (const requirement of requirements) {
    const pattern = new RegExp(`(^|[^a-z0-9-])${escapeRegExp(requirement.packageName)}($|[^a-z0-9-])`);
    const match = pattern.exec(normalisedReason);
    if (match && (best === null || match.index < best.position))
      best = { requirement, position: match.index };
  }
  return best?.requirement ?? null;
}

/** The author's lines behind the list uv was given, and how a line of that list maps to them. */
function requirementLinesOf(install: Extract<PythonInstall, { kind: 'requirements' }>) {
  if (install.entries === null) {
    const lines = parseRequirementLines(install.requirementsTxt);
    const rawLines = install.requirementsTxt.split('\n');
    const atListLine = (lineNumber: number): RequirementLine => ({
      lineNumber,
      text:
        lines.find((line) => line.lineNumber === lineNumber)?.text ?? rawLines[lineNumber - 1]?.trim() ?? '',
      packageName: '',
    });
    return { lines, atListLine };
  }
  const lines = install.entries.map((entry) => ({
    lineNumber: entry.source.lineNumber,
    text: entry.source.text,
    packageName: parseRequirementLines(entry.requirement)[0]?.packageName ?? '',
  }));
  return { lines, atListLine: (lineNumber: number) => lines[lineNumber - 1] ?? null };
}

export interface InstallFailure {
  message: string;
  /** True when a line of the author's file is at fault: retrying cannot help. */
  isAuthorsMistake: boolean;
}

/** A message for the app's author, or null when the output is not uv's. */
export function explainInstallFailure(
  install: PythonInstall,
  buildLines: readonly string[],
): InstallFailure | null {
  const reason = extractUvReason(buildLines);
  if (reason === null) return null;
  if (install.kind === 'uv-lock') {
    return {
      message: `Installing the packages locked in ${install.sourceFile} failed. uv says: ${reason}`,
      isAuthorsMistake: false,
    };
  }
  const { lines, atListLine } = requirementLinesOf(install);
  const culprit = findCulprit(lines, reason, atListLine);
  if (culprit === null) {
    return {
      message: `Installing ${install.sourceFile} failed. uv says: ${reason}`,
      isAuthorsMistake: false,
    };
  }
  return {
    message: `Line ${culprit.lineNumber} of ${install.sourceFile} (\`${culprit.text}\`) could not be installed. uv says: ${reason}`,
    isAuthorsMistake: true,
  };
}

/** apt-get's word for a package Debian does not have, turned into the line of packages.txt. */
export function explainAptFailure(
  packagesFile: string,
  packagesTxt: string,
  buildLines: readonly string[],
): InstallFailure | null {
  const missing = buildLines
    .map((line) => /^E: Unable to locate package (\S+)/.exec(line)?.[1])
    .find(Boolean);
  if (missing === undefined) return null;
  const lineIndex = packagesTxt
    .split(/\r?\n/)
    .findIndex((line) => line.replace(/#.*$/, '').trim() === missing);
  const where = lineIndex === -1 ? packagesFile : `Line ${lineIndex + 1} of ${packagesFile}`;
  return {
    message: `${where} asks for \`${missing}\`, which Debian does not have (apt-get: Unable to locate package ${missing}). Check the name on packages.debian.org.`,
    isAuthorsMistake: true,
  };
}
