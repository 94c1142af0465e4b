// Reads uv's output after a failed `uv pip install -r requirements.txt` and says which line of the
// author's requirements.txt is at fault and why, in uv's own words.

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
const dockerStepFailure =
  /^(The command '.*' returned a non-zero code|Removing intermediate container|Step \d+\/\d+ :| ---> )/;
const decorations = /^\s*(error:|warning:|cause:|caused by:|×|╰─▶|├─▶|│)\s*/;

/** uv's explanation: from its first `error:` line up to Docker's own failure line, tidied. */
export function extractUvReason(buildLines: readonly string[]): string | null {
  const start = buildLines.findIndex((line) => uvMarker.test(line));
  if (start === -1) return null;
  const reason: string[] = [];
  for (const line of buildLines.slice(start)) {
    if (dockerStepFailure.test(line)) break;
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

/** The requirement uv complains about: a `requirements.txt:<line>` reference, else the first named. */
export function findCulprit(
  requirements: readonly RequirementLine[],
  reason: string,
): RequirementLine | null {
  const lineReference = /requirements\.txt:(\d+)/.exec(reason)?.[1];
  if (lineReference !== undefined) {
    const lineNumber = Number.parseInt(lineReference, 10);
    const text = requirementsLineText(requirements, lineNumber);
    return { lineNumber, text, packageName: '' };
  }
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

function requirementsLineText(requirements: readonly RequirementLine[], lineNumber: number): string {
  return requirements.find((requirement) => requirement.lineNumber === lineNumber)?.text ?? '';
}

/** A message for the app's author, or null when the output is not uv's. */
export function explainInstallFailure(requirementsTxt: string, buildLines: readonly string[]): string | null {
  const reason = extractUvReason(buildLines);
  if (reason === null) return null;
  const culprit = findCulprit(parseRequirementLines(requirementsTxt), reason);
  if (culprit === null) return `Installing requirements.txt failed. uv says: ${reason}`;
  const text = culprit.text || requirementsTxt.split('\n')[culprit.lineNumber - 1]?.trim() || '';
  return `Line ${culprit.lineNumber} of requirements.txt (\`${text}\`) could not be installed. uv says: ${reason}`;
}
