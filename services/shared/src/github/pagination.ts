// GitHub paginates lists with a Link header: <https://api.github.com/...&page=2>; rel="next", ...
// The next page's URL is followed as given, so GitHub's own cursors keep working.

/** The rel="next" URL of a Link header, or null on the last page. */
export function nextPageUrl(linkHeader: string | null): string | null {
  if (!linkHeader) return null;
  for (const part of linkHeader.split(',')) {
    const match = /^\s*<([^>]+)>\s*;(.*)$/.exec(part);
    if (!match?.[1] || !match[2]) continue;
    const relations = /rel="([^"]*)"/.exec(match[2])?.[1]?.split(/\s+/) ?? [];
    if (relations.includes('next')) return match[1];
  }
  return null;
}
