import { expect, test } from 'vitest';
import { versionLabel, versionTitle } from './version-label';

test('a commit shows as its short sha, an uploaded folder as its short digest', () => {
  const commit = { commit: 'a1b2c3d4'.repeat(5), uploadDigest: null };
  const folder = { commit: null, uploadDigest: `sha256:${'3f9c0a1b2c4d'.padEnd(64, '0')}` };
  expect(versionLabel(commit, 'branch head')).toBe('a1b2c3d');
  expect(versionLabel(folder, 'branch head')).toBe('folder 3f9c0a1b2c4d');
  expect(versionLabel({ commit: null, uploadDigest: null }, 'branch head')).toBe('branch head');
  expect(versionTitle(folder)).toBe(folder.uploadDigest);
});
