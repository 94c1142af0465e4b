import { describe, expect, test } from 'vitest';
import { dashboardLookalikeName, sharedSiteProblem } from './sites';

describe('sharedSiteProblem', () => {
  test('a dashboard on the apps domain or under it is a problem naming both settings', () => {
    for (const url of [
      'https://cove.apps.example.test/',
      'https://apps.example.test',
      'https://a.b.Apps.Example.Test.',
    ]) {
      expect(sharedSiteProblem(url, 'apps.example.test')).toMatch(/COVE_APPS_DOMAIN.*COVE_ALLOW_SHARED_SITE/);
    }
  });

  test('a dashboard beside or outside the apps domain is fine', () => {
    expect(sharedSiteProblem('https://cove.example.test', 'apps.example.test')).toBeNull();
    expect(sharedSiteProblem('https://dashboard.other.test', 'apps.example.test')).toBeNull();
    expect(sharedSiteProblem('https://xapps.example.test', 'apps.example.test')).toBeNull();
  });

  test('a one-label apps domain (a public suffix to browsers) may be the dashboard host, not its parent', () => {
    expect(sharedSiteProblem('http://localhost:4100', 'localhost')).toBeNull();
    expect(sharedSiteProblem('http://cove.localhost:4100', 'localhost')).toMatch(/is under COVE_APPS_DOMAIN/);
  });
});

describe('dashboardLookalikeName', () => {
  test("is the dashboard host's first label when it sits under the apps domain's parent", () => {
    expect(dashboardLookalikeName('https://console.example.test', 'apps.example.test')).toBe('console');
    expect(dashboardLookalikeName('https://console.apps.example.test', 'apps.example.test')).toBe('console');
  });

  test('is nothing when the dashboard lives elsewhere or the parent is a top-level domain', () => {
    expect(dashboardLookalikeName('https://console.other.test', 'apps.example.test')).toBeNull();
    expect(dashboardLookalikeName('https://console.com', 'example.com')).toBeNull();
    expect(dashboardLookalikeName('http://localhost:4100', 'localhost')).toBeNull();
  });
});
