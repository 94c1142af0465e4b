// environment.yml: only its `pip:` section can be installed (the runtime image has no conda).
// Conda packages fail the build, naming them: a warning would let the app go live and then stop
// at its first import, far from the cause, so the author is told up front what to move.
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { permanentFailure } from '../../failure';
import type { RequirementEntry } from './types';

/** Conda entries that need nothing from us: the interpreter and pip itself. */
const providedByPlatform = new Set(['python', 'pip']);

function condaName(spec: string): string {
  const withoutChannel = spec.includes('::') ? (spec.split('::')[1] ?? spec) : spec;
  return (/^[A-Za-z0-9._-]+/.exec(withoutChannel.trim())?.[0] ?? spec).toLowerCase();
}

export interface EnvironmentDependencies {
  entries: RequirementEntry[];
  notes: string[];
}

export function readEnvironmentYml(file: string, content: string): EnvironmentDependencies {
  const lineCounter = new LineCounter();
  const document = parseDocument(content, { lineCounter });
  const firstError = document.errors[0];
  if (firstError !== undefined) {
    const line = firstError.linePos?.[0]?.line;
    throw permanentFailure(
      `${file} is not valid YAML${line === undefined ? '' : ` (line ${line})`}: ${firstError.message.split('\n')[0]}`,
    );
  }
  const lines = content.split(/\r?\n/);
  const lineOf = (node: Node) => lineCounter.linePos(node.range?.[0] ?? 0).line;
  const dependencies = isMap(document.contents) ? document.contents.get('dependencies', true) : undefined;
  const entries: RequirementEntry[] = [];
  const condaOnly: string[] = [];
  const notes: string[] = [];
  if (!isSeq(dependencies)) {
    notes.push(`${file} lists no dependencies: Streamlit alone is installed.`);
    return { entries, notes };
  }
  for (const item of dependencies.items) {
    if (isScalar(item)) {
      const spec = String(item.value).trim();
      const name = condaName(spec);
      if (name === 'python' && spec !== 'python') {
        notes.push(
          `${file} asks for \`${spec}\`; the Python version comes from .python-version or the platform's default.`,
        );
      }
      if (!providedByPlatform.has(name)) condaOnly.push(spec);
      continue;
    }
    const pip = isMap(item) ? item.get('pip', true) : undefined;
    if (!isSeq(pip)) continue;
    for (const requirement of pip.items) {
      if (!isScalar(requirement)) continue;
      const lineNumber = lineOf(requirement);
      entries.push({
        requirement: String(requirement.value).trim(),
        source: { file, lineNumber, text: lines[lineNumber - 1]?.trim() ?? String(requirement.value) },
      });
    }
  }
  if (condaOnly.length > 0) {
    const listed = condaOnly.map((spec) => `\`${spec}\``).join(', ');
    throw permanentFailure(
      `${file} lists conda packages (${listed}), and conda packages are not supported: Cove installs only its \`pip:\` section. ` +
        'Move the ones published on PyPI under `- pip:` (e.g. `numpy=1.26` becomes `numpy==1.26`), and system libraries into packages.txt.',
    );
  }
  return { entries, notes };
}
