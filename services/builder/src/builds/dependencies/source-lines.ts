// Finding where in the author's file something was written, for messages that name the line.

/** The 1-based number of the first line at or after `fromIndex` that matches; 1 when none does. */
export function findLineNumber(
  lines: readonly string[],
  matches: (line: string) => boolean,
  fromIndex = 0,
): number {
  const start = Math.max(0, fromIndex);
  for (let index = start; index < lines.length; index += 1) {
    if (matches(lines[index] ?? '')) return index + 1;
  }
  const anywhere = lines.findIndex(matches);
  return anywhere === -1 ? 1 : anywhere + 1;
}

/** The text of a requirement's own line, for a list written from several entries. */
export function requirementsText(requirements: readonly string[]): string {
  return requirements.length === 0 ? '' : `${requirements.join('\n')}\n`;
}
