import { describe, expect, it } from 'vitest';
import { formatNumber, formatRatio, formatSigned, formatTable } from './table';

describe('formatTable', () => {
  it('aligns every column to its widest cell, numbers to the right', () => {
    const table = formatTable(
      [{ header: 'path' }, { header: 'req/s', align: 'right' }],
      [
        ['direct', '61,000'],
        ['cove', '9,500'],
      ],
    );
    expect(table.split('\n')).toEqual([
      'path     req/s',
      '------  ------',
      'direct  61,000',
      'cove     9,500',
    ]);
  });

  it('fills missing cells with blanks', () => {
    const table = formatTable([{ header: 'a' }, { header: 'b' }], [['x']]);
    expect(table.split('\n')[2]).toBe('x');
  });
});

describe('number formats', () => {
  it('formats numbers, differences and ratios, with a dash for what was not measured', () => {
    expect(formatNumber(12345.678, 1)).toBe('12,345.7');
    expect(formatNumber(Number.NaN)).toBe('-');
    expect(formatSigned(0.123)).toBe('+0.12');
    expect(formatSigned(-0.031)).toBe('-0.03');
    expect(formatSigned(undefined)).toBe('-');
    expect(formatRatio(0.456)).toBe('0.46x');
    expect(formatRatio(Number.POSITIVE_INFINITY)).toBe('-');
  });
});
