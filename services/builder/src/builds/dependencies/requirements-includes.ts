// The files a requirements.txt pulls in with `-r other.txt` and `-c constraints.txt`, resolved as
// pip and uv do (relative to the file that names them), so they go into the dependency layer beside
// it. Local paths (`-e .`, `./pkg`) cannot be installed there: the code is copied in after the
// dependencies, so they get a message saying what to do instead.
import path from 'node:path';
import { permanentFailure } from '../../failure';

export interface RequirementInclude {
  kind: 'requirements' | 'constraints';
  /** The path from the repository root, normalised (`src/base.txt`). */
  target: string;
  lineNumber: number;
}

/** How deep `-r` may nest and how many files one install may read: far above real repositories. */
const maximumDepth = 10;
const maximumFiles = 50;

const includeOption = /^(?:(-r|--requirement)|(-c|--constraint))(?:\s*=\s*|\s+|(?<=^-[rc]))(?<target>\S+)$/;
const editableOption = /^(?:-e|--editable)(?:\s*=\s*|\s+)(?<target>\S+)/;
const localPath = /^(?:\.{1,2}(?:\/|$)|\/|file:)/;

function isUrl(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(target) && !target.startsWith('file:');
}

function localPathMessage(file: string, lineNumber: number, text: string): Error {
  return permanentFailure(
    `Line ${lineNumber} of ${file} (\`${text}\`) installs a local path. Cove installs dependencies in their own layer before your code is copied in, so a package from the repository itself cannot be installed from requirements.txt. List that package's own dependencies in ${file} instead; your repository's folders are importable as they are, since Streamlit runs from the repository root.`,
  );
}

/** The `-r` and `-c` lines of one requirements file; throws for local paths and paths out of the repository. */
export function parseIncludes(file: string, content: string): RequirementInclude[] {
  const includes: RequirementInclude[] = [];
  const folder = path.posix.dirname(file);
  content.split('\n').forEach((raw, index) => {
    const lineNumber = index + 1;
    const text = raw.replace(/(^|\s)#.*$/, '').trim();
    if (text === '') return;
    const editable = editableOption.exec(text)?.groups?.target;
    if (editable !== undefined) {
      if (!isUrl(editable) && !/^(git|hg|svn|bzr)\+/.test(editable))
        throw localPathMessage(file, lineNumber, text);
      return;
    }
    if (localPath.test(text) || /\s@\s*file:/.test(text)) throw localPathMessage(file, lineNumber, text);
    const match = includeOption.exec(text);
    const target = match?.groups?.target;
    if (match === null || target === undefined || isUrl(target)) return;
    const resolved = path.posix.normalize(path.posix.join(folder, target));
    if (path.posix.isAbsolute(target) || resolved === '..' || resolved.startsWith('../')) {
      throw permanentFailure(
        `Line ${lineNumber} of ${file} (\`${text}\`) points outside the repository. Keep the files it includes in the repository and name them relative to ${file}.`,
      );
    }
    includes.push({
      kind: match[1] === undefined ? 'constraints' : 'requirements',
      target: resolved,
      lineNumber,
    });
  });
  return includes;
}

/**
 * Every file `rootFile` includes, recursively, read with `readFile` (null: not in the repository).
 * Returns them by path from the repository root, the root file excluded.
 */
export async function collectIncludedFiles(
  rootFile: string,
  rootContent: string,
  readFile: (repositoryPath: string) => Promise<string | null>,
): Promise<Map<string, string>> {
  const collected = new Map<string, string>();
  const visit = async (file: string, content: string, depth: number): Promise<void> => {
    for (const include of parseIncludes(file, content)) {
      if (include.target === rootFile || collected.has(include.target)) continue;
      if (depth >= maximumDepth || collected.size >= maximumFiles) {
        throw permanentFailure(
          `${rootFile} includes more than ${maximumFiles} files or nests -r deeper than ${maximumDepth} levels; Cove stops there. Flatten the requirements into fewer files.`,
        );
      }
      const included = await readFile(include.target);
      if (included === null) {
        const option = include.kind === 'constraints' ? '-c' : '-r';
        throw permanentFailure(
          `Line ${include.lineNumber} of ${file} includes ${include.target} (${option}), which is not in the repository at that commit. Add the file, or fix the path (it is relative to ${file}).`,
        );
      }
      collected.set(include.target, included);
      await visit(include.target, included, depth + 1);
    }
  };
  await visit(rootFile, rootContent, 0);
  return collected;
}
