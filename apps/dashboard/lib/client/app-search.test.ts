import type { AppView } from '@cove/shared/contracts/api';
import { expect, test } from 'vitest';
import { matchingApps } from './app-search';

const apps = [
  { name: 'sales-charts', repoUrl: 'https://git.example.com/Dana/Charts.git' },
  { name: 'chat-bot', repoUrl: '' },
] as AppView[];

test('finds apps by name or repository, in any case; an empty query keeps them all', () => {
  expect(matchingApps(apps, '')).toEqual(apps);
  expect(matchingApps(apps, '  ')).toEqual(apps);
  expect(matchingApps(apps, 'CHAT').map((app) => app.name)).toEqual(['chat-bot']);
  expect(matchingApps(apps, 'dana/').map((app) => app.name)).toEqual(['sales-charts']);
  expect(matchingApps(apps, 'Charts.GIT').map((app) => app.name)).toEqual(['sales-charts']);
  expect(matchingApps(apps, 'nothing')).toEqual([]);
});
