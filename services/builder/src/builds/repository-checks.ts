// What the builder checks in a cloned repository before building: that the main file is there.
import { readdir, stat } from 'node:fs/promises';
import { permanentFailure, shortSha } from '../failure';
import { resolveInsideRepository } from './repository-paths';

async function isFile(target: string): Promise<boolean> {
  try {
    return (await stat(target)).isFile();
  } catch {
    return false;
  }
}

async function topLevelListing(directory: string): Promise<string> {
  const entries = await readdir(directory, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.name !== '.git')
    .map((entry) => (entry.isDirectory() ? `${entry.name}/` : entry.name))
    .sort();
  if (names.length === 0) return '(none: the repository is empty)';
  const shown = names.slice(0, 30).join(', ');
  return names.length > 30 ? `${shown}, and ${names.length - 30} more` : shown;
}

export async function checkMainFile(
  directory: string,
  mainFile: string,
  /** The commit the repository was cloned at, or the uploaded folder (its short digest). */
  source: { sha: string; branch: string } | { folder: string },
): Promise<void> {
  const target = await resolveInsideRepository(directory, mainFile);
  if (target.kind === 'outside') {
    throw permanentFailure(
      `The main file \`${mainFile}\` leads outside the repository (a symbolic link or a path with ".."); Cove builds only files inside it. ` +
        `Point the main file at a file in the repository.`,
    );
  }
  if (target.kind === 'inside' && (await isFile(target.path))) return;
  const listing = await topLevelListing(directory);
  if ('folder' in source) {
    throw permanentFailure(
      `The main file \`${mainFile}\` is not in the uploaded folder ${source.folder}. Files at the top level: ${listing}. ` +
        'Deploy again with the right main file (cove deploy --main <file>).',
    );
  }
  throw permanentFailure(
    `The main file \`${mainFile}\` is not in the repository at commit ${shortSha(source.sha)} (branch ${source.branch}). ` +
      `Files at the top level: ${listing}. ` +
      `Change the main file path in the app's settings, or push the file.`,
  );
}
