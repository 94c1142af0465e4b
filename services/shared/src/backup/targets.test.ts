import { describe, expect, it } from 'vitest';
import { backupFolderName, parseTarget } from './targets';
import { BackupError } from './tools';

describe('parseTarget', () => {
  it('reads restic: as a repository, anything else as a folder', () => {
    expect(parseTarget('restic:/srv/restic/cove')).toEqual({
      kind: 'restic',
      repository: '/srv/restic/cove',
    });
    expect(parseTarget('restic:sftp:backup@host:/cove')).toEqual({
      kind: 'restic',
      repository: 'sftp:backup@host:/cove',
    });
    expect(parseTarget('/var/backups/cove')).toEqual({ kind: 'folder', path: '/var/backups/cove' });
  });

  it('refuses an empty target or repository in words', () => {
    expect(() => parseTarget('restic:')).toThrow(BackupError);
    expect(() => parseTarget('restic:')).toThrow(/needs the repository/);
    expect(() => parseTarget(' ')).toThrow(/Say where the backup goes/);
  });
});

describe('backupFolderName', () => {
  it('names a backup by its time, so names sort as they were taken', () => {
    expect(backupFolderName(new Date('2026-12-07T20:15:03.123Z'))).toBe('cove-backup-20261207T201503Z');
    const names = ['2026-12-07T09:00:00Z', '2026-11-30T23:00:00Z', '2026-12-07T10:00:00Z'].map((time) =>
      backupFolderName(new Date(time)),
    );
    expect([...names].sort()).toEqual([names[1], names[0], names[2]]);
  });
});
