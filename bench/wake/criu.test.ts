import { describe, expect, test } from 'vitest';
import { criuCheckVerdict, isEngineExperimental } from './criu';

describe('criuCheckVerdict', () => {
  test('a failed check names the first error, the one that stopped criu', () => {
    const output = [
      'Error (criu/vdso.c:613): vdso: Failed to fill self vdso symtable',
      'Error (criu/kerndat.c:1615): kerndat_vdso_fill_symtable failed when initializing kerndat.',
      'Error (criu/crtools.c:260): Could not initialize kernel features detection.',
    ].join('\n');
    expect(criuCheckVerdict(1, output)).toEqual({
      isOk: false,
      said: 'Error (criu/vdso.c:613): vdso: Failed to fill self vdso symtable',
    });
  });

  test('a passed check is ok', () => {
    expect(criuCheckVerdict(0, 'Looks good.\n')).toEqual({ isOk: true, said: 'Looks good.' });
  });
});

describe('isEngineExperimental', () => {
  test.each([
    { case: 'Docker 20.10 with experimental off', details: { Experimental: 'false' }, expected: false },
    { case: 'Docker 20.10 with experimental on', details: { Experimental: 'true' }, expected: true },
    { case: 'an engine that does not say', details: {}, expected: false },
  ])('$case', ({ details, expected }) => {
    expect(
      isEngineExperimental({ Version: '20.10.24', Components: [{ Name: 'Engine', Details: details }] }),
    ).toBe(expected);
  });

  test('the top-level flag of newer engines counts too', () => {
    expect(isEngineExperimental({ Version: '27.0.0', Experimental: true })).toBe(true);
  });
});
