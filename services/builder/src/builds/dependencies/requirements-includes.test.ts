import { describe, expect, it } from 'vitest';
import { DeployFailure } from '../../failure';
import { collectIncludedFiles, parseIncludes } from './requirements-includes';

describe('parseIncludes', () => {
  it('resolves -r and -c in every spelling relative to the file naming them', () => {
    const content = [
      '-r base.txt',
      '--requirement=extra/more.txt  # a comment',
      '-c ../constraints.txt',
      '--constraint pins.txt',
      '-rdev.txt',
      'streamlit==1.64.0',
      '-r https://example.com/requirements.txt',
      '--extra-index-url https://pypi.example.com/simple',
      '-e git+https://github.com/org/pkg.git#egg=pkg',
    ].join('\n');
    expect(parseIncludes('app/requirements.txt', content)).toEqual([
      { kind: 'requirements', target: 'app/base.txt', lineNumber: 1 },
      { kind: 'requirements', target: 'app/extra/more.txt', lineNumber: 2 },
      { kind: 'constraints', target: 'constraints.txt', lineNumber: 3 },
      { kind: 'constraints', target: 'app/pins.txt', lineNumber: 4 },
      { kind: 'requirements', target: 'app/dev.txt', lineNumber: 5 },
    ]);
  });

  it('refuses a path that leaves the repository', () => {
    expect(() => parseIncludes('requirements.txt', 'six\n-r ../../etc/passwd')).toThrow(
      /Line 2 of requirements.txt \(`-r \.\.\/\.\.\/etc\/passwd`\) points outside the repository/,
    );
    expect(() => parseIncludes('requirements.txt', '-c /etc/constraints.txt')).toThrow(
      /outside the repository/,
    );
  });

  it.each([['-e .'], ['--editable ./pkg'], ['./vendor/pkg'], ['.'], ['mypkg @ file:///app/mypkg']])(
    'explains that a local path (%s) cannot be installed, as a permanent failure',
    (line) => {
      let caught: unknown;
      try {
        parseIncludes('requirements.txt', `streamlit\n${line}\n`);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(DeployFailure);
      expect(caught instanceof DeployFailure && caught.isPermanent).toBe(true);
      expect(String(caught)).toMatch(/Line 2 of requirements\.txt .* installs a local path/);
    },
  );
});

describe('collectIncludedFiles', () => {
  const repository = new Map([
    ['requirements.txt', '-r requirements/base.txt\n-c constraints.txt\n'],
    ['requirements/base.txt', '-r common.txt\nstreamlit\n'],
    ['requirements/common.txt', '-r base.txt\nsix\n'],
    ['constraints.txt', 'six==1.17.0\n'],
  ]);
  const reader = async (file: string) => repository.get(file) ?? null;

  it('follows includes recursively, once each, even in a cycle', async () => {
    const collected = await collectIncludedFiles(
      'requirements.txt',
      repository.get('requirements.txt') ?? '',
      reader,
    );
    expect([...collected.keys()]).toEqual([
      'requirements/base.txt',
      'requirements/common.txt',
      'constraints.txt',
    ]);
    expect(collected.get('constraints.txt')).toBe('six==1.17.0\n');
  });

  it('names the line and the missing file', async () => {
    await expect(collectIncludedFiles('requirements.txt', 'six\n-r dev.txt\n', reader)).rejects.toThrow(
      'Line 2 of requirements.txt includes dev.txt (-r), which is not in the repository at that commit',
    );
  });

  it('stops at a chain deeper than ten files', async () => {
    const chain = async (file: string) => `-r ${Number(file.replace('.txt', '')) + 1}.txt\n`;
    await expect(collectIncludedFiles('0.txt', '-r 1.txt\n', chain)).rejects.toThrow(/deeper than 10 levels/);
  });
});
