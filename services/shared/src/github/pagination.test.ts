import { describe, expect, it } from 'vitest';
import { nextPageUrl } from './pagination';

describe('nextPageUrl', () => {
  it('finds rel="next" wherever it is in the Link header', () => {
    const header =
      '<https://api.github.com/repositories/1300192/issues?page=2>; rel="prev", <https://api.github.com/repositories/1300192/issues?page=4>; rel="next", <https://api.github.com/repositories/1300192/issues?page=515>; rel="last", <https://api.github.com/repositories/1300192/issues?page=1>; rel="first"';
    expect(nextPageUrl(header)).toBe('https://api.github.com/repositories/1300192/issues?page=4');
  });

  it('follows cursor links as given', () => {
    const header =
      '<https://api.github.com/installation/repositories?per_page=100&after=Y3Vyc29yOjEw>; rel="next"';
    expect(nextPageUrl(header)).toBe(
      'https://api.github.com/installation/repositories?per_page=100&after=Y3Vyc29yOjEw',
    );
  });

  it('is null on the last page or without a header', () => {
    expect(
      nextPageUrl(
        '<https://api.github.com/x?page=1>; rel="first", <https://api.github.com/x?page=1>; rel="prev"',
      ),
    ).toBeNull();
    expect(nextPageUrl(null)).toBeNull();
    expect(nextPageUrl('')).toBeNull();
  });
});
