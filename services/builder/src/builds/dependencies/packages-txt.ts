// packages.txt: the Debian packages an app needs, one per line, `#` starting a comment. Names are
// checked here so a typo is reported with its line instead of surfacing as apt-get's error.
import { permanentFailure } from '../../failure';

export interface AptPackage {
  name: string;
  lineNumber: number;
}

/** Debian policy: lower-case letters, digits, `+`, `-` and `.`, at least two, starting alphanumeric. */
const debianPackageName = /^[a-z0-9][a-z0-9+.-]+$/;

function withoutComment(line: string): string {
  const hash = line.indexOf('#');
  return (hash === -1 ? line : line.slice(0, hash)).trim();
}

export function parsePackagesTxt(file: string, content: string): AptPackage[] {
  const packages: AptPackage[] = [];
  content.split(/\r?\n/).forEach((raw, index) => {
    const text = withoutComment(raw);
    if (text === '') return;
    if (!debianPackageName.test(text)) {
      const hint = /\s/.test(text)
        ? 'Put one package per line.'
        : 'Debian package names use lower-case letters, digits, `+`, `-` and `.` only.';
      throw permanentFailure(
        `Line ${index + 1} of ${file} (\`${raw.trim()}\`) is not a Debian package name. ${hint} ` +
          'Lines starting with # are comments.',
      );
    }
    if (!packages.some((known) => known.name === text)) packages.push({ name: text, lineNumber: index + 1 });
  });
  return packages;
}
