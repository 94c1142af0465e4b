// Pipfile and Pipfile.lock, turned into requirement lines in the builder (not by pipenv in the
// image): the runtime image has uv, not pipenv, and converting here lets a failed install name the
// author's own line. With a Pipfile.lock, its `default` section is installed: the locked versions.
import { z } from 'zod';
import { permanentFailure } from '../../failure';
import { parseToml } from './pyproject';
import { findLineNumber } from './source-lines';
import type { RequirementEntry } from './types';

/** One package as Pipfile and Pipfile.lock write it: a version string or a table. */
const packageSpec = z.union([
  z.string(),
  z
    .object({
      version: z.string().optional(),
      extras: z.array(z.string()).optional(),
      markers: z.string().optional(),
      git: z.string().optional(),
      ref: z.string().optional(),
      file: z.string().optional(),
      path: z.string().optional(),
      editable: z.boolean().optional(),
    })
    .loose(),
]);
type PackageSpec = z.infer<typeof packageSpec>;

const pipfileShape = z.object({ packages: z.record(z.string(), packageSpec).optional() }).loose();
const lockShape = z.object({ default: z.record(z.string(), packageSpec).optional() }).loose();

/** The requirement line for one package, or the reason it cannot be installed before the code. */
function toRequirement(name: string, spec: PackageSpec): string | { refusal: string } {
  if (typeof spec === 'string') return spec === '*' || spec === '' ? name : `${name}${spec}`;
  const extras = spec.extras && spec.extras.length > 0 ? `[${spec.extras.join(',')}]` : '';
  const markers = spec.markers ? ` ; ${spec.markers}` : '';
  if (spec.path !== undefined || spec.editable === true) {
    return {
      refusal: `\`${name}\` is a local path; Cove installs dependencies before copying the code, so it cannot install it. Import it from the repository instead, or publish it as a package.`,
    };
  }
  if (spec.git !== undefined) {
    const url = spec.git.startsWith('git+') ? spec.git : `git+${spec.git}`;
    return `${name}${extras} @ ${url}${spec.ref ? `@${spec.ref}` : ''}${markers}`;
  }
  if (spec.file !== undefined) return `${name}${extras} @ ${spec.file}${markers}`;
  const version = spec.version === undefined || spec.version === '*' ? '' : spec.version;
  return `${name}${extras}${version}${markers}`;
}

function entriesFrom(
  file: string,
  packages: Record<string, PackageSpec>,
  findLine: (name: string) => number,
  showLine: (lineNumber: number, requirement: string) => string,
): RequirementEntry[] {
  return Object.entries(packages).map(([name, spec]) => {
    const lineNumber = findLine(name);
    const requirement = toRequirement(name, spec);
    if (typeof requirement !== 'string') {
      throw permanentFailure(`Line ${lineNumber} of ${file}: ${requirement.refusal}`);
    }
    return { requirement, source: { file, lineNumber, text: showLine(lineNumber, requirement) } };
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function readPipfile(file: string, content: string): RequirementEntry[] {
  const parsed = pipfileShape.safeParse(parseToml(file, content));
  if (!parsed.success) {
    throw permanentFailure(`${file}: [packages] must map package names to versions, e.g. numpy = "*".`);
  }
  const lines = content.split(/\r?\n/);
  const sectionStart = lines.findIndex((line) => /^\s*\[packages\]\s*(#.*)?$/.test(line));
  return entriesFrom(
    file,
    parsed.data.packages ?? {},
    (name) => {
      const key = new RegExp(`^\\s*["']?${escapeRegExp(name)}["']?\\s*=`, 'i');
      return findLineNumber(lines, (line) => key.test(line), sectionStart);
    },
    (lineNumber, requirement) => lines[lineNumber - 1]?.trim() ?? requirement,
  );
}

export function readPipfileLock(file: string, content: string): RequirementEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw permanentFailure(`${file} is not valid JSON (${reason}). Run \`pipenv lock\` again and push it.`);
  }
  const parsed = lockShape.safeParse(json);
  if (!parsed.success) {
    throw permanentFailure(
      `${file} does not look like a Pipfile.lock. Run \`pipenv lock\` again and push it.`,
    );
  }
  const lines = content.split(/\r?\n/);
  const sectionStart = lines.findIndex((line) => /^\s*"default"\s*:/.test(line));
  return entriesFrom(
    file,
    parsed.data.default ?? {},
    (name) => findLineNumber(lines, (line) => line.includes(`${JSON.stringify(name)}:`), sectionStart),
    (_lineNumber, requirement) => requirement,
  );
}
