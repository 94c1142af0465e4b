import { expect, test } from 'vitest';
import { isReservedName } from './names';

test("the platform's names are always reserved", () => {
  const local = { COVE_DASHBOARD_URL: 'http://localhost:4100', COVE_APPS_DOMAIN: 'localhost' };
  expect(isReservedName(local, 'www')).toBe(true);
  expect(isReservedName(local, 'hello')).toBe(false);
});

test("the dashboard's first label is reserved when the dashboard sits under the apps domain's parent", () => {
  const beside = {
    COVE_DASHBOARD_URL: 'https://console.example.test',
    COVE_APPS_DOMAIN: 'apps.example.test',
  };
  expect(isReservedName(beside, 'console')).toBe(true);
  const elsewhere = {
    COVE_DASHBOARD_URL: 'https://console.other.test',
    COVE_APPS_DOMAIN: 'apps.example.test',
  };
  expect(isReservedName(elsewhere, 'console')).toBe(false);
});
