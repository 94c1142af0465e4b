// pyproject.toml: the PEP 621 `[project] dependencies` list, turned into requirement lines that
// remember where they were written.
import { parse, TomlError } from 'smol-toml';
import { z } from 'zod';
import { permanentFailure } from '../../failure';
import { findLineNumber } from './source-lines';
import type { RequirementEntry } from './types';

const pyprojectShape = z.object({
  project: z
    .object({
      dependencies: z.array(z.string()).optional(),
      dynamic: z.array(z.string()).optional(),
    })
    .optional(),
  tool: z
    .object({ poetry: z.object({}).loose().optional() })
    .loose()
    .optional(),
});

export function parseToml(file: string, content: string): Record<string, unknown> {
  try {
    return parse(content);
  } catch (error) {
    const where = error instanceof TomlError ? ` (line ${error.line})` : '';
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw permanentFailure(`${file} is not valid TOML${where}: ${reason}. Fix the file and push again.`);
  }
}

export interface PyprojectDependencies {
  entries: RequirementEntry[];
  /** Why nothing (or not everything) is installed from it, for the build log. */
  notes: string[];
}

export function readPyprojectDependencies(file: string, content: string): PyprojectDependencies {
  const parsed = pyprojectShape.safeParse(parseToml(file, content));
  if (!parsed.success) {
    throw permanentFailure(
      `${file}: \`[project] dependencies\` must be a list of requirement strings, e.g. ["six>=1.16"].`,
    );
  }
  const { project, tool } = parsed.data;
  const notes: string[] = [];
  if (project?.dynamic?.includes('dependencies')) {
    notes.push(
      `${file} declares its dependencies as dynamic; Cove installs only the ones listed in [project].`,
    );
  }
  if (project?.dependencies === undefined) {
    notes.push(
      tool?.poetry !== undefined
        ? `${file} has no [project] dependencies (Poetry's [tool.poetry.dependencies] is not read): Streamlit alone is installed. List them under [project] dependencies (PEP 621).`
        : `${file} has no [project] dependencies: Streamlit alone is installed.`,
    );
  }
  const lines = content.split(/\r?\n/);
  const sectionStart = lines.findIndex((line) => /^\s*\[project\]\s*(#.*)?$/.test(line));
  const entries = (project?.dependencies ?? []).map((requirement) => {
    const quoted = [JSON.stringify(requirement), `'${requirement}'`];
    const lineNumber = findLineNumber(
      lines,
      (line) => quoted.some((text) => line.includes(text)),
      sectionStart,
    );
    return {
      requirement,
      source: { file, lineNumber, text: lines[lineNumber - 1]?.trim() ?? requirement },
    };
  });
  return { entries, notes };
}
